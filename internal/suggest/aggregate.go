package suggest

import (
	"regexp"
	"strings"

	"github.com/querylens/querylens/internal/sqlnorm"
)

// aggregate is what an aggregate statement (ShapeAggregate) folds, as the
// statement shows it: the function and the column it folds.
type aggregate struct {
	fn            string // sum, avg, min, max, array_agg, ...; "" for a GROUP BY with no aggregate
	table, column string // the column it folds and the table that qualifies it; "" when * or an expression
}

// aggregateCallRe finds a call of one function on one column (or *):
// sum(challenges.value), SUM(DISTINCT "t"."col").
var aggregateCallRe = regexp.MustCompile("(?i)\\b([a-z_]+) ?\\( ?(?:DISTINCT )?((?:[\"`]?[A-Za-z_][\\w$]*[\"`]?\\.)*[\"`]?(?:[A-Za-z_][\\w$]*|\\*)[\"`]?) ?\\)")

// aggregateOf reads the aggregate of a statement.
func aggregateOf(st *sqlnorm.Statement) aggregate {
	if st == nil || st.Aggregate == "" {
		return aggregate{}
	}
	a := aggregate{fn: st.Aggregate}
	for _, m := range aggregateCallRe.FindAllStringSubmatch(st.Text, -1) {
		if !strings.EqualFold(m[1], a.fn) {
			continue
		}
		arg := strings.NewReplacer(`"`, "", "`", "").Replace(m[2])
		if arg != "*" {
			a.column = lastSegment(arg)
			if i := strings.LastIndexByte(arg, '.'); i > 0 {
				a.table = lastSegment(arg[:i])
			}
		}
		break
	}
	return a
}

// nouns name each aggregate in the fixes' prose.
var nouns = map[string]string{"sum": "sum", "avg": "average", "min": "minimum", "max": "maximum"}

// noun is what the fixes call the aggregate: sum, average, ...; aggregate
// for another function or a GROUP BY alone.
func (a aggregate) noun() string {
	if n, ok := nouns[a.fn]; ok {
		return n
	}
	return "aggregate"
}

// common: SUM, AVG, MIN or MAX, which every ORM has an API for.
func (a aggregate) common() bool {
	_, ok := nouns[a.fn]
	return ok
}

// col is the column it folds, or a placeholder.
func (a aggregate) col() string {
	return orDefault(a.column, "<column>")
}

// sql is the aggregate as SQL: sum(challenges.value), array_agg(...); for a
// GROUP BY alone, a placeholder.
func (a aggregate) sql() string {
	switch {
	case a.fn == "":
		return "<columns>"
	case a.column == "":
		return a.fn + "(...)"
	case a.table == "":
		return a.fn + "(" + a.column + ")"
	}
	return a.fn + "(" + a.table + "." + a.column + ")"
}

// of is the column it folds, qualified by what names its table in the
// ORM's query (x., <model of t>.): bound when it is the key's table,
// a placeholder for another.
func (a aggregate) of(keytable, bound, other string) string {
	if a.table == "" || strings.EqualFold(a.table, keytable) {
		return bound + a.col()
	}
	return strings.Replace(other, "{t}", a.table, 1) + a.col()
}

// aggregateAPI words, for each ORM, the call that computes the aggregate
// in its ShapeAggregate fix ({aggAPI}); only the ORM's real API: for an
// aggregate it has none for, the SQL or a placeholder.
var aggregateAPI = map[string]func(a aggregate, table, keytable string) string{
	"Django": func(a aggregate, table, _ string) string {
		class := map[string]string{"sum": "Sum", "avg": "Avg", "min": "Min", "max": "Max", "array_agg": "ArrayAgg",
			"string_agg": "StringAgg", "jsonb_agg": "JSONBAgg", "bool_and": "BoolAnd", "bool_or": "BoolOr",
			"stddev": "StdDev", "variance": "Variance"}[a.fn]
		return "n=" + orDefault(class, "<aggregate>") + `("<relation to ` + orDefault(a.table, table) + `>__` + a.col() + `")`
	},
	"SQLAlchemy": func(a aggregate, _, keytable string) string {
		if a.fn == "" {
			return "the same columns"
		}
		return "func." + a.fn + "(" + a.of(keytable, "<model of "+keytable+">.", "<model of {t}>.") + ")"
	},
	"Prisma": func(a aggregate, _, _ string) string {
		if a.common() {
			return ", _" + a.fn + ": { " + a.col() + ": true }"
		}
		return ", <aggregate fields>"
	},
	"Sequelize": func(a aggregate, _, _ string) string {
		if a.fn == "" {
			return "<columns>"
		}
		return `[fn("` + strings.ToUpper(a.fn) + `", col("` + strings.TrimSuffix(strings.TrimPrefix(a.sql(), a.fn+"("), ")") + `")), "n"]`
	},
	"Drizzle": func(a aggregate, _, _ string) string {
		switch {
		case a.common():
			return a.sql() // its helpers read as the SQL: sum(awards.value)
		case a.fn == "":
			return "<columns>"
		}
		return "sql`" + a.sql() + "`"
	},
	"Knex": func(a aggregate, _, _ string) string {
		switch {
		case a.common():
			return "." + a.fn + `("` + strings.TrimSuffix(strings.TrimPrefix(a.sql(), a.fn+"("), ")") + ` as n")`
		case a.fn == "":
			return ""
		}
		return `.select(knex.raw("` + a.sql() + ` as n"))`
	},
	"Hibernate": func(a aggregate, _, _ string) string {
		if a.common() {
			return "a JPQL or Spring Data @Query selecting " + a.fn + "(...)"
		}
		return "a native @Query"
	},
	"ActiveRecord": func(a aggregate, _, _ string) string {
		method := map[string]string{"sum": "sum", "avg": "average", "min": "minimum", "max": "maximum"}[a.fn]
		if method != "" {
			return method + "(:" + a.col() + ")"
		}
		return "pluck(<columns>)"
	},
	"EF Core": func(a aggregate, _, _ string) string { // over the navigation the text names
		method := map[string]string{"sum": "Sum", "avg": "Average", "min": "Min", "max": "Max"}[a.fn]
		return orDefault(method, "<aggregate>") + "(y => y.<property of " + a.col() + ">)"
	},
	"Eloquent": func(a aggregate, table, _ string) string {
		if a.common() {
			method := map[string]string{"sum": "withSum", "avg": "withAvg", "min": "withMin", "max": "withMax"}[a.fn]
			return method + "('<relation to " + orDefault(a.table, table) + ">', '" + a.col() + "')"
		}
		return "withAggregate('<relation to " + orDefault(a.table, table) + ">', '" + a.col() + "', '" + orDefault(a.fn, "<function>") + "')"
	},
	"Ecto": func(a aggregate, _, keytable string) string {
		if a.common() {
			return a.fn + "(" + a.of(keytable, "x.", "<binding of {t}>.") + ")"
		}
		return `fragment("` + a.sql() + `")`
	},
}

// aggregateVars are the placeholders of an aggregate: {agg} its noun,
// {aggSQL} its SQL, {aggAPI} the ORM's call for it.
func aggregateVars(v map[string]string, orm string, st *sqlnorm.Statement) {
	a := aggregateOf(st)
	v["agg"] = a.noun()
	v["aggSQL"] = a.sql()
	v["aggAPI"] = ""
	if api := aggregateAPI[orm]; api != nil {
		v["aggAPI"] = api(a, v["table"], v["keytable"])
	}
}
