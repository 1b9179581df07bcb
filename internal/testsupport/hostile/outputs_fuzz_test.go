package hostile_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/querylens/querylens/connector/querylensconnector"
	"github.com/querylens/querylens/extension/querylensextension"
	"github.com/querylens/querylens/internal/engine"
	"github.com/querylens/querylens/internal/livepage"
	"github.com/querylens/querylens/internal/testsupport/hostile"
	"github.com/querylens/querylens/internal/traceview"
	"github.com/querylens/querylens/processor/querylensprocessor"
)

// page is the findings page as the processor finds it among the host's
// extensions.
type page struct {
	component.StartFunc
	component.ShutdownFunc
	*livepage.Store
}

func (p page) RecordTrace(t *traceview.Trace, res engine.Result, analyzedAt time.Time) {
	p.Record(livepage.FromAnalysis(t, res, analyzedAt))
}

var _ querylensextension.TraceRecorder = page{}

type host map[component.ID]component.Component

func (h host) GetExtensions() map[component.ID]component.Component { return h }

// outputs runs traces through the processor, with the findings page among
// the extensions and the connector after it, and returns everything
// querylens wrote: what it put into the spans (querylens.* attributes,
// finding events), its log, the page and its API, the metric labels.
func outputs(t *testing.T, maxLength int, traces ...ptrace.Traces) map[string]string {
	t.Helper()
	ctx := context.Background()
	core, logs := observer.New(zap.DebugLevel)
	set := processortest.NewNopSettings(component.MustNewType("querylens"))
	set.Logger = zap.New(core)
	cfg := querylensprocessor.NewFactory().CreateDefaultConfig().(*querylensprocessor.Config)
	cfg.WaitDuration = time.Hour // released at shutdown
	cfg.Statements.MaxLength = maxLength
	sink := new(consumertest.TracesSink)
	proc, err := querylensprocessor.NewFactory().CreateTraces(ctx, set, cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	store := livepage.NewStore(100, 64<<20)
	if err := proc.Start(ctx, host{component.MustNewID("querylens"): page{Store: store}}); err != nil {
		t.Fatal(err)
	}
	for _, td := range traces {
		if err := proc.ConsumeTraces(ctx, td); err != nil {
			t.Fatal(err)
		}
	}
	if err := proc.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	out := map[string]string{}
	var spans strings.Builder
	for _, td := range sink.AllTraces() {
		rss := td.ResourceSpans()
		for i := 0; i < rss.Len(); i++ {
			for j := 0; j < rss.At(i).ScopeSpans().Len(); j++ {
				ss := rss.At(i).ScopeSpans().At(j).Spans()
				for k := 0; k < ss.Len(); k++ {
					s := ss.At(k)
					for key, v := range s.Attributes().All() {
						if strings.HasPrefix(key, "querylens.") {
							fmt.Fprintf(&spans, "%s=%s\n", key, v.AsString())
						}
					}
					for e := 0; e < s.Events().Len(); e++ {
						for key, v := range s.Events().At(e).Attributes().All() {
							fmt.Fprintf(&spans, "event %s=%s\n", key, v.AsString())
						}
					}
				}
			}
		}
	}
	out["span attributes and events"] = spans.String()

	var log strings.Builder
	for _, e := range logs.All() {
		b, _ := json.Marshal(e.ContextMap())
		fmt.Fprintf(&log, "%s %s\n", e.Message, b)
	}
	out["log"] = log.String()

	h := livepage.NewHandler(store, livepage.Settings{Concurrent: 4, Live: 4})
	for _, path := range []string{"/", "/problems", "/routes", "/fingerprints", "/api/requests", "/api/findings", "/api/problems"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		body, _ := io.ReadAll(rec.Body)
		out["page "+path] = string(body)
	}
	for _, r := range store.Recent() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/requests/"+r.TraceID, nil))
		body, _ := io.ReadAll(rec.Body)
		out["page /requests/"+r.TraceID] = string(body)
	}

	metrics := new(consumertest.MetricsSink)
	conn, err := querylensconnector.NewFactory().CreateTracesToMetrics(ctx,
		connectortest.NewNopSettings(component.MustNewType("querylens")),
		querylensconnector.NewFactory().CreateDefaultConfig(), metrics)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Start(ctx, componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	for _, td := range sink.AllTraces() {
		_ = conn.ConsumeTraces(ctx, td)
	}
	_ = conn.Shutdown(ctx)
	var labels strings.Builder
	for _, md := range metrics.AllMetrics() {
		eachPoint(md, func(name string, attrs pcommon.Map) {
			for key, v := range attrs.All() {
				fmt.Fprintf(&labels, "%s{%s=%s}\n", name, key, v.AsString())
			}
		})
	}
	out["metric labels"] = labels.String()
	return out
}

func eachPoint(md pmetric.Metrics, f func(string, pcommon.Map)) {
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		f("resource", rms.At(i).Resource().Attributes())
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				m := ms.At(k)
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for p := 0; p < m.Sum().DataPoints().Len(); p++ {
						f(m.Name(), m.Sum().DataPoints().At(p).Attributes())
					}
				case pmetric.MetricTypeGauge:
					for p := 0; p < m.Gauge().DataPoints().Len(); p++ {
						f(m.Name(), m.Gauge().DataPoints().At(p).Attributes())
					}
				case pmetric.MetricTypeHistogram:
					for p := 0; p < m.Histogram().DataPoints().Len(); p++ {
						f(m.Name(), m.Histogram().DataPoints().At(p).Attributes())
					}
				}
			}
		}
	}
}

// checkOutputs fails on any piece of the canary in any output but those
// already in the same output of the same traces with another canary (the
// ids, times and durations of the outputs' own).
func checkOutputs(t *testing.T, what string, canary hostile.Canary, out, base map[string]string) {
	t.Helper()
	for where, text := range out {
		// The times of analysis differ from run to run: they are not compared;
		// nor are the test's own trace and span ids, which a canary of digits
		// matches (40070100000000...) where the other canary's traces gave no
		// finding to carry them.
		text = ownIDs.ReplaceAllString(analysisTime.ReplaceAllString(text, "TIME"), "${1}ID")
		lower, own := strings.ToLower(text), strings.ToLower(ownIDs.ReplaceAllString(analysisTime.ReplaceAllString(base[where], "TIME"), "${1}ID"))
		for _, p := range canary.Pieces(6) {
			if i := strings.Index(lower, p); i >= 0 && !strings.Contains(own, p) {
				t.Fatalf("%s: %q of the canary in the %s: ...%s...", what, p, where, text[max(i-120, 0):min(i+60, len(text))])
			}
		}
	}
}

var (
	otherCanary  = hostile.Canary{Text: "Ab", Number: 2}
	ownIDs       = regexp.MustCompile(`((?:trace|span)_?[Ii][Dd]\\?"?\s*[:=]\s*\\?"?|/(?:traces?|requests?)/)[0-9a-f]{16,32}`)
	analysisTime = regexp.MustCompile(`\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)|\d\d:\d\d:\d\d`)
)

// TestCanaryOutputs: the corpus of testdata/hostile through the processor,
// its page and its connector.
func TestCanaryOutputs(t *testing.T) {
	cases := hostile.All(hostile.Default)
	var traces []ptrace.Traces
	for i, c := range cases {
		traces = append(traces, hostile.Trace(c, hostile.Default, byte(i)))
	}
	var others []ptrace.Traces
	for i, c := range hostile.All(otherCanary) {
		others = append(others, hostile.Trace(c, otherCanary, byte(i)))
	}
	out := outputs(t, 16<<10, traces...)
	checkOutputs(t, "the corpus", hostile.Default, out, outputs(t, 16<<10, others...))
	if !strings.Contains(out["span attributes and events"], "querylens.statement") {
		t.Fatal("no finding carries a statement: the check checked nothing")
	}
}

// FuzzCanaryOutputs puts a canary of the fuzzer's into a literal of any
// form of any system (hostile's), in statements repeated into an N+1, the
// service name, a root named by the statement and a summary, cut at any
// length by statements::max_length or not, and fails when a piece of it is
// anywhere querylens writes: span attributes and events, the log, the page
// and its API, the metric labels.
func FuzzCanaryOutputs(f *testing.F) {
	systems := hostile.SQLSystems()
	for i := range systems {
		for k := 0; k < hostile.FormCount(systems[i]); k += 3 {
			f.Add(uint8(i), uint8(k), uint8(k), "QzxJv8Wq", uint64(739128465), uint16(0))
		}
	}
	f.Add(uint8(200), uint8(0), uint8(5), "QzxJv8Wq", uint64(739128465), uint16(23))
	f.Fuzz(func(t *testing.T, sys, tmpl, form uint8, text string, number uint64, cut uint16) {
		canary := hostile.CanaryOf(text, number)
		var c, other hostile.Case
		if int(sys) < len(systems) {
			c = hostile.SQL(systems[sys], int(tmpl), int(form), canary)
			other = hostile.SQL(systems[sys], int(tmpl), int(form), otherCanary)
		} else {
			cases, others := hostile.Other(canary), hostile.Other(otherCanary)
			c, other = cases[int(form)%len(cases)], others[int(form)%len(cases)]
		}
		maxLength := 16 << 10
		if cut > 0 {
			maxLength = int(cut)%max(len(c.Statement), 1) + 1
		}
		checkOutputs(t, c.String(), canary, outputs(t, maxLength, hostile.Trace(c, canary, 7)),
			outputs(t, maxLength, hostile.Trace(other, otherCanary, 7)))
	})
}
