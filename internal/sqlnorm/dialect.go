package sqlnorm

import (
	"strings"

	"github.com/DataDog/go-sqllexer"
)

// Dialect is how a statement is lexed, chosen from the span's db.system(.name).
type Dialect uint8

const (
	// DialectGuess lexes as PostgreSQL unless the statement quotes identifiers with
	// backticks (MySQL style): SQLite, H2 and unknown systems take either. Its
	// reading is the most careful: # and // start comments, backslashes are
	// read both ways, a "x" where a value stands is a value.
	DialectGuess Dialect = iota
	DialectPostgres
	DialectMySQL
	DialectSQLServer
	DialectOracle
	DialectDB2
	DialectSnowflake
	// DialectCassandra is CQL: PostgreSQL's quoting, // comments, unquoted UUIDs.
	DialectCassandra
	// DialectBigQuery is BigQuery, Hive and Spark SQL: backtick names,
	// double-quoted strings, backslash escapes, triple-quoted strings.
	DialectBigQuery
	// dialectNames reads names that may hold a statement of any system (a
	// span named by its SQL): every quote holds a string, every comment of
	// any system is one, backslashes are read both ways.
	dialectNames
	// DialectKeyValue is a store whose "statements" are a command and its keys
	// (redis, memcached): only the command is kept, every argument may be a value.
	DialectKeyValue
	// DialectDocument is a store whose statements are JSON or a query language
	// that is not SQL (mongodb, couchdb, cosmosdb, dynamodb, influxdb, ...).
	DialectDocument
	// DialectSearch is Elasticsearch and OpenSearch: JSON bodies, request
	// lines and Lucene query strings, whose bare words are values.
	DialectSearch
	// DialectGraph is Cypher (neo4j): JSON-like maps, $parameters, labels
	// after ':'.
	DialectGraph
)

// systemsByDialect lists both the current (db.system.name) and older (db.system)
// semantic-convention values. Systems not listed are lexed as SQL with DialectGuess.
var systemsByDialect = map[Dialect][]string{
	DialectPostgres:  {"postgresql", "postgres", "cockroachdb", "redshift", "aws.redshift", "greenplum", "yugabytedb"},
	DialectMySQL:     {"mysql", "mariadb", "tidb", "vitess", "singlestore"},
	DialectSQLServer: {"mssql", "microsoft.sql_server", "sqlserver"},
	DialectOracle:    {"oracle", "oracle.db"},
	DialectDB2:       {"db2", "ibm.db2"},
	DialectSnowflake: {"snowflake"},
	DialectCassandra: {"cassandra", "scylladb", "scylla"},
	DialectBigQuery:  {"bigquery", "gcp.bigquery", "hive", "spark", "spark_sql", "databricks"},
	DialectKeyValue:  {"redis", "valkey", "memcached"},
	DialectDocument: {"mongodb", "couchdb", "hbase", "geode", "cosmosdb", "azure.cosmosdb", "aws.dynamodb",
		"dynamodb", "influxdb", "couchbase"},
	DialectSearch: {"elasticsearch", "opensearch", "solr"},
	DialectGraph:  {"neo4j", "neptune", "aws.neptune", "memgraph"},
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

// isDocument: a statement language that is not SQL, read with the lexer
// (document.go) when it is not JSON.
func (d Dialect) isDocument() bool { return d >= DialectDocument }

// backslashAmbiguous: whether a backslash escapes depends on the server's
// settings, or the system is not known: both readings are made.
func (d Dialect) backslashAmbiguous() bool {
	switch d {
	case DialectGuess, DialectPostgres, DialectMySQL, DialectBigQuery, dialectNames:
		return true
	}
	return false
}

// tripleQuotes: ”'...”' and """...""" are strings.
func (d Dialect) tripleQuotes() bool { return d == DialectBigQuery || d == dialectNames }

// nestsComments: /* /* */ */ is one comment.
func (d Dialect) nestsComments() bool {
	switch d {
	case DialectGuess, DialectPostgres, DialectSQLServer, DialectDB2, DialectSnowflake, dialectNames:
		return true
	}
	return false
}

// slashSlashComments: // starts a comment (H2, Snowflake, CQL, JavaScript, Cypher).
func (d Dialect) slashSlashComments() bool {
	return d == DialectGuess || d == DialectSnowflake || d == DialectCassandra || d == dialectNames || d.isDocument()
}

// dollarPlaceholders: $1 is a placeholder, not a value.
func (d Dialect) dollarPlaceholders() bool {
	switch d {
	case DialectGuess, DialectPostgres, DialectSnowflake, DialectCassandra, DialectGraph, dialectNames:
		return true
	}
	return false
}

// lexerDBMS is the go-sqllexer DBMS for a dialect and statement.
func (d Dialect) lexerDBMS(statement string) sqllexer.DBMSType {
	switch d {
	case DialectPostgres, DialectCassandra:
		return sqllexer.DBMSPostgres
	case DialectMySQL, DialectBigQuery, dialectNames:
		return sqllexer.DBMSMySQL
	case DialectSQLServer:
		return sqllexer.DBMSSQLServer
	case DialectOracle:
		return sqllexer.DBMSOracle
	case DialectDB2:
		return sqllexer.DBMSDB2
	case DialectSnowflake:
		return sqllexer.DBMSSnowflake
	case DialectGuess:
		// Read as PostgreSQL, backtick identifiers come out as "` books `" and no
		// tables; read as MySQL, double-quoted identifiers become values.
		if quotesWithBackticks(statement) {
			return sqllexer.DBMSMySQL
		}
		return sqllexer.DBMSPostgres
	}
	// not SQL: double-quoted and single-quoted strings, backslash escapes
	return sqllexer.DBMSMySQL
}

// quotesWithBackticks reports whether a backtick quotes an identifier: the
// PostgreSQL reading finds one outside strings, quoted names and comments.
func quotesWithBackticks(s string) bool {
	if strings.IndexByte(s, '`') < 0 {
		return false
	}
	lx := sqllexer.New(s, sqllexer.WithDBMS(sqllexer.DBMSPostgres))
	for {
		tok := lx.Scan()
		switch {
		case tok.Type == sqllexer.EOF:
			return false
		case tok.Type == sqllexer.UNKNOWN && tok.Value == "`":
			return true
		}
	}
}
