package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/querylens/querylens/internal/report"
)

// progress prints one line on stderr, rewritten in place, when stderr is a
// terminal: a long run shows it is moving.
type progress struct {
	w     io.Writer
	on    bool
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, on bool) *progress {
	return &progress{w: w, on: on, start: time.Now()}
}

func (p *progress) update(o *output) {
	if !p.on || time.Since(p.last) < 250*time.Millisecond {
		return
	}
	p.last = time.Now()
	rate := float64(o.spansIn) / time.Since(p.start).Seconds()
	findings := 0
	for _, n := range o.sum.Findings {
		findings += n
	}
	fmt.Fprintf(p.w, "\r%d spans read, %d analyzed, %s (%.0f spans/s) ", o.spansIn, o.spansOut, report.Count(findings, "finding"), rate)
}

func (p *progress) done() {
	if p.on && !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
