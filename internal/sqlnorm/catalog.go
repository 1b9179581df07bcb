package sqlnorm

import "strings"

// catalogSchemas are the schemas in which a database describes itself.
var catalogSchemas = map[string]bool{
	"information_schema": true, "pg_catalog": true, // SQL standard, PostgreSQL
	"mysql": true, "performance_schema": true, "sys": true, // MySQL, MariaDB, SQL Server
}

// catalogTables are the catalogs that have no schema of their own (SQLite's).
var catalogTables = map[string]bool{"sqlite_master": true, "sqlite_schema": true, "sqlite_temp_master": true}

// ReadsOnlyCatalog reports whether every table the statement reads is a
// system catalog: ORMs, drivers and migrators read those to learn the schema
// (Hibernate's "select * from information_schema.sequences" at start-up), not
// the application's data.
func (s *Statement) ReadsOnlyCatalog() bool {
	if len(s.Tables) == 0 {
		return false
	}
	for _, t := range s.Tables {
		parts := strings.Split(strings.ToLower(t), ".")
		name := parts[len(parts)-1]
		if len(parts) >= 2 && catalogSchemas[parts[len(parts)-2]] || catalogTables[name] {
			continue
		}
		return false
	}
	return true
}
