package detect

import (
	"slices"

	"github.com/cespare/xxhash/v2"

	"github.com/querylens/querylens/internal/reuse"
)

// fingerprintIDs numbers the fingerprints of a trace's statements once, so
// that detectors group calls by small integers instead of hashing the
// fingerprint strings again in each loop group of each detector.
type fingerprintIDs struct {
	// id is the number of each span's fingerprint, -1 for a span with no
	// statement.
	id []int32
	// slot is scratch of one entry per fingerprint, all -1 between uses.
	slot []int32
}

// fingerprints numbers the fingerprints of in's trace on first use.
func (in *Input) fingerprints() *fingerprintIDs {
	if in.fps != nil {
		return in.fps
	}
	t := in.Trace
	sc := in.memory()
	ids := reuse.Slice(sc.fpIDs, len(t.Spans))
	sc.fpIDs = ids
	// A fingerprint is 16 hex digits: numbered by the 64-bit number they
	// write, which is cheaper to hash than the string. Anything else (none
	// is) would be numbered by its string.
	index := sc.fpIndex
	if index == nil {
		index = make(map[uint64]int32, len(in.DBSpans)) // not grown step by step
		sc.fpIndex = index
	} else {
		clear(index)
	}
	var other map[string]int32
	n := int32(0)
	for i := range t.Spans {
		ids[i] = -1
		db := t.Spans[i].DB
		if db == nil || db.Statement == nil {
			continue
		}
		if v, ok := db.Statement.FingerprintValue(); ok {
			id, ok := index[v]
			if !ok {
				id, n = n, n+1
				index[v] = id
			}
			ids[i] = id
			continue
		}
		if other == nil {
			other = make(map[string]int32)
		}
		fp := db.Statement.Fingerprint
		id, ok := other[fp]
		if !ok {
			id, n = n, n+1
			other[fp] = id
		}
		ids[i] = id
	}
	slot := reuse.Slice(sc.fpSlot, int(n))
	sc.fpSlot = slot
	for k := range slot {
		slot[k] = -1
	}
	in.fps = &fingerprintIDs{id: ids, slot: slot}
	return in.fps
}

// bySameFingerprint is bySameKey by the statement's fingerprint: the spans,
// which all carry a statement, in groups of one fingerprint, in order of
// first appearance.
func bySameFingerprint(in *Input, spans []int) [][]int {
	return groupsOfAtLeast(in, spans, 1)
}

// groupsOfAtLeast is bySameFingerprint without the groups of fewer than min
// spans; it allocates nothing when there is none of min.
func groupsOfAtLeast(in *Input, spans []int, min int) [][]int {
	if len(spans) < min || len(spans) == 0 {
		return nil
	}
	if len(spans) == 1 {
		return [][]int{spans[:1:1]}
	}
	f := in.fingerprints()
	if min > 1 && mostRepeats(f, spans) < min {
		return nil
	}
	ids, sizes := fingerprintNumbers(in, spans)
	groups := groupsOf(spans, ids, sizes)
	if min > 1 {
		kept := groups[:0]
		for _, g := range groups {
			if len(g) >= min {
				kept = append(kept, g)
			}
		}
		groups = kept
	}
	return groups
}

// mostRepeats is how many of spans share the most common fingerprint.
func mostRepeats(f *fingerprintIDs, spans []int) int {
	most := int32(0)
	for _, i := range spans { // slot counts, negated, from -1
		fp := f.id[i]
		f.slot[fp]--
		most = max(most, -f.slot[fp]-1)
	}
	for _, i := range spans {
		f.slot[f.id[i]] = -1
	}
	return int(most)
}

// repeatedFingerprints is how many fingerprints of spans come back: two
// spans or more have them.
func repeatedFingerprints(f *fingerprintIDs, spans []int) int {
	n := 0
	for _, i := range spans { // slot counts, negated, from -1
		fp := f.id[i]
		f.slot[fp]--
		if f.slot[fp] == -3 {
			n++
		}
	}
	for _, i := range spans {
		f.slot[f.id[i]] = -1
	}
	return n
}

// fingerprintNumbers numbers the fingerprints of spans, which all carry a
// statement, from 0 in order of first appearance: each span's number, and
// how many spans have each.
func fingerprintNumbers(in *Input, spans []int) (ids []int, counts []int) {
	f := in.fingerprints()
	ids = make([]int, len(spans))
	for k, i := range spans {
		fp := f.id[i]
		id := f.slot[fp]
		if id < 0 {
			id = int32(len(counts))
			f.slot[fp] = id
			counts = append(counts, 0)
		}
		ids[k] = int(id)
		counts[id]++
	}
	for _, i := range spans {
		f.slot[f.id[i]] = -1
	}
	return ids, counts
}

// callRepeats is how the calls of a trace repeat their statements, counted
// once: a detector that looks for repeats among some of the calls (a loop's,
// a template's) leaves alone a trace whose calls, all of them, repeat too
// little, without grouping them. Most requests repeat nothing.
type callRepeats struct {
	most     int  // calls that share the most common fingerprint
	repeated int  // fingerprints that two calls or more share
	count    bool // a call counts rows (SELECT COUNT), which a page may go with
}

// repeats counts the repeats of in.Calls on first use: their fingerprints'
// numbers sorted, then read in runs, cheaper than numbering them in a map
// (fingerprints), which a trace that repeats nothing never needs.
func (in *Input) repeats() callRepeats {
	if in.rep != nil {
		return *in.rep
	}
	var r callRepeats
	sc := in.memory()
	values := sc.fpValues[:0]
	for _, c := range in.Calls {
		st := in.Trace.Spans[c.Span].DB.Statement
		r.count = r.count || st.Count
		v, ok := st.FingerprintValue()
		if !ok { // not one of ours (none is): its string hashed, which can
			// only merge two fingerprints, never leave a repeat uncounted
			v = xxhash.Sum64String(st.Fingerprint)
		}
		values = append(values, v)
	}
	sc.fpValues = values
	slices.Sort(values)
	for k := 0; k < len(values); {
		run := 1
		for k+run < len(values) && values[k+run] == values[k] {
			run++
		}
		r.most = max(r.most, run)
		if run >= 2 {
			r.repeated++
		}
		k += run
	}
	in.rep = &r
	return r
}
