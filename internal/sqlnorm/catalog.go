package sqlnorm

import "strings"

// catalogSchemas are the schemas of the databases' own catalogues: an ORM's
// migrator and a driver's introspection read them, never the application.
var catalogSchemas = map[string]bool{
	"information_schema": true, "pg_catalog": true, "sys": true, "mysql": true,
	"performance_schema": true, "sqlite_master": true, "sqlite_schema": true,
	"sqlite_temp_master": true, "sqlite_sequence": true,
}

// catalogCommands read or change the schema or the server, not the data.
var catalogCommands = map[string]bool{
	"PRAGMA": true, "SHOW": true, "DESCRIBE": true, "DESC": true, "EXPLAIN": true,
	"CREATE": true, "ALTER": true, "DROP": true, "TRUNCATE": true, "COMMENT": true,
	"ANALYZE": true, "VACUUM": true, "GRANT": true, "REVOKE": true,
}

// isCatalog reports whether a statement is schema work: it reads the
// database's catalogue (information_schema, pg_catalog, sqlite_master, a pg_
// table), is a schema or server command (PRAGMA, SHOW, CREATE, ALTER ...),
// or is a column probe, SELECT * FROM t LIMIT 1 with no filter, which GORM's
// and other migrators run to learn a table's columns. Its traps are a tool's,
// not the application's.
func isCatalog(st *Statement, first string) bool {
	if catalogCommands[first] {
		return true
	}
	for _, t := range st.Tables {
		t = strings.ToLower(unquote(t))
		schema, name, qualified := strings.Cut(t, ".")
		if catalogSchemas[t] || qualified && catalogSchemas[schema] || strings.HasPrefix(name, "pg_") ||
			!qualified && (strings.HasPrefix(t, "pg_") || strings.HasPrefix(t, "sqlite_")) {
			return true
		}
	}
	s := st.Structure
	return first == "SELECT" && s.SelectsAll && s.Where == "" && s.Base != "" && !s.JoinsToMany &&
		s.Limit.Literal && s.Limit.Value == 1 && !s.Offset.Present && len(st.Tables) == 1
}
