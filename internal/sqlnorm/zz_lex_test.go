package sqlnorm

import (
	"fmt"
	"testing"

	"github.com/DataDog/go-sqllexer"
)

func BenchmarkZZLexOnly(b *testing.B) {
	s := fmt.Sprintf(`SELECT * FROM "authors" WHERE "authors"."id" = %d AND "authors"."name" = 'author %d' ORDER BY "authors"."id" LIMIT 1`, 17, 17)
	n := 0
	for b.Loop() {
		l := sqllexer.New(s, sqllexer.WithDBMS(sqllexer.DBMSPostgres))
		for {
			t := l.Scan()
			if t.Type == sqllexer.EOF {
				break
			}
			n++
		}
	}
	_ = n
}
func BenchmarkZZBlank(b *testing.B) {
	s := fmt.Sprintf(`SELECT * FROM "authors" WHERE "authors"."id" = %d AND "authors"."name" = 'author %d' ORDER BY "authors"."id" LIMIT 1`, 17, 17)
	buf := make([]byte, 0, 512)
	for b.Loop() {
		blankLiterals(s, DialectPostgres, buf, nil)
	}
}
