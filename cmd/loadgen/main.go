// Command loadgen writes or sends realistic trace traffic: the testdata's ORM
// traces, replayed with fresh ids.
//
//	loadgen -file big.jsonl -spans 1000000     write OTLP JSON, one request per line
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/loadgen"
)

func main() {
	file := flag.String("file", "", "write OTLP JSON requests, one per line, to this file")
	spans := flag.Int("spans", 100_000, "stop after this many spans")
	perRequest := flag.Int("traces-per-request", 10, "traces per export request")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *file == "" {
		flag.Usage()
		os.Exit(2)
	}
	g, err := loadgen.New(*seed)
	if err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(*file)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	written, traces := 0, 0
	now := time.Now()
	for written < *spans {
		req := ptrace.NewTraces()
		for i := 0; i < *perRequest; i++ {
			td := g.Next(now.Add(time.Duration(traces) * time.Millisecond))
			traces++
			written += td.SpanCount()
			td.ResourceSpans().MoveAndAppendTo(req.ResourceSpans())
		}
		b, err := (&ptrace.JSONMarshaler{}).MarshalTraces(req)
		if err != nil {
			log.Fatal(err)
		}
		_, _ = w.Write(b)
		_ = w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d spans in %d traces written to %s\n", written, traces, *file)
}
