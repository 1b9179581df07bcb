// Command generate writes querylens's Grafana dashboards as JSON files:
// `make dashboards` runs it to refresh dashboards/*.json.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/querylens/querylens/dashboards"
)

func main() {
	out := flag.String("out", "dashboards", "directory the JSON files are written to")
	flag.Parse()
	files, err := dashboards.All()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, f := range files {
		b, err := dashboards.JSON(f.Dashboard)
		if err == nil {
			err = os.WriteFile(filepath.Join(*out, f.Name), b, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(filepath.Join(*out, f.Name))
	}
}
