// Package detect finds ORM traps in one trace. Each detector is a pure function
// of the trace view and its settings, in a file of its own; detectors know
// nothing of the collector or of pdata.
package detect

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/querylens/querylens/internal/traceview"
)

// Finding is one trap found in a trace.
type Finding struct {
	Type string
	// ID is unique within the trace and the same for the same spans, whatever
	// order they arrived in.
	ID          string
	Fingerprint string
	// Statement is the normalized statement (never a literal value).
	Statement string
	// Count is the number of repeated spans for group findings, 1 for a
	// single-span finding.
	Count         int
	TotalDuration time.Duration
	// WastedDuration is the time a fix saves: the duration of the runs it
	// removes (WastedQueries), set by Run.
	WastedDuration time.Duration
	// Anchor is the index of the span that carries the finding event: the
	// common parent, or the earliest member when the parent never arrived.
	Anchor        int
	ParentMissing bool
	// Members are the indexes of the repeated spans, in canonical order; empty
	// for single-span findings.
	Members []int
	// Table is the main table the statement reads or writes, when known.
	Table string
	// Reason tells, for findings with more than one cause, which one:
	// over_fetch "select_all" or "returned_rows".
	Reason string
	// Source is set when the finding rests on coarse fingerprints: the spans
	// record no statement ("summary" or "operation").
	Source string
	// Statements are the statements of one iteration, for mn_plus_one.
	Statements []string
	// Exception is the qualified class of the ORM exception a
	// lazy_load_out_of_scope rests on, and Lazy what its message says was
	// loaded; empty otherwise.
	Exception string
	Lazy      LazyLoad
	// Code is where in the code the trap is, when the spans record it, and
	// Route the http.route of the request it is in; both filled in by the
	// engine.
	Code  traceview.CodeLocation
	Route string
	// Service is the service.name of the anchor span, and Problem the
	// signature of the problem the finding is one occurrence of
	// (ProblemID); both filled in by the engine.
	Service string
	Problem string
	// Suggestion is the fix and ORM the ORM it is worded for ("" when none was
	// recognised), both filled in by the engine.
	Suggestion string
	ORM        string
}

// findingID hashes what identifies a finding: its type, fingerprint, anchor and
// members. Spans are in canonical order, so the id does not depend on arrival.
func findingID(t *traceview.Trace, typ, fingerprint string, anchor int, members []int) string {
	d := xxhash.New()
	_, _ = d.WriteString(typ)
	_, _ = d.WriteString(fingerprint)
	_, _ = d.Write(t.Spans[anchor].ID[:])
	for _, m := range members {
		_, _ = d.Write(t.Spans[m].ID[:])
	}
	var sum [8]byte
	h := d.Sum64()
	for i := 7; i >= 0; i-- {
		sum[i] = byte(h)
		h >>= 8
	}
	return hex.EncodeToString(sum[:])
}

// uniqueIDs keeps the ids of a trace's findings unique when its spans share
// ids (a span exported twice): two count-and-page pairs of such spans would
// otherwise make two findings of one id. A repeated id is hashed again with
// its repeat number; in a trace of distinct span ids no id changes.
func uniqueIDs(findings []Finding) {
	seen := make(map[string]bool, len(findings))
	for i := range findings {
		id := findings[i].ID
		for n := 1; seen[id]; n++ {
			sum := xxhash.Sum64String(findings[i].ID + "#" + strconv.Itoa(n))
			id = hex.EncodeToString(binary.BigEndian.AppendUint64(nil, sum))
		}
		findings[i].ID = id
		seen[id] = true
	}
}

// WastedQueries is how many queries (or calls) the fix removes, as its
// finding type counts them (Kind); none for single-span findings.
func (f *Finding) WastedQueries() int {
	if k, ok := KindOf(f.Type); ok && k.wasted != nil {
		return k.wasted(f)
	}
	return 0
}
