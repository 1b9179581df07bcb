package engine

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/querylens/querylens/internal/detect"
)

// IgnoreRule suppresses the findings it matches: every field given must match
// (fields left empty match anything), and at least one must be given.
type IgnoreRule struct {
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

// ignoreRule is an IgnoreRule ready to match.
type ignoreRule struct {
	IgnoreRule
	statement, function *regexp.Regexp
}

func compileIgnore(rules []IgnoreRule) ([]ignoreRule, error) {
	out := make([]ignoreRule, len(rules))
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("ignore[%d]: %w", i, err)
		}
		out[i].IgnoreRule = r
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
