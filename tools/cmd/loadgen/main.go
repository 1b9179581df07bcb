// Command loadgen writes or sends realistic trace traffic: the testdata's ORM
// traces, replayed with fresh ids, mixed with clean traffic if asked.
//
//	loadgen -file big.jsonl -spans 1000000     write OTLP JSON, one request per line
//	loadgen -grpc 127.0.0.1:4317 -orm-share 0.3 -duration 30s -rate 20000
//	                                           send over OTLP/gRPC (what make bench sends)
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/tools/loadgen"
)

func main() {
	file := flag.String("file", "", "write OTLP JSON requests, one per line, to this file")
	spans := flag.Int("spans", 100_000, "stop after this many spans (with -grpc: the spans built ahead of time, sent again and again with new trace ids)")
	perRequest := flag.Int("traces-per-request", 10, "traces per export request")
	seed := flag.Uint64("seed", 1, "random seed")
	ormShare := flag.Float64("orm-share", 1, "share of the traces taken from the testdata; the rest is clean traffic of 20 to 500 spans a trace")
	endpoint := flag.String("grpc", "", "send over OTLP/gRPC to this host:port instead of writing a file")
	duration := flag.Duration("duration", 10*time.Second, "with -grpc: how long to send")
	rate := flag.Float64("rate", 0, "with -grpc: spans per second (0: as fast as the receiver takes them)")
	inFlight := flag.Int("concurrency", 8, "with -grpc: export requests in flight")
	flag.Parse()
	if (*file == "") == (*endpoint == "") {
		flag.Usage()
		os.Exit(2)
	}
	g, err := loadgen.NewMix(*seed, *ormShare)
	if err != nil {
		log.Fatal(err)
	}
	if *endpoint != "" {
		if err := send(g, *endpoint, *spans, *seed, *duration, *rate, *inFlight); err != nil {
			log.Fatal(err)
		}
		return
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

// send builds -spans spans of traffic ahead of time, each trace in 1 to 3
// requests interleaved with others, and sends it (again and again, with new
// trace ids) for duration.
func send(g *loadgen.Mix, endpoint string, spans int, seed uint64, duration time.Duration, rate float64, inFlight int) error {
	corpus, err := loadgen.BuildCorpus(g.Next, loadgen.CorpusOptions{Spans: spans, SpansPerRequest: 512, Seed: seed})
	if err != nil {
		return err
	}
	s, err := loadgen.NewSender(endpoint, corpus, seed)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.RunAt(context.Background(), duration, inFlight, rate); err != nil {
		return err
	}
	seconds := float64(s.Stats.End-s.Stats.Start) / 1e9
	fmt.Printf("%d spans in %d requests sent to %s in %.1f s (%.0f spans/s); %d attempts refused and retried\n",
		s.Stats.Spans.Load(), s.Stats.Requests.Load(), endpoint, seconds, float64(s.Stats.Spans.Load())/seconds, s.Stats.Errors.Load())
	return nil
}
