package hostile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCorpusIsCommitted: testdata/hostile is what the corpus writes
// (go run ./testdata/generators/hostile after a change here).
func TestCorpusIsCommitted(t *testing.T) {
	var corpus, cases bytes.Buffer
	if err := WriteCorpus(&corpus, &cases); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("..", "..", "..", "testdata", "hostile")
	for name, want := range map[string][]byte{"corpus.json.gz": corpus.Bytes(), "cases.yaml": cases.Bytes()} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("testdata/hostile/%s is not what the corpus writes (%v): go run ./testdata/generators/hostile", name, err)
		}
	}
	if n, systems := len(All(Default)), Systems(All(Default)); n < 150 || systems < 12 {
		t.Errorf("%d statements of %d systems", n, systems)
	}
}
