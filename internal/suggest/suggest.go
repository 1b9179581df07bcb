// Package suggest recognises the ORM behind a finding and words its fix in that
// ORM's own API. Recognition is data (orm.go): instrumentation scope names,
// the application's language and the shape of the SQL the ORM writes. So are
// the fixes: one fix_<type>.go per finding type, in the words of each ORM.
package suggest

import (
	"slices"
	"strings"
	"unicode"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// Context is what recognition reads of the service that ran the statements.
type Context struct {
	// Language is the resource's telemetry.sdk.language.
	Language string
	// Scopes are the instrumentation scope names of the service's spans.
	Scopes []string
	// Raw is one raw statement of the finding. It is matched, never written.
	Raw string
	// GraphQL is true when the service's spans show a GraphQL server
	// (scope or span names): the loop is a resolver, the fix a batch loader.
	GraphQL bool
}

// dataLoaderFix is added to the fixes of repeats inside a GraphQL server.
const dataLoaderFix = ` In a GraphQL resolver, batch the lookups of one request with a DataLoader: it collects the keys of every parent and runs one query (WHERE id IN (...)) for them.`

// Recognize returns the ORM behind the context, or nil when none is known.
// A scope name is proof; the SQL's shape counts when the language agrees.
func Recognize(ctx Context) *ORM {
	for i := range orms {
		for _, prefix := range orms[i].Scopes {
			for _, scope := range ctx.Scopes {
				if strings.HasPrefix(scope, prefix) {
					return &orms[i]
				}
			}
		}
	}
	for i := range orms {
		o := &orms[i]
		if o.SQL != nil && ctx.Raw != "" && (ctx.Language == "" || ctx.Language == o.Language) && o.SQL.MatchString(ctx.Raw) {
			return o
		}
	}
	return nil
}

// Request is what a fix is worded from.
type Request struct {
	// Type is the finding type; Reason its cause when it has several
	// (over_fetch "returned_rows").
	Type   string
	Reason string
	// Statements are the normalized statements of the finding: one, or one
	// iteration's for mn_plus_one.
	Statements []*sqlnorm.Statement
	Context    Context
}

// Wording is the fix of one finding type in the words of each ORM (by Name;
// "" is the generic fix, for a service whose ORM is not recognised), by the
// shape of its statement; ShapeOther is the fallback for shapes not listed.
// Placeholders in the texts are filled from the statement: {table} its table,
// {rel} the to-one relation (author), {rels} the collection (books),
// {Rel}/{Rels} the same capitalized, {Model} the model class (Book), {fk} the
// foreign-key column the statement is keyed on; in an mn_plus_one fix,
// {eager} the eager pieces of every statement of one iteration.
type Wording map[string]map[Shape]string

// fixes holds the wording of each finding type, one fix_<type>.go each.
var fixes = map[string]Wording{}

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
		fix := apiFix(r.Context.Language)
		if r.Context.GraphQL {
			fix += dataLoaderFix
		}
		return fix, ""
	}
	if o := Recognize(r.Context); o != nil {
		orm = o.Name
	}
	var first *sqlnorm.Statement
	if len(r.Statements) > 0 {
		first = r.Statements[0]
	}
	shape, column, table := describe(first)
	if r.Reason == detect.ReasonReturnedRows {
		shape = ShapeManyRows
	}
	wording := fixes[r.Type]
	text := wording.text(orm, shape)
	if text == "" && orm != "" {
		orm = ""
		text = wording.text(orm, shape)
	}
	if strings.Contains(text, "{eager}") {
		text = strings.ReplaceAll(text, "{eager}", eagerPieces(orm, r.Statements))
	}
	fix = fill(text, orm, table, column) + captureNote(first, r.Context.Language)
	if r.Context.GraphQL && (r.Type == detect.TypeNPlusOne || r.Type == detect.TypeMNPlusOne) {
		fix += dataLoaderFix
	}
	return fix, orm
}

// describe is the shape, key column and entity table of a statement.
func describe(st *sqlnorm.Statement) (Shape, string, string) {
	if st == nil {
		return ShapeOther, "", ""
	}
	shape, column := Classify(st.Command, st.Text, st.IsQuery()) // a summary of a SQL command is SQL
	return shape, column, entityTable(st.Tables)
}

// eagerPieces words how to load what each statement of one iteration reads,
// in the words of orm.
func eagerPieces(orm string, statements []*sqlnorm.Statement) string {
	var pieces []string
	for _, st := range statements {
		shape, column, table := describe(st)
		piece, ok := eager[orm][shape]
		if !ok {
			piece = eager[orm][ShapeOther]
		}
		piece = fill(piece, orm, table, column)
		if !slices.Contains(pieces, piece) {
			pieces = append(pieces, piece)
		}
	}
	sep := ", "
	if orm == "GORM" { // chained calls: db.Preload("Author").Preload("Tags")
		sep = "."
	}
	return strings.Join(pieces, sep)
}

// fill replaces the placeholders of a fix text with names derived from the
// statement's table and key column.
func fill(text, orm, table, column string) string {
	if !strings.Contains(text, "{") {
		return text
	}
	if i := strings.LastIndexByte(table, '.'); i >= 0 {
		table = table[i+1:]
	}
	entity := table
	if orm == "Django" { // Django names tables <app>_<model>
		if _, model, ok := strings.Cut(entity, "_"); ok {
			entity = model
		}
	}
	if entity == "" {
		entity = "related"
	}
	one := lowerFirst(sqlnorm.Singular(entity))
	many := lowerFirst(plural(entity))
	fk := column
	if fk == "" {
		fk = one + "_id"
	}
	var b strings.Builder
	b.Grow(len(text) + 32)
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
			switch text[i+1 : j] {
			case "table":
				value = orDefault(table, "table")
			case "rel":
				value = one
			case "rels":
				value = many
			case "Rel", "Model":
				value = upperFirst(camel(one))
			case "Rels":
				value = upperFirst(camel(many))
			case "fk":
				value = fk
			default:
				ok = false
			}
		}
		if !ok { // not a placeholder: "{ model: Author }", "Book{}"
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
// table's: tags).
func entityTable(tables []string) string {
	for _, t := range tables {
		if !isJoinTable(t, tables) {
			return t
		}
	}
	if len(tables) > 0 {
		return tables[0]
	}
	return ""
}

func isJoinTable(t string, tables []string) bool {
	if !strings.Contains(t, "_") {
		return false
	}
	for _, o := range tables {
		if o != t && strings.Contains(strings.ToLower(t), strings.ToLower(sqlnorm.Singular(o))) {
			return true
		}
	}
	return false
}

func plural(s string) string {
	if strings.HasSuffix(s, "s") {
		return s
	}
	if strings.HasSuffix(s, "y") && len(s) > 1 && !strings.ContainsRune("aeiou", rune(s[len(s)-2])) {
		return s[:len(s)-1] + "ies"
	}
	return s + "s"
}

// camel turns snake_case into camelCase.
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		parts[i] = upperFirst(parts[i])
	}
	return strings.Join(parts, "")
}

func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

func lowerFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToLower(r)) + s[i+len(string(r)):]
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
