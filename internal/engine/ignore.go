package engine

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/confmap"

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
	// Problem matches the finding's querylens.problem.id exactly: one trap
	// in one place (type, service, route and fingerprint), acknowledged.
	Problem string `mapstructure:"problem"`
	// Reason says why the findings are acknowledged; reports repeat it.
	Reason string `mapstructure:"reason"`
	// Expires is the last day the rule suppresses (YYYY-MM-DD, UTC): from
	// the next day on its findings are reported again, and so is the rule.
	Expires string `mapstructure:"expires"`
}

// expiresLayout is how an ignore rule's expiry date is written.
const expiresLayout = "2006-01-02"

// Unmarshal reads a rule from the configuration. YAML reads an unquoted
// date (expires: 2026-03-31) as a timestamp: it is taken as the day it
// names.
func (r *IgnoreRule) Unmarshal(conf *confmap.Conf) error {
	raw := conf.ToStringMap()
	if t, ok := raw["expires"].(time.Time); ok {
		raw["expires"] = t.UTC().Format(expiresLayout)
	}
	type plain IgnoreRule // the same fields, without this method
	return confmap.NewFromStringMap(raw).Unmarshal((*plain)(r))
}

// expiry is the first instant the rule no longer suppresses: the day after
// Expires, UTC; zero when it never expires.
func (r *IgnoreRule) expiry() time.Time {
	if r.Expires == "" {
		return time.Time{}
	}
	day, err := time.Parse(expiresLayout, r.Expires)
	if err != nil {
		return time.Time{}
	}
	return day.AddDate(0, 0, 1)
}

// ExpiredAt reports whether the rule has expired at now.
func (r *IgnoreRule) ExpiredAt(now time.Time) bool {
	e := r.expiry()
	return !e.IsZero() && !now.Before(e)
}

// Validate names each field that is wrong and what it allows.
func (r *IgnoreRule) Validate() error {
	var errs []error
	if r.Fingerprint == "" && r.Statement == "" && r.Service == "" && r.CodeFunction == "" && r.Problem == "" {
		errs = append(errs, errors.New("give at least one of problem, fingerprint, statement, service, code_function"))
	}
	if r.Problem != "" && !isHex16(r.Problem) {
		errs = append(errs, fmt.Errorf("problem must be a querylens.problem.id, 16 lowercase hex characters, got %q", r.Problem))
	}
	if r.Expires != "" {
		if _, err := time.Parse(expiresLayout, r.Expires); err != nil {
			errs = append(errs, fmt.Errorf("expires must be a date, YYYY-MM-DD (e.g. 2026-03-31), got %q", r.Expires))
		}
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
	// until is when it expires (zero: never).
	until      time.Time
	suppressed atomic.Int64
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
		out[i] = &ignoreRule{IgnoreRule: r, until: r.expiry()}
		if r.Statement != "" {
			out[i].statement = regexp.MustCompile(r.Statement)
		}
		if r.CodeFunction != "" {
			out[i].function = regexp.MustCompile(r.CodeFunction)
		}
	}
	return out, nil
}

// isHex16 reports whether s is 16 lowercase hex characters, as a problem id.
func isHex16(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (r *ignoreRule) matches(f *detect.Finding, service string, now time.Time) bool {
	return (r.until.IsZero() || now.Before(r.until)) &&
		(r.Problem == "" || r.Problem == f.Problem) &&
		(len(r.Types) == 0 || slices.Contains(r.Types, f.Type)) &&
		(r.Fingerprint == "" || r.Fingerprint == f.Fingerprint) &&
		(r.statement == nil || r.statement.MatchString(f.Statement)) &&
		(r.Service == "" || r.Service == service) &&
		(r.function == nil || f.Code.Function != "" && r.function.MatchString(f.Code.Function))
}

// Suppressed is how many findings one ignore rule suppressed, and whether it
// has expired.
type Suppressed struct {
	Rule  string
	Count int64
	// Reason and Expires are the rule's; Expired is true once it expired.
	Reason, Expires string
	Expired         bool
}

// Suppressed returns what each ignore rule suppressed so far, in their order:
// a rule that never matched is a stale rule; an expired one suppresses no
// more.
func (e *Engine) Suppressed() []Suppressed {
	now := time.Now()
	out := make([]Suppressed, len(e.ignore))
	for i, r := range e.ignore {
		out[i] = Suppressed{Rule: r.Name, Count: r.suppressed.Load(), Reason: r.Reason, Expires: r.Expires,
			Expired: !r.until.IsZero() && !now.Before(r.until)}
	}
	return out
}
