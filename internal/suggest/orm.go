package suggest

import "regexp"

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
	SQL *regexp.Regexp
}

// orms are the ORMs querylens recognises, in the order recognition tries
// their SQL.
var orms = []ORM{
	{
		Name: "Django", Language: "python",
		Scopes: []string{"opentelemetry.instrumentation.django"},
		SQL:    regexp.MustCompile(`AS "__count"|"[a-z0-9]+_[a-z0-9_]+"\."id"`),
	},
	{
		Name: "SQLAlchemy", Language: "python",
		Scopes: []string{"opentelemetry.instrumentation.sqlalchemy"},
		SQL:    regexp.MustCompile(`\b(\w+)\.(\w+) AS (\w+)_(\w+)\b|\bAS anon_\d+\b|%\(\w+_\d+\)s`),
	},
	{
		Name: "GORM", Language: "go",
		Scopes: []string{"gorm.io/plugin/opentelemetry"},
		SQL:    regexp.MustCompile("[\"`]deleted_at[\"`] IS NULL|^SELECT \\* FROM `\\w+` WHERE `\\w+`\\.`"),
	},
	// Its SQL aliases every column "Alias"."column" AS "Alias_column", aliases
	// tables without AS (FROM "books" "Book"), writes INSERT INTO
	// "books"("title", ...) without a space, and its query builder spans keep
	// named parameters (:orm_param_0).
	{
		Name: "TypeORM", Language: "nodejs",
		Scopes: []string{"@opentelemetry/instrumentation-typeorm", "opentelemetry-instrumentation-typeorm"},
		SQL:    regexp.MustCompile(`"\w+"\."\w+" AS "\w+_\w+"|\bFROM "\w+" "\w+"|INSERT INTO "\w+"\(|:orm_param_[0-9]+|IN \(:\.\.\.\w+\)`),
	},
	// Its tracing (@prisma/instrumentation) uses the scope "prisma" and span
	// names prisma:client:*; its SQL qualifies every column with the schema
	// ("public"."Book"."id") and names its aggregates "_count$_all".
	{
		Name: "Prisma", Language: "nodejs",
		Scopes: []string{"prisma"},
		SQL:    regexp.MustCompile(`"\w+"\."\w+"\."\w+"|AS "_count\$_all"|"__prisma_data__"|AS "_aggr_count_\w+"`),
	},
	{
		Name: "Sequelize", Language: "nodejs",
		Scopes: []string{"@opentelemetry/instrumentation-sequelize", "opentelemetry-instrumentation-sequelize"},
		SQL:    regexp.MustCompile(`"createdAt"|FROM "\w+" AS "[A-Z]\w*"`),
	},
	{
		Name: "Knex", Language: "nodejs",
		Scopes: []string{"@opentelemetry/instrumentation-knex"},
	},
	// Hibernate, and Spring Data JPA over it.
	{
		Name: "Hibernate", Language: "java",
		Scopes: []string{"io.opentelemetry.hibernate", "io.opentelemetry.spring-data"},
		SQL:    regexp.MustCompile(`\b[a-z]+[0-9]+_[0-9]*_?\.\w+`),
	},
	{
		Name: "ActiveRecord", Language: "ruby",
		Scopes: []string{"OpenTelemetry::Instrumentation::ActiveRecord", "OpenTelemetry::Instrumentation::Rails"},
		SQL:    regexp.MustCompile(`SELECT "(\w+)"\.\* FROM "(\w+)"|/\*application[:=]`),
	},
	// Its SQL (SQL Server provider) aliases every table with a bracketed letter
	// ([b].[Id]), names its parameters @__name_0 and writes inserts with OUTPUT
	// INSERTED behind SET IMPLICIT_TRANSACTIONS OFF.
	{
		Name: "EF Core", Language: "dotnet",
		Scopes: []string{"OpenTelemetry.Instrumentation.EntityFrameworkCore"},
		SQL:    regexp.MustCompile(`\[[a-z][0-9]*\]\.\[\w+\]|@__\w+_[0-9]+\b|\bOUTPUT INSERTED\.|SET IMPLICIT_TRANSACTIONS OFF`),
	},
	// Laravel's query builder writes lowercase keywords and quotes every
	// identifier, with backticks on MySQL
	// (select * from `books` where `books`.`author_id` = ?).
	{
		Name: "Eloquent", Language: "php",
		Scopes: []string{"io.opentelemetry.contrib.php.laravel"},
		SQL:    regexp.MustCompile("^(?:select|insert into|update|delete from) .*[`\"]\\w+[`\"]|count\\(\\*\\) as aggregate"),
	},
	// Its SQL aliases tables with a letter and a number (FROM "books" AS b0,
	// b0."author_id") and preloads with = ANY($1). The Erlang SDK reports
	// telemetry.sdk.language "erlang" for Elixir applications too.
	{
		Name: "Ecto", Language: "erlang",
		Scopes: []string{"opentelemetry_ecto"},
		SQL:    regexp.MustCompile(`\b(?:FROM|JOIN) "\w+" AS [a-z][0-9]+\b|\b[a-z][0-9]+\."\w+"`),
	},
}
