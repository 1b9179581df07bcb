package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/hostile"
)

// TestHostileInput: each file querylens analyze once died on, ran out of
// memory on or called clean, is bad input: exit 2, a message naming the
// file and what is wrong, the memory of one request at most.
func TestHostileInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	gz := func(data []byte) []byte {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(data)
		_ = zw.Close()
		return b.Bytes()
	}
	framed := func(msg []byte) []byte { return append(binary.BigEndian.AppendUint32(nil, uint32(len(msg))), msg...) }
	newlines := gz(bytes.Repeat([]byte("\n"), 100<<20)) // about 100 KB of gzip
	cases := []struct {
		name string
		data []byte
		args []string
		want string
	}{
		{"million-levels.pb", hostile.NestedProto(1_000_000), nil, "nested deeper than 64 levels"},
		{"million-levels-framed.pb", framed(hostile.NestedProto(1_000_000)), nil, "nested deeper than 64 levels"},
		{"million-levels.json", hostile.NestedJSON(1_000_000), nil, "nested deeper than 208 levels of JSON"},
		{"million-levels.json.gz", gz(hostile.NestedJSON(1_000_000)), nil, "nested deeper than 208 levels of JSON"},
		{"newlines.json.gz", newlines, nil, "holds no OTLP request"},
		{"zeros.pb", make([]byte, 1<<20), nil, "no request"},
		{"empty.json", nil, nil, "holds no OTLP request"},
		{"empty-requests.json", []byte("{}\n{}\n"), nil, "holds no OTLP request"},
		{"long-line.json", []byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"` +
			strings.Repeat("x", 200_000) + `"}}]}}]}` + "\n"), []string{"--max-line-bytes", "100000"}, "a request longer than 100000 bytes"},
	}
	if len(newlines) > 200<<10 {
		t.Fatalf("the gzip of newlines is %d bytes", len(newlines))
	}
	for _, c := range cases {
		path := write(c.name, c.data)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		code, _, stderr := runCLI(t, "", append(append([]string{"analyze", "--quiet"}, c.args...), path)...)
		runtime.ReadMemStats(&after)
		if code != exitBadInput || !strings.Contains(stderr, path+": ") || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 naming the file and %q", c.name, code, stderr, c.want)
		}
		// At most the request's own bytes a few times, never the file's
		// decompressed size.
		if grown := after.TotalAlloc - before.TotalAlloc; grown > uint64(4*len(c.data)+64<<20) {
			t.Errorf("%s: reading it allocated %d MB", c.name, grown>>20)
		}
	}
}
