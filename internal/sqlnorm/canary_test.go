package sqlnorm

import (
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/testsupport/hostile"
)

// checkCanary fails when a piece of the canary is in anything normalizing
// the statement writes, with and without the cache, cut short or not; and,
// uncut, when a name of the statement is lost.
func checkCanary(t *testing.T, c hostile.Case, canary hostile.Canary, other hostile.Case) {
	t.Helper()
	pieces := canaryPieces(canary, other.Statement)
	check := func(what, out string) {
		t.Helper()
		lower := strings.ToLower(out)
		for _, p := range pieces {
			if strings.Contains(lower, p) {
				t.Fatalf("%s: %q of the canary in the %s:\n  %q", c, p, what, out)
			}
		}
	}
	checkStatement := func(how string, st *Statement) {
		t.Helper()
		check(how+" text (the fingerprint's source)", st.Text)
		check(how+" command", st.Command)
		check(how+" tables", strings.Join(st.Tables, " "))
		check(how+" where", st.Where)
	}
	st := Normalize(c.System, c.Statement)
	checkStatement("normalized", st)
	for _, name := range c.Names {
		if !strings.Contains(st.Text, name) {
			t.Errorf("%s: the name %q is lost: %q", c, name, st.Text)
		}
	}
	// The cache, warmed with the same statement of other values, must give
	// this statement its own reading.
	cache, _ := NewCache(8, 1<<16)
	cache.Normalize(other.System, other.Statement)
	if got := cache.Normalize(c.System, c.Statement); !sameStatement(got, st) {
		t.Fatalf("%s: after %q the cache gives\n  %+v\nNormalize\n  %+v", c, other.Statement, *got, *st)
	}
	if !c.Bare {
		check("name gate (a span name or route holding the statement)", SafeName(c.Statement))
	}
	if co := cache.Coarse(c.Statement, "", ""); co != nil && !c.Bare {
		check("summary", co.Text)
	}
	// Cut at every byte: what the cut leaves open is a value or a comment.
	for n := 1; n < len(c.Statement); n++ {
		short, _ := NewCache(8, n)
		checkStatement("cut", short.Normalize(c.System, c.Statement))
		if !c.Bare {
			check("cut name", SafeName(c.Statement[:n]))
		}
	}
}

// canaryPieces are the pieces of the canary not already in the statement
// written with another canary (its template's own words and numbers).
func canaryPieces(canary hostile.Canary, template string) []string {
	lower := strings.ToLower(template)
	var out []string
	for _, p := range canary.Pieces(4) {
		if !strings.Contains(lower, p) {
			out = append(out, p)
		}
	}
	return out
}

var otherCanary = hostile.Canary{Text: "Ab", Number: 2}

// TestCanaryCorpus: the corpus of testdata/hostile, every literal form of
// every system.
func TestCanaryCorpus(t *testing.T) {
	cases, others := hostile.All(hostile.Default), hostile.All(otherCanary)
	if len(cases) < 150 || hostile.Systems(cases) < 12 {
		t.Fatalf("%d statements of %d systems", len(cases), hostile.Systems(cases))
	}
	for i, c := range cases {
		checkCanary(t, c, hostile.Default, others[i])
	}
}

// FuzzCanary puts a canary of the fuzzer's into every literal position of
// every dialect (hostile's forms, in its systems' statements), cut short at
// any byte or not, and fails when a piece of it is in the normalized text,
// the tables, the command, the name gate or the cache's answer.
func FuzzCanary(f *testing.F) {
	for i, system := range hostile.SQLSystems() {
		for k := 0; k < hostile.FormCount(system); k++ {
			f.Add(uint8(i), uint8(k), uint8(k), "QzxJv8Wq", uint64(739128465))
			// Digits read as a number where letters read as a word.
			f.Add(uint8(i), uint8(k), uint8(k), "000000", uint64(739128465))
		}
	}
	f.Add(uint8(255), uint8(0), uint8(3), "Zz", uint64(41))
	f.Fuzz(func(t *testing.T, sys, tmpl, form uint8, text string, number uint64) {
		canary := hostile.CanaryOf(text, number)
		var c, other hostile.Case
		systems := hostile.SQLSystems()
		if int(sys) < len(systems) {
			system := systems[sys]
			c = hostile.SQL(system, int(tmpl), int(form), canary)
			other = hostile.SQL(system, int(tmpl), int(form), otherCanary)
		} else {
			cases, others := hostile.Other(canary), hostile.Other(otherCanary)
			k := int(form) % len(cases)
			c, other = cases[k], others[k]
		}
		checkCanary(t, c, canary, other)
	})
}

// TestQuoteAfterWord: go-sqllexer reads a double quote after a letter as part
// of the word. Where backslashes do not escape (MySQL's NO_BACKSLASH_ESCAPES),
// `"a\"` is a whole string and the quote after the next word opens another
// that runs to the end: what stands there is a value in that reading, and
// goes, as after a single quote.
func TestQuoteAfterWord(t *testing.T) {
	const canary = "QzxJv8Wq"
	cases := []struct{ statement, want string }{
		{`SELECT "a\" x" ` + canary + ` FROM t`, "SELECT ?"},
		{`SELECT id FROM t WHERE name = "O\"Brien" AND note = ` + canary, "SELECT id FROM t WHERE name = ?"},
		{`SELECT id FROM t WHERE name = 'O\'Brien' AND note = ` + canary, "SELECT id FROM t WHERE name = ?"},
	}
	for _, c := range cases {
		st := Normalize("mysql", c.statement)
		if strings.Contains(strings.ToLower(st.Text), strings.ToLower(canary)) || st.Text != c.want {
			t.Errorf("%q: %q, want %q", c.statement, st.Text, c.want)
		}
	}
}
