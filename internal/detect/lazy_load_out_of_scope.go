package detect

import (
	"encoding/binary"
	"encoding/hex"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/querylens/querylens/internal/traceview"
)

// LazyLoadOutOfScopeConfig sets the lazy_load_out_of_scope detector: a
// related object loaded lazily outside the session or request that read its
// parent.
type LazyLoadOutOfScopeConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// MinTemplateRepeats is the fewest runs of one statement under one
	// template rendering span that make a finding: a relation the template
	// reads lazily, once per item. Default 2 (a loop of 5 or more is an
	// n_plus_one already).
	MinTemplateRepeats int `mapstructure:"min_template_repeats"`
	// AfterParentEnded also reports the database queries that start after
	// their parent span ended. Default false: in the recorded applications
	// that is most often no lazy load but work done after the response on
	// purpose (notifications), or the span of an Express handler or of a
	// Node ORM call that ends before the queries it started.
	AfterParentEnded bool `mapstructure:"after_parent_ended"`
}

// Validate names each setting out of range and what it allows.
func (c *LazyLoadOutOfScopeConfig) Validate() error {
	return atLeast("min_template_repeats", c.MinTemplateRepeats, 2)
}

// What a lazy_load_out_of_scope rests on (Finding.Reason).
const (
	// ReasonException: an ORM raised its lazy-load exception (recorded as an
	// exception event on a span).
	ReasonException = "exception"
	// ReasonTemplate: the same query ran again and again under a template
	// rendering span.
	ReasonTemplate = "template"
	// ReasonAfterParentEnded: queries started after their parent span ended.
	ReasonAfterParentEnded = "after_parent_ended"
)

// LazyLoad is what an ORM's exception says was loaded lazily: code names
// only (a model, a relation), never a value of the message.
type LazyLoad struct {
	// Owner is the model whose relation was read (Book), Relation the
	// relation's name (author); Target the related model when the message
	// names only it (Hibernate's proxy of Author).
	Owner, Relation, Target string
}

// lazyLoadError is an exception an ORM raises when a relation is loaded
// lazily where it may not be.
type lazyLoadError struct {
	// Class is its simple name, Qualified its full one as instrumentations
	// record it in exception.type (some record the simple name).
	Class, Qualified string
	// texts are lowercase phrases only its message has, which tell it
	// inside another exception's message (Spring wraps Hibernate's).
	texts []string
	// read reads what was loaded from its message.
	read func(message string) LazyLoad
}

var (
	sqlalchemyDetached  = regexp.MustCompile(`Parent instance <(\w+) at 0x[0-9a-fA-F]+> is not bound to a Session; lazy load operation of attribute '(\w+)'`)
	hibernateCollection = regexp.MustCompile(`(?i)failed to lazily initialize a collection of role: ([\w.$]+)\.(\w+)`)
	hibernateProxy      = regexp.MustCompile(`(?i)could not initialize proxy \[([\w.$]+)#`)
	railsStrictLoading  = regexp.MustCompile("`(\\w+(?:::\\w+)*)` is marked for strict_loading\\. The `?(\\w+(?:::\\w+)*)`? association named `:(\\w+)`")
	laravelLazyLoading  = regexp.MustCompile(`Attempted to lazy load \[(\w+)\] on model \[([\w\\]+)\]`)
)

// lazyLoadErrors are the exceptions of the ORMs that refuse a lazy load out
// of scope: SQLAlchemy on an instance whose session closed, Hibernate on a
// proxy or collection whose session closed, ActiveRecord under
// strict_loading, Eloquent under preventLazyLoading.
var lazyLoadErrors = []lazyLoadError{
	{
		Class: "DetachedInstanceError", Qualified: "sqlalchemy.orm.exc.DetachedInstanceError",
		read: func(m string) LazyLoad {
			if g := sqlalchemyDetached.FindStringSubmatch(m); g != nil {
				return LazyLoad{Owner: g[1], Relation: g[2]}
			}
			return LazyLoad{}
		},
	},
	{
		Class: "LazyInitializationException", Qualified: "org.hibernate.LazyInitializationException",
		texts: []string{"failed to lazily initialize a collection", "could not initialize proxy"},
		read: func(m string) LazyLoad {
			if g := hibernateCollection.FindStringSubmatch(m); g != nil {
				return LazyLoad{Owner: simpleName(g[1]), Relation: g[2]}
			}
			if g := hibernateProxy.FindStringSubmatch(m); g != nil {
				return LazyLoad{Target: simpleName(g[1])}
			}
			return LazyLoad{}
		},
	},
	{
		Class: "StrictLoadingViolationError", Qualified: "ActiveRecord::StrictLoadingViolationError",
		read: func(m string) LazyLoad {
			if g := railsStrictLoading.FindStringSubmatch(m); g != nil {
				return LazyLoad{Owner: g[1], Target: g[2], Relation: g[3]}
			}
			return LazyLoad{}
		},
	},
	{
		Class: "LazyLoadingViolationException", Qualified: `Illuminate\Database\LazyLoadingViolationException`,
		read: func(m string) LazyLoad {
			if g := laravelLazyLoading.FindStringSubmatch(m); g != nil {
				return LazyLoad{Owner: simpleName(g[2]), Relation: g[1]}
			}
			return LazyLoad{}
		},
	},
}

// LazyLoadErrorClasses lists the simple names of the exceptions the detector
// reads, for the fixes' words (each ORM's is recognised by its own).
func LazyLoadErrorClasses() []string {
	out := make([]string, len(lazyLoadErrors))
	for i := range lazyLoadErrors {
		out[i] = lazyLoadErrors[i].Class
	}
	return out
}

// simpleName is the last segment of a qualified class name
// (com.example.Author, Outer$Inner, App\Models\Book, Shop::Book).
func simpleName(name string) string {
	if i := strings.LastIndexAny(name, `.$\:`); i >= 0 {
		return name[i+1:]
	}
	return name
}

// lazyLoadErrorOf returns the lazy-load exception an exception event is, or
// wraps (its class or its own words in the message), if any.
func lazyLoadErrorOf(e traceview.Exception) (*lazyLoadError, bool) {
	for i := range lazyLoadErrors {
		k := &lazyLoadErrors[i]
		if e.Type == k.Qualified || simpleName(e.Type) == k.Class {
			return k, true
		}
	}
	if e.Message == "" {
		return nil, false
	}
	lower := strings.ToLower(e.Message)
	for i := range lazyLoadErrors {
		k := &lazyLoadErrors[i]
		if strings.Contains(e.Message, k.Qualified) {
			return k, true
		}
		for _, text := range k.texts {
			if strings.Contains(lower, text) {
				return k, true
			}
		}
	}
	return nil, false
}

type lazyLoadOutOfScope struct{ cfg LazyLoadOutOfScopeConfig }

// Detect reports, from what the trace gives evidence for: an ORM's
// lazy-load exception recorded on a span (once per request, class and
// relation, on the innermost span that recorded it); the same query run
// again and again under a template rendering span, which is the template
// reading a relation per item; and, when asked, queries that started after
// their parent span had ended. The repeats it reports are no member of a
// finding of higher precedence (an n_plus_one of the same loop).
func (d lazyLoadOutOfScope) Detect(in *Input, claimed Claimed) []Finding {
	findings := exceptionFindings(in.Trace)
	findings = append(findings, d.templateFindings(in, claimed)...)
	if d.cfg.AfterParentEnded {
		findings = append(findings, afterParentFindings(in, claimed)...)
	}
	return findings
}

func exceptionFindings(t *traceview.Trace) []Finding {
	type key struct {
		root  int
		class string
		load  LazyLoad
	}
	var (
		findings []Finding
		index    map[key]int
	)
	for i := range t.Spans {
		for _, e := range t.Spans[i].Exceptions {
			k, ok := lazyLoadErrorOf(e)
			if !ok {
				continue
			}
			load := k.read(e.Message)
			id := key{t.LocalRoot(i), k.Class, load}
			if index == nil {
				index = map[key]int{}
			}
			if n, seen := index[id]; seen {
				// The innermost span that recorded it: where it was raised.
				if depth(t, i) > depth(t, findings[n].Anchor) {
					findings[n].Anchor = i
				}
				continue
			}
			index[id] = len(findings)
			findings = append(findings, Finding{
				Type: TypeLazyLoadOutOfScope, Reason: ReasonException, Count: 1, Anchor: i,
				Exception: k.Qualified, Lazy: load,
				Fingerprint: exceptionFingerprint(k.Class, load), Statement: exceptionStatement(k.Qualified, load),
			})
		}
	}
	for n := range findings {
		f := &findings[n]
		f.TotalDuration = t.Spans[f.Anchor].Duration() // as a finding on one span
		f.ID = findingID(t, f.Type, f.Fingerprint, f.Anchor, nil)
	}
	return findings
}

// exceptionFingerprint stands for the statement of a finding on an
// exception: the class and what was loaded, so that two relations are two
// problems and the same one in every request is one.
func exceptionFingerprint(class string, load LazyLoad) string {
	sum := xxhash.Sum64String("exception\x00" + class + "\x00" + load.Owner + "\x00" + load.Relation + "\x00" + load.Target)
	return hex.EncodeToString(binary.BigEndian.AppendUint64(nil, sum))
}

// exceptionStatement stands for the statement of a finding on an exception,
// as a normalized route does for an n_plus_one_api: the class and what was
// loaded, code names only.
func exceptionStatement(class string, load LazyLoad) string {
	switch {
	case load.Owner != "" && load.Relation != "":
		return class + ": " + load.Owner + "." + load.Relation
	case load.Target != "":
		return class + ": " + load.Target
	}
	return class
}

// depth is the number of ancestors of span i.
func depth(t *traceview.Trace, i int) int {
	n := 0
	eachAncestor(t, i, func(int) bool { n++; return true })
	return n
}

// renderSpans are the spans instrumentations write around rendering a
// template: by scope prefix, and span name (exact, or prefix when it ends in
// a space). Only these: a span that merely has "render" in its name says
// nothing.
var renderSpans = []struct{ scope, name string }{
	// opentelemetry-instrumentation-jinja2: Template.render and .generate.
	{"opentelemetry.instrumentation.jinja2", "jinja2.render"},
	// opentelemetry-instrumentation-action_view: ActiveSupport notifications
	// named after the event.
	{"OpenTelemetry::Instrumentation::ActionView", "render_template.action_view"},
	{"OpenTelemetry::Instrumentation::ActionView", "render_partial.action_view"},
	{"OpenTelemetry::Instrumentation::ActionView", "render_collection.action_view"},
	{"OpenTelemetry::Instrumentation::ActionView", "render_layout.action_view"},
	// The Java agent's Spring MVC view span ("Render <view name>", with
	// otel.instrumentation.common.experimental.view-telemetry.enabled) and
	// its JSP one ("Render <servlet path>").
	{"io.opentelemetry.spring-webmvc-", "Render "},
	{"io.opentelemetry.jsp-", "Render "},
}

// isRender reports whether span s renders a template.
func isRender(s *traceview.Span) bool {
	for _, r := range renderSpans {
		if !strings.HasPrefix(s.Scope, r.scope) {
			continue
		}
		if s.Name == r.name || strings.HasSuffix(r.name, " ") && strings.HasPrefix(s.Name, r.name) {
			return true
		}
	}
	return false
}

// outermostRender is the outermost template rendering span above span i in
// its service (a layout around a partial), or false when none is.
func outermostRender(t *traceview.Trace, i int) (int, bool) {
	service := t.Spans[i].Service
	found, ok := -1, false
	eachAncestor(t, i, func(a int) bool {
		s := &t.Spans[a]
		if s.Service != service {
			return false
		}
		if isRender(s) {
			found, ok = a, true
		}
		return s.Kind != traceview.KindServer && s.Kind != traceview.KindConsumer
	})
	return found, ok
}

func (d lazyLoadOutOfScope) templateFindings(in *Input, claimed Claimed) []Finding {
	if in.repeats().most < d.cfg.MinTemplateRepeats {
		return nil
	}
	t := in.Trace
	var byRender map[int][]int
	for _, c := range in.Calls {
		st := t.Spans[c.Span].DB.Statement
		if claimed[c.Span] || st.Control || st.IsCoarse() || !st.IsQuery() {
			continue
		}
		if r, ok := outermostRender(t, c.Span); ok {
			if byRender == nil {
				byRender = map[int][]int{}
			}
			byRender[r] = append(byRender[r], c.Span)
		}
	}
	var findings []Finding
	for _, r := range sortedKeys(byRender) {
		for _, members := range groupsOfAtLeast(in, byRender[r], d.cfg.MinTemplateRepeats) {
			if len(members) < d.cfg.MinTemplateRepeats || sameVisibleParameters(t, members) {
				continue
			}
			f := groupFinding(t, TypeLazyLoadOutOfScope, t.Spans[r].ID, members)
			f.Reason = ReasonTemplate
			findings = append(findings, f)
		}
	}
	return findings
}

// afterParentFindings reports the data statements that started after their
// parent span (in their service) had ended, one finding per parent and
// statement.
func afterParentFindings(in *Input, claimed Claimed) []Finding {
	t := in.Trace
	var byParent map[int][]int
	for _, c := range in.Calls {
		s := &t.Spans[c.Span]
		if claimed[c.Span] || s.DB.Statement.Control {
			continue
		}
		p, ok := t.Parent(c.Span)
		if !ok || t.Spans[p].Service != s.Service || t.Spans[p].End <= 0 || s.Start <= t.Spans[p].End {
			continue
		}
		if byParent == nil {
			byParent = map[int][]int{}
		}
		byParent[p] = append(byParent[p], c.Span)
	}
	var findings []Finding
	for _, p := range sortedKeys(byParent) {
		for _, members := range bySameFingerprint(in, byParent[p]) {
			f := groupFinding(t, TypeLazyLoadOutOfScope, t.Spans[p].ID, members)
			f.Reason = ReasonAfterParentEnded
			findings = append(findings, f)
		}
	}
	return findings
}

// sortedKeys are a map's span indexes in canonical order.
func sortedKeys(m map[int][]int) []int { return slices.Sorted(maps.Keys(m)) }
