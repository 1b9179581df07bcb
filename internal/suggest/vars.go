package suggest

import (
	"strings"
	"unicode"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
)

// The placeholders of the fix texts, all filled from the statements:
//
//	{table}     the table the statement is about (the entity, not a
//	            many-to-many's join table)
//	{key}       the column it is keyed on (author_id); {qkey} as the
//	            statement writes it (books.author_id); {keytable} the table
//	            that holds it; {unique} the unique columns of an upsert
//	            (<unique columns: user_id, key>: those a get-or-create
//	            looks up), {uniqueNote} the same said in passing, or ""
//	{model}     <model of {table}>: the user's model class, not guessed
//	{parent}    a paged_to_many_join's FROM table; {child} the joined
//	            to-many table
//	{order}     a deep_offset's ORDER BY as SQL; {orderList} in the ORM's
//	            API; {cols} its columns; {after} the condition past the
//	            last row seen (:last_email), {afterQ} with ? for the values;
//	            {tiebreak} what to add when the order may tie
//	{tables}    the tables of an mn_plus_one's iteration; {eager} how to
//	            load each for all items; {written} the tables its writes
//	            write (not those it only reads); {writes} how to write them
//	            at once
//	{agg}       an aggregate's noun (sum, average, ...); {aggSQL} its SQL
//	            (sum(challenges.value)); {aggAPI} the ORM's call for it
//	{loaded}    what a lazy-load exception says was read (Book.author);
//	            {owner} and {rel} the model and relation to load eagerly;
//	            {exception} its class
//
// What the trace cannot show stays in angle brackets in the texts
// (<association to {table}>).

// varsOf fills the placeholders of a finding's fix: its subject
// statement's, and the type's own.
func varsOf(r Request, orm string, subject *sqlnorm.Statement) map[string]string {
	_, v := keyed(subject, orm, r.varyingOf(subject))
	if hook := varHooks[r.Type]; hook != nil {
		hook(v, r, orm, subject)
	}
	return v
}

// statementVars are the placeholders one statement fills, in the words of
// orm where they name its API.
func statementVars(st *sqlnorm.Statement, orm string) map[string]string {
	return statementVarsLookup(st, orm, nil)
}

// statementVarsLookup is statementVars with the columns an upsert's rows
// are looked up by, when the trace shows them.
func statementVarsLookup(st *sqlnorm.Statement, orm string, lookup []string) map[string]string {
	shape, k := describe(st)
	if lookup == nil && shape == ShapeUpdate {
		lookup = k.columns // the row an UPDATE writes is the one its WHERE names
	}
	table := ""
	var tables []string
	if st != nil {
		tables = st.Tables
		table = lastSegment(entityTable(tables, k.column))
	}
	keytable := table
	if q, _, ok := strings.Cut(k.qualified, "."); ok {
		for _, t := range tables {
			if strings.EqualFold(lastSegment(t), lastSegment(q)) {
				keytable = lastSegment(t)
			}
		}
	}
	table = orDefault(table, "<table>")
	v := map[string]string{
		"table":      table,
		"key":        orDefault(k.column, "<key column>"),
		"qkey":       orDefault(k.qualified, "<key column>"),
		"keytable":   orDefault(keytable, table),
		"model":      "<model of " + table + ">",
		"unique":     "<unique columns>",
		"uniqueNote": "",
	}
	if len(lookup) > 0 {
		lookup = primaryKeyAlone(lookup)
		cols := strings.Join(lookup, ", ")
		v["unique"] = "<unique columns: " + cols + ">"
		v["uniqueNote"] = " (over a unique index on " + cols + ")"
	}
	if shape == ShapeAggregate {
		aggregateVars(v, orm, st)
	}
	if orm == "Prisma" && isPascalCase(table) {
		// Prisma names a model's table after the model unless @@map says
		// otherwise: a PascalCase table is the model, its client accessor
		// the same name in lower camel case.
		v["model"] = strings.ToLower(table[:1]) + table[1:]
	}
	return v
}

// isPascalCase reports whether a name is an identifier in PascalCase:
// an upper-case ASCII letter, then letters and digits only.
func isPascalCase(name string) bool {
	if name == "" || name[0] < 'A' || name[0] > 'Z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		if c := name[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// primaryKeyAlone is id alone when the columns a row is looked up by hold
// it: id is the primary key, unique by itself; the others beside it scope
// the lookup (WHERE id = ? AND project_id = ?) and need no unique index
// with it, which an ON CONFLICT target would.
func primaryKeyAlone(cols []string) []string {
	for _, c := range cols {
		if strings.EqualFold(c, "id") {
			return []string{c}
		}
	}
	return cols
}

// orderVars are a deep_offset's placeholders: the page's own order.
func orderVars(v map[string]string, orm string, items []orderItem) {
	v["order"] = sqlOrder(items)
	v["orderList"] = ormOrder(orm, items)
	v["cols"] = columnsOf(items)
	v["after"] = afterLast(items, namedBind)
	v["afterQ"] = afterLast(items, positionalBind)
	v["tiebreak"] = ""
	if len(items) > 0 && !uniqueOrder(items) {
		v["tiebreak"] = " If " + columnsOf(items) + " can repeat, add the primary key to the order and to the condition as a tiebreaker, or rows that tie are skipped or repeated."
	}
}

// loopVars are an mn_plus_one's placeholders: the tables of one iteration,
// how to load each for all items (a loop of reads) and how to write them at
// once (a loop of writes).
func loopVars(v map[string]string, orm string, statements []*sqlnorm.Statement, varying map[string][]string) {
	var data []*sqlnorm.Statement
	var tables []string
	for _, st := range statements {
		if st == nil || st.Control {
			continue
		}
		data = append(data, st)
		for _, t := range st.Tables {
			tables = appendNew(tables, lastSegment(t))
		}
	}
	v["tables"] = orDefault(strings.Join(tables, ", "), "several tables")
	v["written"] = orDefault(strings.Join(writtenTables(data), ", "), v["tables"])
	v["eager"] = eagerPieces(orm, data, tables, varying)
	v["writes"] = writePieces(orm, data)
}

// eagerPieces words how to load what each read of one iteration reads for
// all items, in the words of orm: the reads by key or foreign key as eager
// loads in the ORM's call (eagerWrap), then the counts and other reads,
// batched (a read on another column is no relation to load). A read of a many-to-many's join table alone goes with the
// read of the table behind it.
func eagerPieces(orm string, statements []*sqlnorm.Statement, tables []string, varying map[string][]string) string {
	var loads, batched []string
	for _, st := range statements {
		if len(st.Tables) == 1 && isJoinTable(lastSegment(st.Tables[0]), tables) {
			continue
		}
		shape, vars := keyed(st, orm, varying[st.Fingerprint])
		if shape.IsWrite() {
			continue
		}
		if shape == ShapeUnkeyed {
			batched = appendNew(batched, fill(unkeyedPiece, vars))
			continue
		}
		piece, ok := eager[orm][shape]
		if !ok {
			piece = eager[orm][ShapeOther]
		}
		piece = fill(piece, vars)
		if shape == ShapeByKey || shape == ShapeByForeignKey {
			loads = appendNew(loads, piece)
		} else {
			batched = appendNew(batched, piece)
		}
	}
	var parts []string
	if len(loads) > 0 {
		wrap := eagerWrap[orm]
		parts = append(parts, strings.Replace(wrap.call, "{items}", strings.Join(loads, wrap.sep), 1))
	}
	return strings.Join(append(parts, batched...), "; ")
}

// unkeyedPiece is how any ORM loads a read with nothing to look up by: the
// same query in every iteration.
const unkeyedPiece = `the {table} query once before the loop (it is the same in every iteration)`

// writePieces words how to write what each write of one iteration writes,
// for all items at once, as the n_plus_one of that write would say it. An
// INSERT into a table the iteration also reads by key is a get-or-create:
// its fix is an upsert.
func writePieces(orm string, statements []*sqlnorm.Statement) string {
	read := map[string][]string{} // table -> the columns a read looks it up by
	for _, st := range statements {
		if shape, k := describe(st); !shape.IsWrite() && shape != ShapeCount && shape != ShapeAggregate && len(st.Tables) == 1 {
			t := strings.ToLower(st.Tables[0])
			if _, seen := read[t]; !seen {
				read[t] = k.columns
			}
		}
	}
	var pieces []string
	for _, st := range statements {
		shape, _ := describe(st)
		if !shape.IsWrite() {
			continue
		}
		var lookup []string
		if (shape == ShapeInsert || shape == ShapeUpsert) && len(st.Tables) > 0 {
			if cols, ok := read[strings.ToLower(st.Tables[0])]; ok {
				shape, lookup = ShapeUpsert, cols
			}
		}
		text := fixes[detect.TypeNPlusOne].text(orm, shape)
		text = strings.TrimPrefix(text, orm+": ")
		pieces = appendNew(pieces, lowerFirst(fill(text, statementVarsLookup(st, orm, lookup))))
	}
	return strings.Join(pieces, " ")
}

// writtenTables are the tables the writes among statements write: each
// one's first table, the one after INSERT INTO, UPDATE or DELETE FROM (the
// others it names, in a subquery or a join, it only reads).
func writtenTables(statements []*sqlnorm.Statement) []string {
	var out []string
	for _, st := range statements {
		if shape, _ := describe(st); shape.IsWrite() && len(st.Tables) > 0 {
			out = appendNew(out, lastSegment(st.Tables[0]))
		}
	}
	return out
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
