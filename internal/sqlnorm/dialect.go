package sqlnorm

import (
	"strings"

	"github.com/DataDog/go-sqllexer"
)

// Dialect is how a statement is lexed, chosen from the span's db.system(.name).
type Dialect uint8

const (
	// DialectGuess lexes as PostgreSQL unless the statement quotes identifiers with
	// backticks (MySQL style): SQLite, H2 and unknown systems take either.
	DialectGuess Dialect = iota
	DialectPostgres
	DialectMySQL
	DialectSQLServer
	DialectOracle
	DialectDB2
	DialectSnowflake
	// DialectKeyValue is a store whose "statements" are a command and its keys
	// (redis, memcached): only the command is kept, every argument may be a value.
	DialectKeyValue
	// DialectDocument is a store whose statements are JSON or a query language
	// that is not SQL (mongodb, elasticsearch, neo4j, ...).
	DialectDocument
)

// systemsByDialect lists both the current (db.system.name) and older (db.system)
// semantic-convention values. Systems not listed are lexed as SQL with DialectGuess.
var systemsByDialect = map[Dialect][]string{
	DialectPostgres:  {"postgresql", "postgres", "cockroachdb", "redshift", "aws.redshift", "greenplum"},
	DialectMySQL:     {"mysql", "mariadb", "tidb", "vitess"},
	DialectSQLServer: {"mssql", "microsoft.sql_server", "sqlserver"},
	DialectOracle:    {"oracle", "oracle.db"},
	DialectDB2:       {"db2", "ibm.db2"},
	DialectSnowflake: {"snowflake"},
	DialectKeyValue:  {"redis", "valkey", "memcached"},
	DialectDocument: {"mongodb", "elasticsearch", "opensearch", "couchdb", "neo4j", "hbase", "geode",
		"cosmosdb", "azure.cosmosdb", "aws.dynamodb", "dynamodb", "influxdb"},
}

var dialectBySystem = func() map[string]Dialect {
	m := map[string]Dialect{}
	for d, systems := range systemsByDialect {
		for _, s := range systems {
			m[s] = d
		}
	}
	return m
}()

// DialectOf returns the dialect for a db.system / db.system.name value.
func DialectOf(system string) Dialect {
	if d, ok := dialectBySystem[system]; ok {
		return d
	}
	if d, ok := dialectBySystem[strings.ToLower(system)]; ok {
		return d
	}
	return DialectGuess
}

// IsSQL reports whether statements of this dialect go through the SQL lexer.
func (d Dialect) IsSQL() bool { return d < DialectKeyValue }

// lexerDBMS is the go-sqllexer DBMS for a SQL dialect and statement.
func (d Dialect) lexerDBMS(statement string) sqllexer.DBMSType {
	switch d {
	case DialectPostgres:
		return sqllexer.DBMSPostgres
	case DialectMySQL:
		return sqllexer.DBMSMySQL
	case DialectSQLServer:
		return sqllexer.DBMSSQLServer
	case DialectOracle:
		return sqllexer.DBMSOracle
	case DialectDB2:
		return sqllexer.DBMSDB2
	case DialectSnowflake:
		return sqllexer.DBMSSnowflake
	}
	// Read as PostgreSQL, backtick identifiers come out as "` books `" and no
	// tables; read as MySQL, double-quoted identifiers become values.
	if quotesWithBackticks(statement) {
		return sqllexer.DBMSMySQL
	}
	return sqllexer.DBMSPostgres
}

// quotesWithBackticks reports whether a backtick quotes an identifier: one in
// a string literal, a double-quoted identifier or a comment is a value or a
// name, and must not change how the statement is lexed.
func quotesWithBackticks(s string) bool {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '`':
			return true
		case c == '\'':
			i = skipQuoted(s, i, '\'', true)
		case c == '"':
			i = skipQuoted(s, i, '"', false)
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			i = skipLine(s, i)
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			i = skipBlockComment(s, i)
		default:
			i++
		}
	}
	return false
}
