package sqlnorm

import (
	"fmt"
	"os"
	"testing"

	"github.com/querylens/querylens/internal/hostile"
)

func TestZZShow(t *testing.T) {
	if os.Getenv("SHOW") == "" {
		t.Skip()
	}
	for _, c := range hostile.All(hostile.Default) {
		st := Normalize(c.System, c.Statement)
		fmt.Printf("%-22s %-28s %q\n    -> %q   [%s]\n", c.System, c.Form, c.Statement, st.Text, SafeName(c.Statement))
	}
}
