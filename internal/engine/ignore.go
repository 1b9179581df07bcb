package engine

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/querylens/querylens/internal/detect"
)

// IgnoreRule suppresses the findings it matches: every field given must match
// (fields left empty match anything), and at least one must be given.
type IgnoreRule struct {
	// Name labels the rule in the processor's metrics and logs; default its
	// index in the list.
	Name string `mapstructure:"name"`
	// Fingerprint matches the finding's querylens.fingerprint exactly.
	Fingerprint string `mapstructure:"fingerprint"`
	// Statement is a regular expression (RE2) matched against the normalized
	// statement.
	Statement string `mapstructure:"statement"`
	// Service matches the service.name of the span that carries the finding.
	Service string `mapstructure:"service"`
	// CodeFunction is a regular expression (RE2) matched against the
	// code.function(.name) of the finding's spans: a call site.
	CodeFunction string `mapstructure:"code_function"`
	// Types limits the rule to these finding types; empty means all.
	Types []string `mapstructure:"types"`
}

// Validate names each field that is wrong and what it allows.
func (r *IgnoreRule) Validate() error {
	var errs []error
	if r.Fingerprint == "" && r.Statement == "" && r.Service == "" && r.CodeFunction == "" {
		errs = append(errs, errors.New("give at least one of fingerprint, statement, service, code_function"))
	}
	if _, err := regexp.Compile(r.Statement); err != nil {
		errs = append(errs, fmt.Errorf("statement is not a regular expression: %w", err))
	}
	if _, err := regexp.Compile(r.CodeFunction); err != nil {
		errs = append(errs, fmt.Errorf("code_function is not a regular expression: %w", err))
	}
	for _, t := range r.Types {
		if !slices.Contains(detect.Types, t) {
			errs = append(errs, fmt.Errorf("types: %q is not a finding type; allowed: %s", t, strings.Join(detect.Types, ", ")))
		}
	}
	return errors.Join(errs...)
}

// ignoreRule is an IgnoreRule ready to match, with what it suppressed.
type ignoreRule struct {
	IgnoreRule
	statement, function *regexp.Regexp
	suppressed          atomic.Int64
}

func compileIgnore(rules []IgnoreRule) ([]*ignoreRule, error) {
	out := make([]*ignoreRule, len(rules))
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("ignore[%d]: %w", i, err)
		}
		if r.Name == "" {
			r.Name = strconv.Itoa(i)
		}
		out[i] = &ignoreRule{IgnoreRule: r}
		if r.Statement != "" {
			out[i].statement = regexp.MustCompile(r.Statement)
		}
		if r.CodeFunction != "" {
			out[i].function = regexp.MustCompile(r.CodeFunction)
		}
	}
	return out, nil
}

func (r *ignoreRule) matches(f *detect.Finding, service string) bool {
	return (len(r.Types) == 0 || slices.Contains(r.Types, f.Type)) &&
		(r.Fingerprint == "" || r.Fingerprint == f.Fingerprint) &&
		(r.statement == nil || r.statement.MatchString(f.Statement)) &&
		(r.Service == "" || r.Service == service) &&
		(r.function == nil || f.Code.Function != "" && r.function.MatchString(f.Code.Function))
}

// Suppressed is how many findings one ignore rule suppressed.
type Suppressed struct {
	Rule  string
	Count int64
}

// Suppressed returns what each ignore rule suppressed so far, in their order:
// a rule that never matched is a stale rule.
func (e *Engine) Suppressed() []Suppressed {
	out := make([]Suppressed, len(e.ignore))
	for i, r := range e.ignore {
		out[i] = Suppressed{Rule: r.Name, Count: r.suppressed.Load()}
	}
	return out
}
