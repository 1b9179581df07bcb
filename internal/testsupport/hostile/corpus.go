package hostile

import (
	"compress/gzip"
	"fmt"
	"io"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.yaml.in/yaml/v3"
)

// CorpusCase is a case as testdata/hostile/cases.yaml lists it: the trace
// its statement is in. (YAML, so that no reader of trace files takes it for
// one.)
type CorpusCase struct {
	TraceID   string   `yaml:"trace_id"`
	System    string   `yaml:"system"`
	Form      string   `yaml:"form"`
	Statement string   `yaml:"statement"`
	Names     []string `yaml:"names,omitempty"`
	Bare      bool     `yaml:"bare,omitempty"`
}

// WriteCorpus writes testdata/hostile: corpus.json.gz, a trace per case of
// All(Default) as the file exporter writes them (one OTLP JSON request a
// line, gzipped), and cases.yaml, what each holds.
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
	enc := yaml.NewEncoder(cases)
	enc.SetIndent(2)
	if err := enc.Encode(list); err != nil {
		return err
	}
	return enc.Close()
}
