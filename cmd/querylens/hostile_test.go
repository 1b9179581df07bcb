package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/querylens/querylens/internal/testsupport/hostile"
)

// TestHostileInput: each file querylens analyze once died on, ran out of
// memory on or called clean, is bad input: exit 2, a message naming the
// file and what is wrong, the memory of one request at most.
func TestHostileInput(t *testing.T) {
	dir := t.TempDir()
	files := append(hostile.BadFiles(), hostile.BadFile{Name: "long-line.json",
		Data: []byte(`{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"` +
			strings.Repeat("x", 200_000) + `"}}]}}]}` + "\n"), Reason: "a request longer than 100000 bytes"})
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if err := os.WriteFile(path, f.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"analyze", "--quiet", path}
		if f.Name == "long-line.json" {
			args = []string{"analyze", "--quiet", "--max-line-bytes", "100000", path}
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		code, _, stderr := runCLI(t, "", args...)
		runtime.ReadMemStats(&after)
		if code != exitBadInput || !strings.Contains(stderr, path+": ") || !strings.Contains(stderr, f.Reason) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 naming the file and %q", f.Name, code, stderr, f.Reason)
		}
		// At most the request's own bytes a few times, never the file's
		// decompressed size.
		if grown := after.TotalAlloc - before.TotalAlloc; grown > uint64(4*len(f.Data)+64<<20) {
			t.Errorf("%s: reading it allocated %d MB", f.Name, grown>>20)
		}
	}
}
