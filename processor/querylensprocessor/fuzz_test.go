package querylensprocessor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/querylens/querylens/internal/contract"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/testsupport/fixtures"
)

// fuzzSeqKey tags each span the fuzzer sends with its place in the input, so
// that spans with the same ids still count apart.
const fuzzSeqKey = "fuzz.seq"

// fuzzStatements are what the fuzzer's database spans run: repeats make
// findings, which the release must carry across whatever structure it gets.
var fuzzStatements = []string{
	"SELECT * FROM authors WHERE id = 1",
	"SELECT * FROM books WHERE author_id = $1",
	"SELECT count(*) FROM books",
	"UPDATE books SET title = ? WHERE id = ?",
	"SELECT * FROM books ORDER BY id LIMIT 20 OFFSET 100000",
	"not sql at all ((( '",
	"",
}

// FuzzRelease sends spans whose shape the fuzzer picks, four bytes a span:
// few trace ids and span ids, so that parents repeat, point at themselves, at
// each other in cycles or at spans that never come; any kind, the OTLP
// remote-parent flags set or not, three services, database statements that
// repeat; in batches cut where the bytes say, split across two senders'
// calls, with a buffer that holds one trace, in both release modes, to a next
// consumer that refuses now and then, or not. Every span must come out exactly
// once, taken or refused for good, each database span with its fingerprint,
// and nothing may stay counted as held.
func FuzzRelease(f *testing.F) {
	f.Add([]byte{0x00, 0x10, 0x00, 0x10, 0x04, 0x21, 0x05, 0x20, 0x04, 0x21, 0x05, 0x30, 0x04, 0x21, 0x05, 0x40})
	f.Add([]byte{0x48, 0x12, 0x01, 0x00, 0xc8, 0x21, 0x06, 0x01, 0x05, 0x11, 0x02, 0x02}) // a cycle, remote flags
	f.Add([]byte{0x01, 0x00, 0x00, 0x00, 0x81, 0x11, 0x01, 0x05, 0x02, 0x11, 0x0a, 0x07}) // zero ids, self parent
	// A request leaves while a span below a missing parent stays, and is
	// joined after a pause.
	f.Add([]byte{0x0d, 0x12, 0x04, 0x01, 0x05, 0x93, 0x04, 0x02, 0x09, 0x01, 0x00, 0x00, 0x8d, 0x34, 0x24, 0x03})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4*400 {
			data = data[:4*400] // bigger inputs find nothing smaller ones do not, slower
		}
		batches, sent := fuzzBatches(data)
		for _, mode := range releaseModes {
			fuzzRelease(t, mode, batches(), sent)
		}
	})
}

func fuzzRelease(t *testing.T, mode string, batches []fuzzBatch, sent int) {
	// An even count of spans goes to a next consumer that refuses now and then
	// (retried), takes part of a release and refuses the rest, and refuses a
	// few for good (counted, not lost); an odd count to one that takes all,
	// as retries' backoff makes a run 30 times slower.
	next := &flakyConsumer{rng: rand.New(rand.NewPCG(uint64(sent), 1)), never: sent%2 == 1}
	proc, _ := newObservedProcessor(t, func(cfg *Config) {
		// Requests leave 1 ms after their local root; spans without one
		// wait until shutdown, unless a second trace or a ninth span of
		// one comes.
		cfg.Release, cfg.NumTraces, cfg.MaxSpansPerTrace = mode, 1, 8
		cfg.WaitDuration, cfg.SettleDuration = time.Hour, time.Millisecond
	}, next)
	ctx := context.Background()
	if err := proc.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	half := len(batches) / 2
	go func() { done <- consumeAll(ctx, proc.ConsumeTraces, batches[half:]) }()
	err := consumeAll(ctx, proc.ConsumeTraces, batches[:half])
	if err2 := <-done; err == nil {
		err = err2
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := proc.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	seen := make([]int, sent)
	fixtures.EachSpan(append(next.accepted, next.permanent...), func(_ pcommon.Resource, s ptrace.Span) {
		v, ok := s.Attributes().Get(fuzzSeqKey)
		if !ok || v.Int() < 0 || v.Int() >= int64(sent) {
			t.Fatalf("%s: a span came out that was not sent: %v", mode, s.Attributes().AsRaw())
		}
		seen[v.Int()]++
		checkFingerprint(t, mode, s)
	})
	for seq, n := range seen {
		if n != 1 {
			t.Fatalf("%s: span %d came out %d times, want once (%d spans sent)", mode, seq, n, sent)
		}
	}
	if held := proc.buffer.held.Load(); held != 0 {
		t.Fatalf("%s: %d bytes still counted as held after shutdown", mode, held)
	}
}

// checkFingerprint fails t when a span that ran a statement came out without
// its fingerprint: whatever the trace's shape, every database span with a
// statement is annotated (an analysis that failed would release it bare).
func checkFingerprint(t *testing.T, mode string, s ptrace.Span) {
	text, ok := s.Attributes().Get("db.query.text")
	if !ok || text.Str() == "" {
		return
	}
	fp, ok := s.Attributes().Get(contract.AttrFingerprint)
	if !ok || sqlnorm.SafeFingerprint(fp.Str()) != fp.Str() {
		t.Fatalf("%s: a database span came out without a fingerprint: %v", mode, s.Attributes().AsRaw())
	}
}

// consumeAll sends batches as a receiver would, again while the processor
// pushes back (a retryable error: its bound is full), after a pause where
// the batch asks for one.
func consumeAll(ctx context.Context, consume func(context.Context, ptrace.Traces) error, batches []fuzzBatch) error {
	for _, b := range batches {
		if b.pause {
			time.Sleep(3 * time.Millisecond) // local roots settle, and leave
		}
		td := b.td
		for try := 0; ; try++ {
			err := consume(ctx, td)
			if err == nil {
				break
			}
			if consumererror.IsPermanent(err) || try == 1000 {
				return fmt.Errorf("a batch refused %d times: %w", try+1, err)
			}
			time.Sleep(time.Millisecond)
		}
	}
	return nil
}

// fuzzBatch is one call's spans, and whether to pause before it.
type fuzzBatch struct {
	td    ptrace.Traces
	pause bool
}

// fuzzBatches reads spans from data, four bytes each:
//
//	byte 0: bits 0-1 trace id (0 is the invalid all-zero id), 2-4 kind,
//	        5 the remote-parent flag known, 6 remote, 7 a new batch from here
//	byte 1: bits 0-3 span id (0 invalid), 4-7 parent span id (0: none)
//	byte 2: bits 0-1 service, 2-4 statement (beyond the list: none), 5 a
//	        pause before the batch this span starts (8 at most)
//	byte 3: start, in 100 µs from the trace's; the duration is 1 ms
//
// It returns a function that builds the batches afresh (each release mode
// gets its own: the processor annotates what it takes), and the spans'
// count.
func fuzzBatches(data []byte) (func() []fuzzBatch, int) {
	n := len(data) / 4
	build := func() []fuzzBatch {
		var batches []fuzzBatch
		var td ptrace.Traces
		services := map[byte]ptrace.SpanSlice{}
		pauses := 0
		for i := 0; i < n; i++ {
			b := data[4*i : 4*i+4]
			if i == 0 || b[0]&0x80 != 0 {
				td = ptrace.NewTraces()
				pause := b[2]&0x20 != 0 && pauses < 8
				if pause {
					pauses++
				}
				batches = append(batches, fuzzBatch{td: td, pause: pause})
				clear(services)
			}
			service := b[2] & 3
			spans, ok := services[service]
			if !ok {
				rs := td.ResourceSpans().AppendEmpty()
				rs.Resource().Attributes().PutStr("service.name", fmt.Sprintf("svc%d", service))
				ss := rs.ScopeSpans().AppendEmpty()
				ss.Scope().SetName("fuzz")
				spans = ss.Spans()
				services[service] = spans
			}
			s := spans.AppendEmpty()
			if t := b[0] & 3; t != 0 {
				s.SetTraceID(pcommon.TraceID{15: t})
			}
			if id := b[1] & 15; id != 0 {
				s.SetSpanID(pcommon.SpanID{7: id})
			}
			if parent := b[1] >> 4; parent != 0 {
				s.SetParentSpanID(pcommon.SpanID{7: parent})
			}
			s.SetKind(ptrace.SpanKind(b[0] >> 2 & 7 % 6))
			var flags uint32
			if b[0]&0x20 != 0 {
				flags |= flagHasIsRemote
				if b[0]&0x40 != 0 {
					flags |= flagIsRemote
				}
			}
			s.SetFlags(flags)
			s.SetName(fmt.Sprintf("op%d", b[1]&15))
			start := pcommon.Timestamp(1_000_000_000 + int64(b[3])*100_000)
			s.SetStartTimestamp(start)
			s.SetEndTimestamp(start + 1_000_000)
			s.Attributes().PutInt(fuzzSeqKey, int64(i))
			if st := int(b[2] >> 2 & 7); st < len(fuzzStatements) {
				s.Attributes().PutStr("db.system.name", "postgresql")
				s.Attributes().PutStr("db.query.text", fuzzStatements[st])
			}
		}
		return batches
	}
	return build, n
}
