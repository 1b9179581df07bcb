// Package engine runs the detectors over a trace view and words each finding's
// fix. The processor, the connector and the command-line tool share it, so a
// finding is the same everywhere.
package engine

import (
	"slices"

	"github.com/querylens/querylens/internal/detect"
	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/suggest"
	"github.com/querylens/querylens/internal/traceview"
)

// Engine is safe for concurrent use: it holds only configuration.
type Engine struct {
	detectors []detect.Detector
}

// New returns an engine running the detectors enabled in cfg, which must be valid.
func New(cfg detect.Config) *Engine {
	return &Engine{detectors: detect.New(cfg)}
}

// Analyze returns the findings of one trace, each with its suggestion.
func (e *Engine) Analyze(t *traceview.Trace) []detect.Finding {
	if len(e.detectors) == 0 {
		return nil
	}
	findings := detect.Run(e.detectors, detect.NewInput(t))
	for i := range findings {
		f := &findings[i]
		f.Suggestion, f.ORM = suggest.Fix(f.Type, statementOf(t, f), contextOf(t, f))
	}
	return findings
}

func statementOf(t *traceview.Trace, f *detect.Finding) *sqlnorm.Statement {
	if db := t.Spans[subject(f)].DB; db != nil {
		return db.Statement
	}
	return nil
}

// subject is the span whose statement the finding is about.
func subject(f *detect.Finding) int {
	if len(f.Members) > 0 {
		return f.Members[0]
	}
	return f.Anchor
}

// contextOf gathers what ORM recognition reads: the language and the
// instrumentation scopes of the service that ran the statement.
func contextOf(t *traceview.Trace, f *detect.Finding) suggest.Context {
	s := &t.Spans[subject(f)]
	ctx := suggest.Context{Language: s.Language}
	if s.DB != nil {
		ctx.Raw = s.DB.Raw
	}
	for i := range t.Spans {
		o := &t.Spans[i]
		if o.Service == s.Service && o.Scope != "" && !slices.Contains(ctx.Scopes, o.Scope) {
			ctx.Scopes = append(ctx.Scopes, o.Scope)
		}
	}
	return ctx
}
