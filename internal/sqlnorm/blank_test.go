package sqlnorm

import (
	"fmt"
	"testing"
)

func TestBlankLiterals(t *testing.T) {
	tests := []struct {
		raw, want string // want "" when raw is refused: its own key, and no entry serves another
	}{
		{`SELECT * FROM "authors" WHERE "authors"."id" = 42 LIMIT 1`, `SELECT * FROM "authors" WHERE "authors"."id" = 0 LIMIT 0`},
		{`SELECT * FROM books WHERE title = 'Dune' AND pages > 3.5e2`, `SELECT * FROM books WHERE title = '' AND pages > 0`},
		{`SELECT * FROM t WHERE name = 'O''Brien'`, `SELECT * FROM t WHERE name = ''`},
		{"SELECT * FROM `events_2024` AS t1 WHERE t1.c2 = 7", "SELECT * FROM `events_2024` AS t1 WHERE t1.c2 = 0"},
		{`SELECT [b].[Id] FROM [Books] AS [b] WHERE [b].[Title] = N'x' AND [b].[Id] = @p1`, `SELECT [b].[Id] FROM [Books] AS [b] WHERE [b].[Title] = N'' AND [b].[Id] = @p1`},
		{`SELECT * FROM books WHERE id = 9 /* traceparent='00-ab-01' */ -- 'x' 12`, `SELECT * FROM books WHERE id = 0 /* traceparent='00-ab-01' */ -- 'x' 12`},
		// Placeholders only, or values already blank: raw is the key.
		{`SELECT * FROM books WHERE id = $1 AND a = %s AND b = %(param_1)s AND c = :name AND d = ?`,
			`SELECT * FROM books WHERE id = $1 AND a = %s AND b = %(param_1)s AND c = :name AND d = ?`},
		{`SELECT * FROM books WHERE id = 0`, `SELECT * FROM books WHERE id = 0`},
		// What the scan does not read for certain: refused.
		{`SELECT * FROM t WHERE path = 'C:\dir'`, ``},
		{"SELECT * FROM t WHERE a = 'x\x00y' AND b = 1", ``},
		{`SELECT $$a 'b' 1$$`, ``},
		{`SELECT * FROM t WHERE a = 0x1F`, ``},
		{`SELECT * FROM t WHERE a = 008`, ``},
		{`SELECT * FROM t WHERE a = 'unterminated`, ``},
		{`SELECT * FROM t WHERE a = q'[it's]'`, ``},
		{`SELECT * FROM t WHERE a = -5`, ``},
		{`SELECT * FROM t WHERE id = 123e4567-e89b-12d3-a456-426614174000`, ``},
	}
	for _, tt := range tests {
		got, _, ok := blankLiterals(tt.raw, DialectGuess, nil, nil)
		if tt.want == "" && ok || tt.want != "" && string(got) != tt.want {
			t.Errorf("blankLiterals(%q) = %q, %v; want %q", tt.raw, got, ok, tt.want)
		}
	}
}

func TestCacheKeyedByShape(t *testing.T) {
	c, _ := NewCache(10, 1<<10)
	first := c.Normalize("postgresql", `SELECT * FROM books ORDER BY id LIMIT 20 OFFSET 40`)
	deep := c.Normalize("postgresql", `SELECT * FROM books ORDER BY id LIMIT 20 OFFSET 5000`)
	if hits, misses := c.Stats(); hits != 1 || misses != 1 {
		t.Fatalf("hits %d, misses %d: two statements of one shape are one entry", hits, misses)
	}
	if first.Fingerprint != deep.Fingerprint || first.Offset.Value != 40 || deep.Offset.Value != 5000 || deep.Limit.Value != 20 {
		t.Errorf("each keeps its own paging: %+v, %+v", first.Offset, deep.Offset)
	}
	if again := c.Normalize("postgresql", `SELECT * FROM books ORDER BY id LIMIT 20 OFFSET 40`); again != first {
		t.Error("the same paging gives another statement")
	}
}

func TestCacheEntriesPerShape(t *testing.T) {
	c, _ := NewCache(100, 1<<10)
	for i := 0; i < 50; i++ { // GORM: new values every time
		c.Normalize("postgresql", fmt.Sprintf(`SELECT * FROM "authors" WHERE "authors"."id" = %d`, i+1))
	}
	if c.Len() != 1 {
		t.Errorf("%d entries for one shape of 50 values, want 1", c.Len())
	}
	django := `SELECT "bookshop_author"."id" FROM "bookshop_author" WHERE "bookshop_author"."id" = %s LIMIT 21`
	for i := 0; i < 3; i++ { // the very statement again: it gets its own entry
		c.Normalize("postgresql", django)
	}
	if hits, misses := c.Stats(); c.Len() != 3 || misses != 2 || hits != 51 {
		t.Errorf("%d entries, %d hits, %d misses; want 3, 51 and 2", c.Len(), hits, misses)
	}
}
