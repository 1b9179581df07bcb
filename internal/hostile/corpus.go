package hostile

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// CorpusCase is a case as testdata/hostile/cases.json lists it: the trace
// its statement is in.
type CorpusCase struct {
	TraceID   string   `json:"trace_id"`
	System    string   `json:"system"`
	Form      string   `json:"form"`
	Statement string   `json:"statement"`
	Names     []string `json:"names,omitempty"`
	Bare      bool     `json:"bare,omitempty"`
}

// WriteCorpus writes testdata/hostile: corpus.json.gz, a trace per case of
// All(Default) as the file exporter writes them (one OTLP JSON request a
// line, gzipped), and cases.json, what each holds.
func WriteCorpus(gzipped, cases io.Writer) error {
	corpus := gzip.NewWriter(gzipped)
	var list []CorpusCase
	var m ptrace.JSONMarshaler
	for i, c := range All(Default) {
		if i > 255 {
			return fmt.Errorf("%d cases: trace ids hold 256", len(All(Default)))
		}
		td := Trace(c, Default, byte(i))
		b, err := m.MarshalTraces(td)
		if err != nil {
			return err
		}
		if _, err := corpus.Write(append(b, '\n')); err != nil {
			return err
		}
		list = append(list, CorpusCase{TraceID: td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).TraceID().String(),
			System: c.System, Form: c.Form, Statement: c.Statement, Names: c.Names, Bare: c.Bare})
	}
	if err := corpus.Close(); err != nil {
		return err
	}
	enc := json.NewEncoder(cases)
	enc.SetIndent("", "  ")
	return enc.Encode(list)
}
