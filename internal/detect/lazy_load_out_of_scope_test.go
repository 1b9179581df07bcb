package detect

import (
	"fmt"
	"testing"

	"github.com/querylens/querylens/internal/traceview"
)

func lazyOnly() Config {
	c := only(TypeLazyLoadOutOfScope)
	c.LazyLoadOutOfScope.MinTemplateRepeats = 2
	return c
}

// exceptionOn adds an exception event to the span with id.
func (b *traceBuilder) exceptionOn(id byte, typ, message string) *traceBuilder {
	for i := range b.spans {
		if b.spans[i].ID == (traceview.SpanID{id}) {
			b.spans[i].Exceptions = append(b.spans[i].Exceptions, traceview.Exception{Type: typ, Message: message})
		}
	}
	return b
}

// TestLazyLoadExceptions: each ORM's lazy-load exception, as instrumentations
// record it (qualified or simple class, or inside the message of the
// exception that wraps it), is one finding per request on the innermost span
// that recorded it, with what its message says was loaded (code names only).
func TestLazyLoadExceptions(t *testing.T) {
	cases := []struct {
		name, typ, message string
		want               LazyLoad
	}{
		{"SQLAlchemy, as the Python SDK records it", "sqlalchemy.orm.exc.DetachedInstanceError",
			"Parent instance <Book at 0x7fc0b77cf610> is not bound to a Session; lazy load operation of attribute 'author' cannot proceed (Background on this error at: https://sqlalche.me/e/20/bhk3)",
			LazyLoad{Owner: "Book", Relation: "author"}},
		{"SQLAlchemy, simple name (older SDKs)", "DetachedInstanceError",
			"Instance <Book at 0x7f> is not bound to a Session; attribute refresh operation cannot proceed", LazyLoad{}},
		{"Hibernate proxy", "org.hibernate.LazyInitializationException",
			"Could not initialize proxy [com.example.bookshop.Author#1] - no session", LazyLoad{Target: "Author"}},
		{"Hibernate collection", "org.hibernate.LazyInitializationException",
			"failed to lazily initialize a collection of role: com.example.bookshop.Author.books: could not initialize proxy - no Session",
			LazyLoad{Owner: "Author", Relation: "books"}},
		{"Hibernate inside Spring's wrapper", "org.springframework.http.converter.HttpMessageNotWritableException",
			"Could not write JSON: failed to lazily initialize a collection of role: com.example.Author.books, could not initialize proxy - no Session",
			LazyLoad{Owner: "Author", Relation: "books"}},
		{"Hibernate inside a ServletException", "jakarta.servlet.ServletException",
			"Request processing failed: org.hibernate.LazyInitializationException: Could not initialize proxy [com.example.Author#7] - no session",
			LazyLoad{Target: "Author"}},
		{"ActiveRecord strict_loading", "ActiveRecord::StrictLoadingViolationError",
			"`Book` is marked for strict_loading. The `Author` association named `:author` cannot be lazily loaded.",
			LazyLoad{Owner: "Book", Target: "Author", Relation: "author"}},
		{"ActiveRecord strict_loading, Rails 6.1 words", "ActiveRecord::StrictLoadingViolationError",
			"`Author` is marked for strict_loading. The Book association named `:books` cannot be lazily loaded.",
			LazyLoad{Owner: "Author", Target: "Book", Relation: "books"}},
		{"Eloquent preventLazyLoading", `Illuminate\Database\LazyLoadingViolationException`,
			`Attempted to lazy load [author] on model [App\Models\Book] but lazy loading is disabled.`,
			LazyLoad{Owner: "Book", Relation: "author"}},
	}
	for _, c := range cases {
		b := newRoot().span(2, 1, "BookController.list", traceview.KindInternal).lookups(2, 10, 1)
		// Recorded where it was raised and again on the server span.
		b.exceptionOn(2, c.typ, c.message).exceptionOn(1, c.typ, c.message)
		tr := b.build()
		got := Run(New(lazyOnly()), NewInput(tr))
		if len(got) != 1 {
			t.Errorf("%s: %d findings, want 1: %+v", c.name, len(got), got)
			continue
		}
		f := got[0]
		if f.Type != TypeLazyLoadOutOfScope || f.Reason != ReasonException || f.Count != 1 || len(f.Members) != 0 ||
			tr.Spans[f.Anchor].Name != "BookController.list" || f.Lazy != c.want || f.Exception == "" || len(f.Fingerprint) != 16 ||
			f.WastedQueries() != 0 || f.Statement == "" || f.Statement[:len(f.Exception)] != f.Exception {
			t.Errorf("%s: %+v", c.name, f)
		}
	}
}

// TestLazyLoadExceptionsNotOthers: other exceptions, a message that only
// mentions a lazy load in passing, and the class of another library say
// nothing.
func TestLazyLoadExceptionsNotOthers(t *testing.T) {
	for _, e := range []traceview.Exception{
		{Type: "jakarta.servlet.ServletException", Message: "Request processing failed: org.modelmapper.MappingException: ModelMapper mapping errors"},
		{Type: "*common.OidcAccessDeniedError", Message: "You're not allowed to access this service"},
		{Type: "SequelizeDatabaseError", Message: `invalid input syntax for type integer: "Venue 4"`},
		{Type: "sqlalchemy.orm.exc.NoResultFound", Message: "No row was found when one was required"},
		{Type: "ValueError", Message: "lazy loading is fun"},
		{Type: "com.example.DetachedInstanceErrorHandler", Message: ""},
	} {
		b := newRoot().lookups(1, 10, 1)
		b.exceptionOn(1, e.Type, e.Message)
		if got := Run(New(lazyOnly()), NewInput(b.build())); len(got) != 0 {
			t.Errorf("%+v: %+v", e, got)
		}
	}
}

// TestLazyLoadExceptionsPerRequestAndRelation: two requests of one trace are
// two findings; two relations of one request are two, with two
// fingerprints; the same relation in two traces has one fingerprint.
func TestLazyLoadExceptionsPerRequestAndRelation(t *testing.T) {
	msg := func(attr string) string {
		return fmt.Sprintf("Parent instance <Book at 0x1> is not bound to a Session; lazy load operation of attribute '%s' cannot proceed", attr)
	}
	b := newRoot().span(2, 1, "render", traceview.KindInternal).span(3, 0, "GET /authors", traceview.KindServer)
	b.spans[2].Service = "other"
	b.exceptionOn(1, "sqlalchemy.orm.exc.DetachedInstanceError", msg("author")).
		exceptionOn(2, "sqlalchemy.orm.exc.DetachedInstanceError", msg("tags")).
		exceptionOn(3, "sqlalchemy.orm.exc.DetachedInstanceError", msg("author"))
	got := Run(New(lazyOnly()), NewInput(b.build()))
	if len(got) != 3 {
		t.Fatalf("%d findings, want 3: %+v", len(got), got)
	}
	if got[0].Fingerprint == got[1].Fingerprint || got[0].Fingerprint != got[2].Fingerprint || got[0].ID == got[2].ID {
		t.Errorf("fingerprints %s %s %s, ids %s %s", got[0].Fingerprint, got[1].Fingerprint, got[2].Fingerprint, got[0].ID, got[2].ID)
	}
}

// jinjaRender adds a jinja2.render span as opentelemetry-instrumentation-jinja2
// writes it.
func (b *traceBuilder) render(id, parent byte, scope, name string) *traceBuilder {
	b.span(id, parent, name, traceview.KindInternal)
	b.spans[len(b.spans)-1].Scope = scope
	return b
}

// TestLazyLoadInTemplate: a statement run again and again under a template
// rendering span is the template reading a relation per item; a one-off
// query there, a span merely named like one, and a loop an n_plus_one
// already names are no finding of it.
func TestLazyLoadInTemplate(t *testing.T) {
	const jinja = "opentelemetry.instrumentation.jinja2"
	three := newRoot().render(2, 1, jinja, "jinja2.render").lookups(2, 10, 3).
		db(20, 2, `SELECT "settings"."value" FROM "settings" WHERE "settings"."key" = $1`)
	got := Run(New(DefaultConfig()), NewInput(three.build()))
	if len(got) != 1 || got[0].Type != TypeLazyLoadOutOfScope || got[0].Reason != ReasonTemplate || got[0].Count != 3 ||
		got[0].Anchor != 1 || got[0].WastedQueries() != 2 || got[0].Table != "authors" {
		t.Errorf("three lazy loads in a Jinja2 template: %+v", got)
	}
	// ActionView's partial inside its template: anchored on the outermost.
	const av = "OpenTelemetry::Instrumentation::ActionView"
	nested := newRoot().render(2, 1, av, "render_template.action_view").render(3, 2, av, "render_collection.action_view").lookups(3, 10, 2)
	got = Run(New(DefaultConfig()), NewInput(nested.build()))
	if len(got) != 1 || got[0].Count != 2 || got[0].Anchor != 1 {
		t.Errorf("a partial's lazy loads: %+v", got)
	}
	// Spring MVC's view span (view telemetry on).
	spring := newRoot().render(2, 1, "io.opentelemetry.spring-webmvc-6.0", "Render books/list").lookups(2, 10, 2)
	if got = Run(New(DefaultConfig()), NewInput(spring.build())); len(got) != 1 {
		t.Errorf("Spring MVC view: %+v", got)
	}

	for name, b := range map[string]*traceBuilder{
		"one query":            newRoot().render(2, 1, jinja, "jinja2.render").lookups(2, 10, 1),
		"not a template scope": newRoot().render(2, 1, "bookshop", "jinja2.render").lookups(2, 10, 3),
		"not a render span":    newRoot().render(2, 1, jinja, "jinja2.load").lookups(2, 10, 3),
		"below no template":    newRoot().lookups(1, 10, 3),
		"the same values":      newRoot().render(2, 1, jinja, "jinja2.render").db(10, 2, `SELECT 1 FROM t WHERE id = 3`).db(11, 2, `SELECT 1 FROM t WHERE id = 3`).db(12, 2, `SELECT 1 FROM t WHERE id = 3`),
	} {
		for _, f := range Run(New(DefaultConfig()), NewInput(b.build())) {
			if f.Type == TypeLazyLoadOutOfScope {
				t.Errorf("%s: %+v", name, f)
			}
		}
	}
	// A loop of twelve in the template is an n_plus_one, and only that.
	loop := newRoot().render(2, 1, jinja, "jinja2.render").lookups(2, 10, 12)
	got = Run(New(DefaultConfig()), NewInput(loop.build()))
	if len(got) != 1 || got[0].Type != TypeNPlusOne || got[0].Count != 12 {
		t.Errorf("a loop in a template: %+v", got)
	}
}

// TestLazyLoadAfterParentEnded: off by default; when on, queries that start
// after their parent ended are one finding per parent and statement, and
// queries inside their parent's time are none.
func TestLazyLoadAfterParentEnded(t *testing.T) {
	b := newRoot().lookups(1, 10, 2).db(12, 1, `UPDATE tasks SET status = $1 WHERE id = $2`)
	b.spans[0].End = b.spans[1].Start - 1 // the request ended before its queries
	tr := b.build()
	if got := Run(New(DefaultConfig()), NewInput(tr)); len(got) != 0 {
		t.Errorf("off by default: %+v", got)
	}
	cfg := DefaultConfig()
	cfg.LazyLoadOutOfScope.AfterParentEnded = true
	got := Run(New(cfg), NewInput(tr))
	if len(got) != 2 || got[0].Reason != ReasonAfterParentEnded || got[0].Count != 2 || got[1].Count != 1 || got[0].Anchor != 0 {
		t.Errorf("after the parent ended: %+v", got)
	}
	b.spans[0].End = b.spans[len(b.spans)-1].End // the request waited for them
	if got := Run(New(cfg), NewInput(b.build())); len(got) != 0 {
		t.Errorf("inside the parent's time: %+v", got)
	}
}
