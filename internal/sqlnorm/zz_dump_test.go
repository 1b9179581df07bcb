package sqlnorm

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestZZDump(t *testing.T) {
	out := os.Getenv("DUMP_OUT")
	if out == "" {
		t.Skip()
	}
	var lines []string
	seen := map[string]bool{}
	filepath.Walk("../..", func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			if info != nil && info.IsDir() && (strings.HasPrefix(info.Name(), ".") && p != "../.." || info.Name() == "bin" || info.Name() == "build") {
				return filepath.SkipDir
			}
			return nil
		}
		if !(strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".jsonl") || strings.HasSuffix(p, ".json.gz") || strings.HasSuffix(p, ".jsonl.gz")) || strings.HasSuffix(p, ".expected.json") {
			return nil
		}
		f, _ := os.Open(p)
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(p, ".gz") {
			gz, err := gzip.NewReader(f)
			if err != nil {
				return nil
			}
			r = gz
		}
		data, _ := io.ReadAll(r)
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
		for sc.Scan() {
			var doc any
			if json.Unmarshal(sc.Bytes(), &doc) != nil {
				continue
			}
			walkAttributes(doc, func(attrs map[string]string) {
				text, ok := attrs["db.query.text"]
				if !ok {
					text, ok = attrs["db.statement"]
				}
				system := attrs["db.system.name"]
				if system == "" {
					system = attrs["db.system"]
				}
				if ok && !seen[system+"\x00"+text] {
					seen[system+"\x00"+text] = true
					st := Normalize(system, text)
					lines = append(lines, fmt.Sprintf("%s\t%s\t%q\t%q\t%v\t%+v\t%d", system, st.Fingerprint, text, st.Text, st.Tables, st.Structure, st.Placeholders))
				}
			})
		}
		return nil
	})
	sort.Strings(lines)
	os.WriteFile(out, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	t.Logf("%d statements", len(lines))
}
