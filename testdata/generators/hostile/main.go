// Command hostile writes testdata/hostile from internal/testsupport/hostile:
//
//	go run ./testdata/generators/hostile
package main

import (
	"bytes"
	"log"
	"os"

	"github.com/querylens/querylens/internal/testsupport/hostile"
)

func main() {
	var corpus, cases bytes.Buffer
	if err := hostile.WriteCorpus(&corpus, &cases); err != nil {
		log.Fatal(err)
	}
	for path, b := range map[string][]byte{"testdata/hostile/corpus.json.gz": corpus.Bytes(), "testdata/hostile/cases.yaml": cases.Bytes()} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
