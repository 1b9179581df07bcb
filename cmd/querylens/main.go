// Command querylens analyzes OTLP trace files offline with the engine of the
// querylens processor: the same findings, the same configuration keys.
//
//	querylens analyze [flags] FILE|DIR|- ...
package main

import (
	"fmt"
	"io"
	"os"
)

// version is set by the build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `querylens finds ORM traps (N+1 queries, duplicates, whole rows, deep offsets ...)
in OpenTelemetry traces.

Usage:
  querylens analyze [flags] FILE|DIR|- ...   analyze OTLP trace files
  querylens version                          print the version

Run "querylens analyze -h" for the flags.
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "analyze":
		return analyze(args[1:], stdin, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "querylens", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "querylens: unknown command %q\n\n%s", args[0], usage)
	return 2
}
