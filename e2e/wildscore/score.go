package wildscore

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/report"
	"github.com/querylens/querylens/internal/suggest"
)

// The bar of issue 17 on the wild corpus.
const (
	MinPrecision = 0.95
	MinRecall    = 0.9
	MinFixRight  = 0.9
)

// Score is how querylens did on one application.
type Score struct {
	App      string
	Findings int // all findings
	True     int // findings some trap matches
	Required int // required traps
	Found    int // required traps matched by a finding
	FixRight int // true findings whose fix is right
	ByType   map[string]*TypeScore
	// False are the findings no trap matches, grouped.
	False []Group
	// Missed are the required traps no finding matches.
	Missed []string
	// WrongFixes are the true findings whose fix is not right, grouped by trap
	// and reason.
	WrongFixes []Group
	// Foreign counts fixes that name another language's ORM.
	Foreign int
}

// TypeScore is a Score's part for one finding type.
type TypeScore struct {
	Findings, True, Required, Found int
}

// Group is findings that share a type, route and statement (or a trap and a
// reason), with how many there were.
type Group struct {
	Key   string
	Count int
}

// Precision is true findings over all findings; 1 when there are none.
func (s *Score) Precision() float64 { return ratio(s.True, s.Findings) }

// Recall is found required traps over required traps; 1 when there are none.
func (s *Score) Recall() float64 { return ratio(s.Found, s.Required) }

// FixRate is true findings with a right fix over true findings.
func (s *Score) FixRate() float64 { return ratio(s.FixRight, s.True) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// Evaluate scores the findings querylens reported on the app's traces.
func Evaluate(t *Truth, findings []report.Finding) *Score {
	s := &Score{App: t.App, ByType: map[string]*TypeScore{}}
	typ := func(name string) *TypeScore {
		if s.ByType[name] == nil {
			s.ByType[name] = &TypeScore{}
		}
		return s.ByType[name]
	}
	found := map[string]bool{}
	falses, wrong := map[string]int{}, map[string]int{}
	for i := range findings {
		f := &findings[i]
		s.Findings++
		typ(f.Type).Findings++
		var matched []*Trap
		for k := range t.Traps {
			if t.Traps[k].matches(f) {
				matched = append(matched, &t.Traps[k])
			}
		}
		if len(matched) == 0 {
			falses[fmt.Sprintf("%s %s: %s", f.Type, routeOf(f), f.Statement)]++
			continue
		}
		s.True++
		typ(f.Type).True++
		for _, tr := range matched {
			found[tr.ID] = true
		}
		// The fix is right when it satisfies one of the traps it matches.
		var why string
		for _, tr := range matched {
			if why = fixProblem(t.Language, tr, f); why == "" {
				break
			}
		}
		if why == "" {
			s.FixRight++
		} else {
			wrong[fmt.Sprintf("%s (%s): %s: %q", matched[0].ID, f.Type, why, f.Suggestion)]++
		}
		if foreign(t.Language, f) != "" {
			s.Foreign++
		}
	}
	for k := range t.Traps {
		if tr := &t.Traps[k]; tr.Required && !found[tr.ID] && tr.Type == detect.TypeNPlusOne {
			found[tr.ID] = inSequence(tr, findings)
		}
	}
	for _, tr := range t.Traps {
		if !tr.Required {
			continue
		}
		s.Required++
		typ(tr.Type).Required++
		if found[tr.ID] {
			s.Found++
			typ(tr.Type).Found++
		} else {
			s.Missed = append(s.Missed, fmt.Sprintf("%s (%s %s)", tr.ID, tr.Type, tr.Route))
		}
	}
	s.False, s.WrongFixes = groups(falses), groups(wrong)
	return s
}

func groups(m map[string]int) []Group {
	out := make([]Group, 0, len(m))
	for k, n := range m {
		out = append(out, Group{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func routeOf(f *report.Finding) string {
	if f.Route != "" {
		return f.Route
	}
	return "(no route: " + f.Anchor + ")"
}

// inSequence reports whether an mn_plus_one finding holds the n_plus_one trap:
// the loop that runs the trap's statement per item also runs others, and is
// reported as one sequence (a loop that reads the challenge and the fields of
// each solve), whose statements include the trap's.
func inSequence(tr *Trap, findings []report.Finding) bool {
	for i := range findings {
		f := &findings[i]
		if f.Type == detect.TypeMNPlusOne && (tr.Route == "" || tr.Route == f.Route) &&
			(tr.Service == "" || tr.Service == f.Service) && (tr.statement == nil || tr.statement.MatchString(f.Statement)) {
			return true
		}
	}
	return false
}

func (tr *Trap) matches(f *report.Finding) bool {
	return tr.Type == f.Type &&
		(tr.Route == "" || tr.Route == f.Route) &&
		(tr.Service == "" || tr.Service == f.Service) &&
		(tr.statement == nil || tr.statement.MatchString(f.Statement))
}

// fixProblem says what is wrong with the finding's fix for this trap, or "".
func fixProblem(language string, tr *Trap, f *report.Finding) string {
	for _, re := range tr.must {
		if !re.MatchString(f.Suggestion) {
			return "does not say " + re.String()
		}
	}
	for _, re := range tr.mustNot {
		if re.MatchString(f.Suggestion) {
			return "says " + re.String()
		}
	}
	if orm := foreign(language, f); orm != "" {
		return "names " + orm + ", of another language"
	}
	return ""
}

// foreign returns an ORM of another language that the finding's fix names
// (or was worded for), or "": by the words of each ORM that internal/suggest
// holds, the list its own tests check every fix against.
func foreign(language string, f *report.Finding) string {
	if f.ORM != "" && !slices.Contains(suggest.ORMsOf(language), f.ORM) {
		return f.ORM
	}
	return suggest.ForeignORM(language, f.Suggestion)
}

// Table is a markdown table of the scores: findings by type, precision,
// recall and fixes right per app, and a total line.
func Table(scores []*Score) string {
	var b strings.Builder
	b.WriteString("| app | findings by type | precision | recall (found/required) | fixes right | other language |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- |\n")
	for _, s := range append(slices.Clone(scores), Total(scores)) {
		var types []string
		for _, typ := range detect.Types {
			if v := s.ByType[typ]; v != nil && v.Findings > 0 {
				types = append(types, fmt.Sprintf("%s %d/%d", typ, v.True, v.Findings))
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f (%d/%d) | %.2f (%d/%d) | %.2f (%d/%d) | %d |\n", s.App,
			strings.Join(types, ", "), s.Precision(), s.True, s.Findings, s.Recall(), s.Found, s.Required,
			s.FixRate(), s.FixRight, s.True, s.Foreign)
	}
	return b.String()
}

// RecallByType is a line per finding type: required traps found over
// required traps, over all the scores.
func RecallByType(scores []*Score) string {
	var b strings.Builder
	for _, typ := range detect.Types {
		req, found := 0, 0
		for _, s := range scores {
			if v := s.ByType[typ]; v != nil {
				req += v.Required
				found += v.Found
			}
		}
		if req > 0 {
			fmt.Fprintf(&b, "%s: %d/%d\n", typ, found, req)
		}
	}
	return b.String()
}

// Problems lists, per app, the false findings, missed traps and wrong fixes.
func Problems(s *Score) string {
	var b strings.Builder
	for _, g := range s.False {
		fmt.Fprintf(&b, "  false ×%d: %s\n", g.Count, g.Key)
	}
	for _, m := range s.Missed {
		fmt.Fprintf(&b, "  missed: %s\n", m)
	}
	for _, g := range s.WrongFixes {
		fmt.Fprintf(&b, "  wrong fix ×%d: %s\n", g.Count, g.Key)
	}
	return b.String()
}

// Total sums the scores of every app.
func Total(scores []*Score) *Score {
	total := &Score{App: "all", ByType: map[string]*TypeScore{}}
	for _, s := range scores {
		total.Findings += s.Findings
		total.True += s.True
		total.Required += s.Required
		total.Found += s.Found
		total.FixRight += s.FixRight
		total.Foreign += s.Foreign
		for k, v := range s.ByType {
			if total.ByType[k] == nil {
				total.ByType[k] = &TypeScore{}
			}
			t := total.ByType[k]
			t.Findings += v.Findings
			t.True += v.True
			t.Required += v.Required
			t.Found += v.Found
		}
	}
	return total
}

// BelowBar lists how the corpus as a whole misses issue 17's bar: precision
// by finding, recall by trap, fixes right, and no fix in another language's
// words in any app.
func BelowBar(scores []*Score) []string {
	var out []string
	t := Total(scores)
	if p := t.Precision(); p < MinPrecision {
		out = append(out, fmt.Sprintf("precision %.3f (%d/%d) is below %.2f", p, t.True, t.Findings, MinPrecision))
	}
	if r := t.Recall(); r < MinRecall {
		out = append(out, fmt.Sprintf("recall %.3f (%d/%d) is below %.2f", r, t.Found, t.Required, MinRecall))
	}
	if f := t.FixRate(); f < MinFixRight {
		out = append(out, fmt.Sprintf("fixes right %.3f (%d/%d) is below %.2f", f, t.FixRight, t.True, MinFixRight))
	}
	for _, s := range scores {
		if s.Foreign > 0 {
			out = append(out, fmt.Sprintf("%s: %d fixes name another language's ORM", s.App, s.Foreign))
		}
	}
	return out
}
