package sqlnorm

import "testing"

// TestCatalogReads: a statement that reads a database's description of itself
// is schema work, in every dialect's spelling; the application's own tables
// are not, schema-qualified or not.
func TestCatalogReads(t *testing.T) {
	cases := []struct {
		dialect, sql string
		want         bool
	}{
		{"postgresql", `select * from information_schema.sequences`, true},
		{"postgresql", `SELECT * FROM "information_schema"."tables" WHERE table_name = 'books'`, true},
		{"mysql", `SELECT * FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'books'`, true},
		{"postgresql", `SELECT c.* FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`, true},
		{"sqlite", `SELECT * FROM sqlite_master WHERE type = 'table'`, true},
		{"mysql", `SELECT * FROM mysql.user`, true},
		// a catalog joined to a table of the application: a migrator's question still
		{"postgresql", `SELECT b.* FROM books b JOIN information_schema.tables t ON t.table_name = 'books'`, true},
		{"postgresql", `SELECT * FROM books`, false},
		{"postgresql", `SELECT * FROM shop.books`, false},
		{"postgresql", `SELECT 1`, false},
	}
	for _, c := range cases {
		st := Normalize(c.dialect, c.sql)
		if st.Catalog != c.want {
			t.Errorf("%s (tables %q): catalog %v, want %v", c.sql, st.Tables, st.Catalog, c.want)
		}
	}
}
