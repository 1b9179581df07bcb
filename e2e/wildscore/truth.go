// Package wildscore scores querylens's findings on the wild corpus
// (testdata/wild): recorded traffic of real applications, each with a truth
// file of the traps an expert names from reading its code. The tests of the
// command-line tool and of the real binary share it.
package wildscore

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/suggest"
)

// Truth is one application's truth.json.
type Truth struct {
	App        string `json:"app"`
	Repository string `json:"repository"`
	Commit     string `json:"commit"`
	// Language is the app's telemetry.sdk.language.
	Language string `json:"language"`
	ORM      string `json:"orm"`
	// Traces is the recorded file, relative to the app's directory;
	// traces.jsonl.gz when empty.
	Traces string `json:"traces,omitempty"`
	Traps  []Trap `json:"traps"`
	// Dir is the app's directory.
	Dir string `json:"-"`
}

// Trap is one entry of the truth: a kind of finding that is true for this app.
type Trap struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Route     string `json:"route,omitempty"`
	Service   string `json:"service,omitempty"`
	Statement string `json:"statement,omitempty"`
	// Required traps must be found; the others are true when found.
	Required bool `json:"required"`
	Fix      struct {
		Must    []string `json:"must,omitempty"`
		MustNot []string `json:"must_not,omitempty"`
	} `json:"fix"`
	Why string `json:"why"`

	statement     *regexp.Regexp
	must, mustNot []*regexp.Regexp
}

// TracesPath is the path of the app's recorded traces.
func (t *Truth) TracesPath() string {
	name := t.Traces
	if name == "" {
		name = "traces.jsonl.gz"
	}
	return filepath.Join(t.Dir, name)
}

// LoadAll reads every <dir>/*/truth.json, sorted by app directory.
func LoadAll(dir string) ([]*Truth, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*", "truth.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []*Truth
	for _, p := range paths {
		t, err := Load(p)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Load reads and checks one truth file: known finding types and languages,
// unique trap ids, regular expressions that compile.
func Load(path string) (*Truth, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t Truth
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t.Dir = filepath.Dir(path)
	if !slices.Contains(suggest.Languages(), t.Language) {
		return nil, fmt.Errorf("%s: language %q is not one of %v", path, t.Language, suggest.Languages())
	}
	ids := map[string]bool{}
	for i := range t.Traps {
		tr := &t.Traps[i]
		if tr.ID == "" || ids[tr.ID] {
			return nil, fmt.Errorf("%s: trap %d: id %q is empty or not unique", path, i, tr.ID)
		}
		ids[tr.ID] = true
		if !slices.Contains(detect.Types, tr.Type) {
			return nil, fmt.Errorf("%s: trap %s: type %q is not one of %v", path, tr.ID, tr.Type, detect.Types)
		}
		if tr.statement, err = compile(tr.Statement); err != nil {
			return nil, fmt.Errorf("%s: trap %s: statement: %w", path, tr.ID, err)
		}
		for _, list := range []struct {
			src []string
			dst *[]*regexp.Regexp
		}{{tr.Fix.Must, &tr.must}, {tr.Fix.MustNot, &tr.mustNot}} {
			for _, s := range list.src {
				re, err := regexp.Compile(s)
				if err != nil {
					return nil, fmt.Errorf("%s: trap %s: fix: %w", path, tr.ID, err)
				}
				*list.dst = append(*list.dst, re)
			}
		}
	}
	return &t, nil
}

// compile compiles a case-insensitive statement pattern; "" matches any.
func compile(s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, nil
	}
	return regexp.Compile("(?i)" + s)
}
