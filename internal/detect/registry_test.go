package detect

import (
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestEveryKindIsComplete checks each entry of the registry: its switch is in
// the section of Config named after it, it is on by default, and reports and
// dashboards have what they show of it.
func TestEveryKindIsComplete(t *testing.T) {
	sections := reflect.TypeOf(Config{}).NumField()
	if len(Kinds) != sections {
		t.Fatalf("%d kinds, %d sections of Config", len(Kinds), sections)
	}
	orders := map[int]string{}
	for _, k := range Kinds {
		var c Config
		*k.Enabled(&c) = true
		v := reflect.ValueOf(c)
		for i := 0; i < v.NumField(); i++ {
			tag := v.Type().Field(i).Tag.Get("mapstructure")
			if on := !v.Field(i).IsZero(); on != (tag == k.Name) {
				t.Errorf("%s: its switch turns on section %q", k.Name, tag)
			}
		}
		if def := DefaultConfig(); !*k.Enabled(&def) {
			t.Errorf("%s is off by default", k.Name)
		}
		if k.Rule.Name == "" || k.Rule.Short == "" || k.Rule.Full == "" || k.Panel.Title == "" || k.Panel.Description == "" {
			t.Errorf("%s: rule %+v, panel %+v", k.Name, k.Rule, k.Panel)
		}
		if other, taken := orders[k.Panel.Order]; taken || k.Panel.Order < 1 || k.Panel.Order > len(Kinds) {
			t.Errorf("%s: panel order %d (%s has it too)", k.Name, k.Panel.Order, other)
		}
		orders[k.Panel.Order] = k.Name
		if got, ok := KindOf(k.Name); !ok || got.Name != k.Name {
			t.Errorf("KindOf(%q) = %v, %v", k.Name, got, ok)
		}
	}
	if _, ok := KindOf("n_plus_two"); ok {
		t.Error("KindOf found a type that does not exist")
	}
}

// TestWastedQueries checks what each type's fix saves.
func TestWastedQueries(t *testing.T) {
	cases := []struct {
		f    Finding
		want int
	}{
		{Finding{Type: TypeNPlusOne, Count: 12}, 11},
		{Finding{Type: TypeDuplicateQuery, Count: 3}, 2},
		{Finding{Type: TypeNPlusOneAPI, Count: 5}, 4},
		{Finding{Type: TypeMNPlusOne, Count: 8, Members: make([]int, 16), Statements: []string{"a", "b"}}, 14},
		{Finding{Type: TypePaginationCount, Count: 2, Members: []int{1, 2}}, 1},
		{Finding{Type: TypeOverFetch, Count: 1}, 0},
		{Finding{Type: TypeDeepOffset, Count: 1}, 0},
		{Finding{Type: TypePagedToManyJoin, Count: 1}, 0},
		{Finding{Type: TypeLazyLoadOutOfScope, Reason: ReasonTemplate, Count: 3}, 2},
		{Finding{Type: TypeLazyLoadOutOfScope, Reason: ReasonException, Count: 1}, 0},
		{Finding{Type: TypeLazyLoadOutOfScope, Reason: ReasonAfterParentEnded, Count: 4}, 0},
		{Finding{Type: "unknown", Count: 9}, 0},
	}
	for _, c := range cases {
		if got := c.f.WastedQueries(); got != c.want {
			t.Errorf("%s x%d: %d wasted, want %d", c.f.Type, c.f.Count, got, c.want)
		}
	}
}

// TestSettingsOutOfRange checks that each setting out of range is named with
// what it allows, and that defaults pass.
func TestSettingsOutOfRange(t *testing.T) {
	cases := []struct {
		err  error
		want []string
	}{
		{(&NPlusOneConfig{MinRepeats: 1, CoarseMinRepeats: 1, MinTotalDuration: -1}).Validate(), []string{
			"min_repeats must be at least 2, got 1", "coarse_min_repeats must be at least 2, got 1", "min_total_duration must be 0 or more, got -1ns"}},
		{(&MNPlusOneConfig{MinIterations: 1}).Validate(), []string{"min_iterations must be at least 2, got 1"}},
		{(&DuplicateQueryConfig{MinRepeats: 0}).Validate(), []string{"min_repeats must be at least 2, got 0"}},
		{(&NPlusOneAPIConfig{MinRepeats: 1, MinTotalDuration: -time.Second}).Validate(), []string{
			"min_repeats must be at least 2, got 1", "min_total_duration must be 0 or more, got -1s"}},
		{(&OverFetchConfig{MaxReturnedRows: -1}).Validate(), []string{"max_returned_rows must be 0 (off) or more, got -1"}},
		{(&DeepOffsetConfig{MinOffset: 0}).Validate(), []string{"min_offset must be at least 1, got 0"}},
		{(&LazyLoadOutOfScopeConfig{MinTemplateRepeats: 1}).Validate(), []string{"min_template_repeats must be at least 2, got 1"}},
	}
	for _, c := range cases {
		if c.err == nil {
			t.Errorf("no error, want %q", c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(c.err.Error(), w) {
				t.Errorf("error %q does not say %q", c.err, w)
			}
		}
	}
	d := DefaultConfig()
	for _, err := range []error{d.NPlusOne.Validate(), d.MNPlusOne.Validate(), d.DuplicateQuery.Validate(), d.NPlusOneAPI.Validate(),
		d.OverFetch.Validate(), d.DeepOffset.Validate(), d.LazyLoadOutOfScope.Validate()} {
		if err != nil {
			t.Errorf("a default is out of range: %v", err)
		}
	}
}

// TestWastedDuration: the time a fix saves is the duration of the runs it
// removes: for a loop of two statements per item, all runs but one of each,
// not the whole loop divided by its iterations.
func TestWastedDuration(t *testing.T) {
	b := newRoot()
	for i := 0; i < 6; i++ { // 800 ns each (traceBuilder)
		b.db(byte(20+2*i), 1, fmt.Sprintf(`SELECT "authors"."id" FROM "authors" WHERE "authors"."id" = %d`, i)).
			db(byte(21+2*i), 1, fmt.Sprintf(`SELECT "tags"."name" FROM "tags" WHERE "tags"."book_id" = %d`, i))
	}
	b.db(40, 1, `SELECT count(*) FROM books WHERE pages > 100`).db(41, 1, `SELECT id FROM books WHERE pages > 100 ORDER BY id LIMIT 20 OFFSET 40`)
	tr := b.build()
	got := map[string]time.Duration{}
	for _, f := range Run(New(DefaultConfig()), NewInput(tr)) {
		got[f.Type] = f.WastedDuration
	}
	want := map[string]time.Duration{TypeMNPlusOne: 10 * 800, TypePaginationCount: 800}
	if !maps.Equal(got, want) {
		t.Errorf("wasted %v, want %v", got, want)
	}
}
