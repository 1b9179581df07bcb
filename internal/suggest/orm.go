package suggest

import (
	"regexp"
	"slices"
	"strings"

	"github.com/querylens/querylens/internal/sqlnorm"
)

// ORM is how one ORM is recognised in a trace. Adding an ORM is adding a
// value to orms and its words to each fix_<type>.go, not a code path.
type ORM struct {
	Name string
	// Language is the resource's telemetry.sdk.language of its applications.
	Language string
	// Scopes are instrumentation scope name prefixes that only its
	// applications emit (the ORM's own instrumentation, or its framework's).
	Scopes []string
	// SQL matches statements only this ORM writes; nil when it has no tell.
	// It is read only for a service of the ORM's language.
	SQL *regexp.Regexp
	// Words match its name and the APIs only it has, as a fix writes them
	// (case-sensitive): no fix for a service of another language may match.
	Words *regexp.Regexp
	// LazyLoadError is the qualified class of the exception it raises on a
	// lazy load out of scope, which proves it; "" when it has none.
	LazyLoadError string
	// LazyLoad matches the normalized statements its lazy loads run, when
	// they have a shape of their own; nil when they have none. A select by
	// key without it is one the code runs itself per item: one query with
	// IN fixes it, not an eager load of a relationship.
	LazyLoad *regexp.Regexp
}

// lazyLoad reports whether a statement may be a lazy load of the ORM: always,
// unless the ORM's lazy loads have a shape the statement lacks.
func (o *ORM) lazyLoad(st *sqlnorm.Statement) bool {
	return o == nil || o.LazyLoad == nil || st == nil || o.LazyLoad.MatchString(st.Text)
}

// raiserOf is the ORM that raised the exception a finding rests on, when it
// is of the service's language; nil otherwise.
func raiserOf(r Request) *ORM {
	if r.Exception == "" {
		return nil
	}
	language := LanguageOf(r.Context)
	for i := range orms {
		if o := &orms[i]; o.LazyLoadError == r.Exception && o.Language == language {
			return o
		}
	}
	return nil
}

// Recognize returns the ORM behind the context, or nil when none is known.
// Only ORMs of the service's language (LanguageOf) are candidates: a scope
// of the ORM proves it, else the SQL's shape tells it, the finding's own
// statement first, then the service's others; a service whose language is
// unknown gets no ORM.
func Recognize(ctx Context) *ORM {
	language := LanguageOf(ctx)
	if language == "" {
		return nil
	}
	for i := range orms {
		if orms[i].Language != language {
			continue
		}
		for _, prefix := range orms[i].Scopes {
			for _, scope := range ctx.Scopes {
				if strings.HasPrefix(scope, prefix) {
					return &orms[i]
				}
			}
		}
	}
	if o := recognizeSQL(language, ctx.Raw); o != nil {
		return o
	}
	for _, raw := range ctx.ServiceRaws {
		if o := recognizeSQL(language, raw); o != nil {
			return o
		}
	}
	return nil
}

// recognizeSQL is the first ORM of language whose SQL tell raw holds.
func recognizeSQL(language, raw string) *ORM {
	if raw == "" {
		return nil
	}
	for i := range orms {
		if o := &orms[i]; o.Language == language && o.SQL != nil && o.SQL.MatchString(raw) {
			return o
		}
	}
	return nil
}

// ForeignORM returns the first ORM (by name) of another language than
// language whose words text holds, or "": no fix may name one.
func ForeignORM(language, text string) string {
	var names []string
	for i := range orms {
		if orms[i].Language != language && orms[i].Words.MatchString(text) {
			names = append(names, orms[i].Name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	slices.Sort(names)
	return names[0]
}

// ORMsOf returns the names of the ORMs of a language, in recognition order.
func ORMsOf(language string) []string {
	var out []string
	for i := range orms {
		if orms[i].Language == language {
			out = append(out, orms[i].Name)
		}
	}
	return out
}

// Languages returns the languages of the ORMs querylens knows, sorted.
func Languages() []string {
	var out []string
	for i := range orms {
		if !slices.Contains(out, orms[i].Language) {
			out = append(out, orms[i].Language)
		}
	}
	slices.Sort(out)
	return out
}

// orms are the ORMs querylens recognises, in the order recognition tries
// their SQL.
var orms = []ORM{
	{
		Name: "Django", Language: "python",
		Scopes: []string{"opentelemetry.instrumentation.django"},
		SQL:    regexp.MustCompile(`AS "__count"|"[a-z0-9]+_[a-z0-9_]+"\."id"`),
		Words:  regexp.MustCompile(`\bDjango\b|select_related|prefetch_related|bulk_create`),
	},
	{
		Name: "SQLAlchemy", Language: "python",
		Scopes:        []string{"opentelemetry.instrumentation.sqlalchemy"},
		SQL:           regexp.MustCompile(`\b(\w+)\.(\w+) AS (\w+)_(\w+)\b|\bAS anon_\d+\b|%\(\w+_\d+\)s`),
		Words:         regexp.MustCompile(`\bSQLAlchemy\b|selectinload|joinedload|subqueryload`),
		LazyLoadError: `sqlalchemy.orm.exc.DetachedInstanceError`,
		// Its lazy loader (and the legacy Query) labels every column,
		// books.author_id AS books_author_id; a 2.0-style select(),
		// session.get and session.refresh write them bare.
		LazyLoad: regexp.MustCompile(`\b\w+\.\w+ AS \w+_\w+\b`),
	},
	{
		Name: "GORM", Language: "go",
		Scopes: []string{"gorm.io/plugin/opentelemetry"},
		SQL:    regexp.MustCompile("[\"`]deleted_at[\"`] IS NULL|^SELECT \\* FROM `\\w+` WHERE `\\w+`\\.`"),
		Words:  regexp.MustCompile(`\bGORM\b|\bPreload\(|CreateInBatches|db\.Joins\(`),
	},
	// bun quotes every name and aliases each table AS its model's name,
	// lower case (FROM "thread_mutes" AS "thread_mute"); its OpenTelemetry
	// hook records its scope.
	{
		Name: "bun", Language: "go",
		Scopes: []string{"github.com/uptrace/bun"},
		SQL:    regexp.MustCompile("\\bFROM [\"`]\\w+[\"`] AS [\"`][a-z_][a-z0-9_]*[\"`]"),
		Words:  regexp.MustCompile(`\bbun\.In\(|\.Relation\(|NewSelect\(\)|NewInsert\(\)|^bun:`),
	},
	// Its SQL aliases every column "Alias"."column" AS "Alias_column" (in
	// backticks on MySQL), aliases tables without AS (FROM "books" "Book"),
	// writes INSERT INTO
	// "books"("title", ...) without a space, and its query builder spans keep
	// named parameters (:orm_param_0).
	{
		Name: "TypeORM", Language: "nodejs",
		Scopes: []string{"@opentelemetry/instrumentation-typeorm", "opentelemetry-instrumentation-typeorm"},
		SQL: regexp.MustCompile("[\"`]\\w+[\"`]\\.[\"`]\\w+[\"`] AS [\"`]\\w+_\\w+[\"`]|\\bFROM [\"`]\\w+[\"`] [\"`]\\w+[\"`]|" +
			"INSERT INTO [\"`]\\w+[\"`]\\(|:orm_param_[0-9]+|IN \\(:\\.\\.\\.\\w+\\)"),
		Words: regexp.MustCompile(`\bTypeORM\b|leftJoinAndSelect|\brelations: ?\[`),
	},
	// Its tracing (@prisma/instrumentation) uses the scope "prisma" and span
	// names prisma:client:*; its SQL qualifies every column with the schema
	// ("public"."Book"."id") and names its aggregates "_count$_all".
	{
		Name: "Prisma", Language: "nodejs",
		Scopes: []string{"prisma"},
		SQL:    regexp.MustCompile(`"\w+"\."\w+"\."\w+"|AS "_count\$_all"|"__prisma_data__"|AS "_aggr_count_\w+"`),
		Words:  regexp.MustCompile(`\bPrisma\b|createMany`),
	},
	// Drizzle writes lowercase SQL: every column not given as default in
	// VALUES, table aliases without AS (from "task" "taskTable"), its
	// relational queries as left join lateral (select ... json_build_array),
	// and a single table's columns unqualified in the select list but
	// qualified in the where clause. Its own tracer (scope drizzle-orm) is
	// off in its releases; @kubiks/otel-drizzle records spans of its own.
	{
		Name: "Drizzle", Language: "nodejs",
		Scopes: []string{"drizzle-orm", "@kubiks/otel-drizzle"},
		SQL: regexp.MustCompile("\\) values \\((?:[^()]*, )?default[,)]|\\bleft join lateral \\(select |\\bfrom [\"`]\\w+[\"`] [\"`]\\w+[\"`]|" +
			"^select \"\\w+\"(?:, \"\\w+\")* from \"\\w+\" where \\(?\"\\w+\"\\.\"\\w+\""),
		Words: regexp.MustCompile(`\bDrizzle\b|\binArray\(|onConflictDo(?:Update|Nothing)\(|db\.query\.\w+\.findMany`),
	},
	{
		Name: "Sequelize", Language: "nodejs",
		Scopes: []string{"@opentelemetry/instrumentation-sequelize", "opentelemetry-instrumentation-sequelize"},
		// "createdAt" counts in the SQL it writes, with uppercase keywords: raw
		// SQL of any app may name a camelCase column (umami's Prisma app).
		SQL:   regexp.MustCompile("(?s)^\\s*(?:SELECT|INSERT INTO|UPDATE|DELETE FROM) .*[\"`]createdAt[\"`]|FROM [\"`]\\w+[\"`] AS [\"`][A-Z]\\w*[\"`]"),
		Words: regexp.MustCompile(`\bSequelize\b|bulkCreate|\binclude: ?\[|separate: ?true`),
	},
	{
		Name: "Knex", Language: "nodejs",
		Scopes: []string{"@opentelemetry/instrumentation-knex"},
		Words:  regexp.MustCompile(`\b[Kk]nex\b`),
	},
	// Hibernate, and Spring Data JPA over it.
	{
		Name: "Hibernate", Language: "java",
		Scopes:        []string{"io.opentelemetry.hibernate", "io.opentelemetry.spring-data"},
		SQL:           regexp.MustCompile(`\b[a-z]+[0-9]+_[0-9]*_?\.\w+`),
		Words:         regexp.MustCompile(`\bHibernate\b|JOIN FETCH|@EntityGraph|@BatchSize|\bJPA\b|Spring Data`),
		LazyLoadError: `org.hibernate.LazyInitializationException`,
	},
	{
		Name: "ActiveRecord", Language: "ruby",
		Scopes:        []string{"OpenTelemetry::Instrumentation::ActiveRecord", "OpenTelemetry::Instrumentation::Rails"},
		SQL:           regexp.MustCompile(`SELECT "(\w+)"\.\* FROM "(\w+)"|/\*application[:=]`),
		Words:         regexp.MustCompile(`\bActiveRecord\b|\bRails\b|\bincludes\(|eager_load`),
		LazyLoadError: `ActiveRecord::StrictLoadingViolationError`,
	},
	// Its SQL (SQL Server provider) aliases every table with a bracketed letter
	// ([b].[Id]), names its parameters @__name_0 and writes inserts with OUTPUT
	// INSERTED behind SET IMPLICIT_TRANSACTIONS OFF.
	{
		Name: "EF Core", Language: "dotnet",
		Scopes: []string{"OpenTelemetry.Instrumentation.EntityFrameworkCore"},
		SQL:    regexp.MustCompile(`\[[a-z][0-9]*\]\.\[\w+\]|@__\w+_[0-9]+\b|\bOUTPUT INSERTED\.|SET IMPLICIT_TRANSACTIONS OFF`),
		Words:  regexp.MustCompile(`\bEF Core\b|\.Include\(|AsSplitQuery|AddRange`),
	},
	// Laravel's query builder writes lowercase keywords and quotes every
	// identifier, with backticks on MySQL
	// (select * from `books` where `books`.`author_id` = ?).
	{
		Name: "Eloquent", Language: "php",
		Scopes:        []string{"io.opentelemetry.contrib.php.laravel"},
		SQL:           regexp.MustCompile("^(?:select|insert into|update|delete from) .*[`\"]\\w+[`\"]|count\\(\\*\\) as aggregate"),
		Words:         regexp.MustCompile(`\bEloquent\b|\bLaravel\b|->with\(`),
		LazyLoadError: `Illuminate\Database\LazyLoadingViolationException`,
	},
	// Its SQL aliases tables with a letter and a number (FROM "books" AS b0,
	// b0."author_id") and preloads with = ANY($1). The Erlang SDK reports
	// telemetry.sdk.language "erlang" for Elixir applications too.
	{
		Name: "Ecto", Language: "erlang",
		Scopes: []string{"opentelemetry_ecto"},
		SQL:    regexp.MustCompile(`\b(?:FROM|JOIN) "\w+" AS [a-z][0-9]+\b|\b[a-z][0-9]+\."\w+"`),
		Words:  regexp.MustCompile(`\bEcto\b|Repo\.(preload|insert_all)`),
	},
}
