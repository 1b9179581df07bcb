// Package suggest recognises the ORM behind a finding and words its fix in that
// ORM's own API. Recognition is data (orm.go): the service's language
// (language.go) bounds the candidates, then instrumentation scope names and
// the shape of the SQL the ORM writes pick one. So are the fixes: one
// fix_<type>.go per finding type, in the words of each ORM.
//
// A fix names only what the trace shows: the tables and columns of the
// statements (the key column of a repeated statement, the FROM and the joined
// table, the query's own ORDER BY) and the ORM's real API. What the trace
// cannot show (association, model and property names, the columns the code
// reads) is a placeholder in angle brackets for the user to fill
// (Preload("<association to authors>")), never a name guessed from a table.
// A service gets only its own language's ORMs' words, else the generic fix; a
// loop of writes gets a bulk write, never eager loading; a repeated write is
// said to be repeated, never to be cached.
package suggest

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// Context is what recognition reads of the service that ran the statements.
type Context struct {
	// Language is the resource's telemetry.sdk.language.
	Language string
	// Runtime is the resource's process.runtime.name: the language when
	// Language is not reported.
	Runtime string
	// Scopes are the instrumentation scope names of the service's spans.
	Scopes []string
	// Raw is one raw statement of the finding. It is matched, never written.
	Raw string
	// ServiceRaws are other raw statements of the service in the trace, read
	// when Raw tells no ORM: an ORM's tell is in some of its statements
	// only (Drizzle's default in VALUES). Matched, never written.
	ServiceRaws []string
	// GraphQL is true when the service's spans show a GraphQL server
	// (scope or span names): the loop is a resolver, the fix a batch loader.
	GraphQL bool
	// InputLoop is true when the loop of an n_plus_one walks items the
	// request brings, not rows a query read, so that no query it iterates
	// could load them eagerly: writes of its service come between its
	// repeats (one for every other repeat or more: each item is saved), or it
	// runs in a GraphQL mutation's own resolver (the mutation's input).
	InputLoop bool
}

// dataLoaderFix is added to the fixes of repeats inside a GraphQL server.
const dataLoaderFix = ` In a GraphQL resolver, batch the lookups of one request with a DataLoader: it collects the keys of every parent and runs one query (WHERE id IN (...)) for them.`

// Request is what a fix is worded from.
type Request struct {
	// Type is the finding type; Reason its cause when it has several
	// (over_fetch "returned_rows").
	Type   string
	Reason string
	// Statements are the distinct normalized statements of the finding: one,
	// one iteration's for mn_plus_one, the count and the page for
	// pagination_count.
	Statements []*sqlnorm.Statement
	Context    Context
	// Exception is the qualified class of the ORM exception a
	// lazy_load_out_of_scope rests on, and Lazy what it says was loaded.
	Exception string
	Lazy      detect.LazyLoad
	// Varying are, by statement fingerprint, the columns of a repeated
	// statement's "column = value" predicates whose values differ between
	// its runs, when the statements carry their values: the key that makes
	// one query of them. Names only.
	Varying map[string][]string
	// RowKey is the column that identifies a row of the subject's base
	// table, when another statement of the trace reads the table by it
	// (WHERE id = ?): a page with no ORDER BY pages by it. "" when the
	// trace shows none.
	RowKey string
}

// varyingOf is Varying of one of the request's statements.
func (r Request) varyingOf(st *sqlnorm.Statement) []string {
	if st == nil {
		return nil
	}
	return r.Varying[st.Fingerprint]
}

// keyed is a statement's shape and placeholders, keyed on the column whose
// values differ between its runs when that is not the one its text names
// first (varyingKey).
func keyed(st *sqlnorm.Statement, orm string, varying []string) (Shape, map[string]string) {
	shape, _ := describe(st)
	v := statementVars(st, orm)
	if k, ok := varyingKey(st, varying); ok {
		v["key"], v["qkey"] = k.column, k.qualified
	}
	return varyingShape(shape, st, varying), v
}

// varyingShape is a read's shape keyed on the column whose values differ
// between its runs (varyingKey), for a read by key or foreign key.
func varyingShape(shape Shape, st *sqlnorm.Statement, varying []string) Shape {
	if shape != ShapeByKey && shape != ShapeByForeignKey {
		return shape
	}
	if k, ok := varyingKey(st, varying); ok {
		return keyShape(k.column)
	}
	return shape
}

// Wording is the fix of one finding type in the words of each ORM (by Name;
// "" is the generic fix, for a service whose ORM is not recognised), by the
// shape of its statement; ShapeOther is the fallback for shapes not listed.
// Placeholders in the texts are filled from the statements (vars.go); what
// the trace cannot show is written in angle brackets for the user to fill.
type Wording map[string]map[Shape]string

// fixes holds the wording of each finding type, one fix_<type>.go each,
// with the hooks a type needs beyond its statement (set in the same file).
var fixes = map[string]Wording{}

// shapeHooks pick the wording of a finding type by more than its subject
// statement's own shape (the reason it was found, a loop of writes); a type
// without one is worded by its subject's shape.
var shapeHooks = map[string]func(r Request, subject *sqlnorm.Statement) Shape{}

// shapeByReason words a type by why it was found (detect's Reason); any
// other reason gets ShapeOther.
func shapeByReason(shapes map[string]Shape) func(Request, *sqlnorm.Statement) Shape {
	return func(r Request, _ *sqlnorm.Statement) Shape {
		if shape, ok := shapes[r.Reason]; ok {
			return shape
		}
		return ShapeOther
	}
}

// varHooks fill a finding type's own placeholders beside its subject
// statement's (vars.go).
var varHooks = map[string]func(v map[string]string, r Request, orm string, subject *sqlnorm.Statement){}

// subjectHooks pick the statement a type's fix is about; without one, the
// first.
var subjectHooks = map[string]func(r Request) *sqlnorm.Statement{}

// text is the fix of a statement of this shape in the words of orm, or "".
func (w Wording) text(orm string, shape Shape) string {
	byShape := w[orm]
	if text, ok := byShape[shape]; ok {
		return text
	}
	return byShape[ShapeOther]
}

// Fix returns the fix for a finding, in the words of the recognised ORM (by
// name, "" when none), else generic.
func Fix(r Request) (fix, orm string) {
	if r.Type == detect.TypeNPlusOneAPI {
		fix := apiFix(LanguageOf(r.Context))
		if r.Context.GraphQL {
			fix += dataLoaderFix
		}
		return fix, ""
	}
	o := raiserOf(r)
	if o == nil {
		o = Recognize(r.Context)
	}
	if o != nil {
		orm = o.Name
	}
	subject := subjectOf(r)
	shape := shapeOf(r, subject)
	shape = varyingShape(shape, subject, r.varyingOf(subject))
	if r.Type == detect.TypeNPlusOne && (shape == ShapeByKey || shape == ShapeByForeignKey) && (!o.lazyLoad(subject) || r.Context.InputLoop) {
		shape = ShapeOther // the app's own select per item: no relationship to load eagerly
	}
	wording := fixes[r.Type]
	text := wording.text(orm, shape)
	if text == "" && orm != "" {
		orm = ""
		text = wording.text(orm, shape)
	}
	vars := varsOf(r, orm, subject)
	fix = fill(text, vars) + otherFilters(r.Type, shape, subject, vars["key"]) + captureNote(subject, LanguageOf(r.Context))
	if r.Context.GraphQL && (r.Type == detect.TypeNPlusOne || r.Type == detect.TypeMNPlusOne) && !shape.IsWrite() && shape != ShapeWriteLoop && !r.Context.InputLoop {
		fix += dataLoaderFix // a loader batches a resolver's reads, not a loop over a mutation's input
	}
	return fix, orm
}

// otherFilters reminds the grouped count or aggregate that fixes a count per
// item (n_plus_one) of the conditions of the statement beside its key (TeamMember.teamID = ? AND role = ?): grouped by
// the key alone, the query would count every role.
func otherFilters(typ string, shape Shape, st *sqlnorm.Statement, keyColumn string) string {
	if typ != detect.TypeNPlusOne || shape != ShapeCount && shape != ShapeAggregate {
		return ""
	}
	if st == nil {
		return ""
	}
	var others []string
	for _, m := range conditionRe.FindAllStringSubmatch(st.Where, -1) {
		if c := lastSegment(m[1]); !strings.EqualFold(c, keyColumn) && !conditionWords[strings.ToUpper(c)] && !slices.Contains(others, c) {
			others = append(others, c)
		}
	}
	if len(others) == 0 {
		return ""
	}
	return " Keep its other conditions (" + strings.Join(others, ", ") + ") in the grouped query's filter."
}

// conditionRe finds the column of each comparison in a normalized WHERE
// (sqlnorm's Where: names unquoted, the base table's qualifier dropped).
var conditionRe = regexp.MustCompile(`([A-Za-z_][\w.]*) (?:=|<>|!=|<=|>=|<|>|IN|LIKE|ILIKE|IS) `)

// conditionWords are words conditionRe may take for a column.
var conditionWords = map[string]bool{"AND": true, "OR": true, "NOT": true, "CAST": true, "AS": true, "TEXT": true}

// subjectOf is the statement a fix is about: the type's choice, else the
// first.
func subjectOf(r Request) *sqlnorm.Statement {
	if len(r.Statements) == 0 {
		return nil
	}
	if hook := subjectHooks[r.Type]; hook != nil {
		if st := hook(r); st != nil {
			return st
		}
	}
	return r.Statements[0]
}

// shapeOf picks the wording of a finding: the type's own choice, else its
// subject statement's shape.
func shapeOf(r Request, subject *sqlnorm.Statement) Shape {
	if hook := shapeHooks[r.Type]; hook != nil {
		return hook(r, subject)
	}
	shape, _ := describe(subject)
	return shape
}

// describe is the shape and key of a statement.
func describe(st *sqlnorm.Statement) (Shape, key) {
	if st == nil {
		return ShapeOther, key{}
	}
	if d, ok := described.get(st); ok {
		return d.shape, d.key
	}
	shape, k := classify(st.Command, st.Text, st.IsQuery(), st.Structure) // a summary of a SQL command is SQL
	// A summary shows no WHERE, whatever the query had.
	if shape == ShapeUnkeyed && st.IsCoarse() {
		shape = ShapeOther
	}
	if len(st.Text) <= maxDescribedText {
		described.put(st, description{shape, k})
	}
	return shape, k
}

// described remembers the descriptions of the statements fixes were written
// for lately: a fix describes its statements several times, and the same
// statements come back trace after trace, each description some regular
// expressions over the text. Statements are shared and never modified, so
// one is known by its pointer. The memo keeps the statements it knows alive
// past the statement cache's bound: it holds at most maxDescribed, none
// longer than maxDescribedText (a few MiB at most), and is cleared when full.
var described = descriptions{m: map[*sqlnorm.Statement]description{}}

const (
	maxDescribed     = 2048
	maxDescribedText = 2048
)

type description struct {
	shape Shape
	key   key
}

type descriptions struct {
	mu sync.Mutex
	m  map[*sqlnorm.Statement]description
}

// get returns a description whose key's columns are the caller's own.
func (d *descriptions) get(st *sqlnorm.Statement) (description, bool) {
	d.mu.Lock()
	v, ok := d.m[st]
	d.mu.Unlock()
	v.key.columns = slices.Clone(v.key.columns)
	return v, ok
}

func (d *descriptions) put(st *sqlnorm.Statement, v description) {
	v.key.columns = slices.Clone(v.key.columns)
	d.mu.Lock()
	if len(d.m) >= maxDescribed {
		clear(d.m)
	}
	d.m[st] = v
	d.mu.Unlock()
}

// fill replaces the {name} placeholders of a fix text by their values;
// braces that hold no known name ("{ model: X }", "Book{}") stay.
func fill(text string, vars map[string]string) string {
	if !strings.Contains(text, "{") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 64)
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		j := i + 1
		for j < len(text) && (text[j] >= 'a' && text[j] <= 'z' || text[j] >= 'A' && text[j] <= 'Z') {
			j++
		}
		value, ok := "", j < len(text) && text[j] == '}'
		if ok {
			value, ok = vars[text[i+1:j]]
		}
		if !ok {
			b.WriteByte('{')
			text = text[i+1:]
			continue
		}
		b.WriteString(value)
		text = text[j+1:]
	}
}

// entityTable is the table a statement is about: the first one that is not
// the join table of a many-to-many (books_tags, whose name holds another
// table's: tags). keyColumn, the column the statement is keyed on, names
// the other side when the statement reads the join table by it alone
// (vet_specialties JOIN specialties WHERE vet_specialties.vet_id = ?).
func entityTable(tables []string, keyColumn string) string {
	names := tables
	if entity := keyEntity(keyColumn); entity != "" {
		names = append(slices.Clone(tables), entity)
	}
	for _, t := range tables {
		if !isJoinTable(t, names) {
			return t
		}
	}
	if len(tables) > 0 {
		return tables[0]
	}
	return ""
}

// keyEntity is the table a foreign key column points at by its name
// (vet_id: vet, authorId: author), or "".
func keyEntity(col string) string {
	for _, suffix := range []string{"_id", "_ID", "Id"} {
		if e, ok := strings.CutSuffix(col, suffix); ok && e != "" && !strings.HasSuffix(e, "_") {
			return strings.ToLower(e)
		}
	}
	return ""
}

// isJoinTable: t's name holds the singulars (or the names) of two other of
// the tables (book_tags holds book and tag; user_groups_users holds
// user_group and user; vet_specialties holds specialties). One is not
// enough: user_groups holds user, and is no join table.
func isJoinTable(t string, tables []string) bool {
	if !strings.Contains(t, "_") {
		return false
	}
	name, held := strings.ToLower(lastSegment(t)), 0
	for _, o := range tables {
		other := strings.ToLower(lastSegment(o))
		if o != t && (strings.Contains(name, sqlnorm.Singular(other)) || strings.Contains(name, other)) {
			held++
		}
	}
	return held >= 2
}

func lastSegment(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// appendNew appends s to list unless it holds it.
func appendNew(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
