package querylensprocessor

import (
	"fmt"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/suggest"
	"github.com/querylens/querylens/internal/traceview"
)

// collectorSampled is a logger sampled as the collector samples its own by
// default (service::telemetry::logs::sampling: 10 lines of one message per
// 10 s, then one in 100).
func collectorSampled() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zap.InfoLevel)
	return zap.New(zapcore.NewSamplerWithOptions(core, 10*time.Second, 10, 100)), logs
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// TestEveryFindingLineSurvivesSampling: 100 findings in one second, one line
// each, past the collector's default sampling; the 20 past the bound are
// said in one line.
func TestEveryFindingLineSurvivesSampling(t *testing.T) {
	logger, logs := collectorSampled()
	c := &clock{time.Unix(1000, 0)}
	l := &findingLog{logger: logger, perSecond: 80, now: c.now}
	tr, _ := traceview.New(traceview.TraceID{1}, []traceview.Span{{ID: traceview.SpanID{1}, Service: "shop"}})
	for i := 0; i < 100; i++ {
		l.write(tr, &detect.Finding{Type: detect.TypeNPlusOne, ID: fmt.Sprintf("%016x", i), Count: 5})
	}
	c.t = c.t.Add(time.Second)
	l.write(tr, &detect.Finding{Type: detect.TypeNPlusOne, ID: "next-second", Count: 5})
	if got := logs.FilterMessageSnippet("querylens finding ").Len(); got != 81 {
		t.Errorf("%d finding lines, want 81", got)
	}
	skipped := logs.FilterMessageSnippet("querylens findings not logged").All()
	if len(skipped) != 1 || skipped[0].ContextMap()["findings"] != int64(20) {
		t.Errorf("skipped: %+v", skipped)
	}
	l.flush() // nothing skipped in this second
	if logs.FilterMessageSnippet("querylens findings not logged").Len() != 1 {
		t.Error("flush said skipped findings twice")
	}
}

// TestGapLinePerIntervalAndService: one line per service per interval, with
// the queries since the last line and the ORM's way to the request's context.
func TestGapLinePerIntervalAndService(t *testing.T) {
	logger, logs := collectorSampled()
	c := &clock{time.Unix(1000, 0)}
	l := &gapLog{logger: logger, interval: time.Minute, now: c.now, byService: map[string]*gapCount{}}
	gorm := suggest.Context{Language: "go", Scopes: []string{"gorm.io/plugin/opentelemetry"}}
	for i := 0; i < 50; i++ {
		l.add([]engine.Gap{{Service: "auth", Context: gorm, Queries: 2}, {Service: "billing", Context: gorm, Queries: 1}})
		c.t = c.t.Add(2 * time.Second) // 100 s in all: a second line each
	}
	lines := logs.FilterMessageSnippet("querylens instrumentation gap").All()
	if len(lines) != 4 {
		t.Fatalf("%d gap lines, want 2 per service", len(lines))
	}
	first, second := lines[0].ContextMap(), lines[2].ContextMap()
	if first["service"] != "auth" || first["queries_since_last_line"] != int64(2) || second["queries_since_last_line"] != int64(60) {
		t.Errorf("lines %v, %v", first, second)
	}
	if advice, _ := first["advice"].(string); advice == "" || advice != suggest.ContextAdvice(gorm) {
		t.Errorf("advice %q", advice)
	}
}
