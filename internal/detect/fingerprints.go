package detect

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
	ids := make([]int32, len(t.Spans))
	index := make(map[string]int32)
	for i := range t.Spans {
		ids[i] = -1
		if db := t.Spans[i].DB; db != nil && db.Statement != nil {
			id, ok := index[db.Statement.Fingerprint]
			if !ok {
				id = int32(len(index))
				index[db.Statement.Fingerprint] = id
			}
			ids[i] = id
		}
	}
	slot := make([]int32, len(index))
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
	if len(spans) == 1 {
		return [][]int{spans[:1:1]}
	}
	f := in.fingerprints()
	ids := make([]int32, len(spans)) // the group of each span
	var sizes []int
	for n, i := range spans {
		fp := f.id[i]
		g := f.slot[fp]
		if g < 0 {
			g = int32(len(sizes))
			f.slot[fp] = g
			sizes = append(sizes, 0)
		}
		ids[n] = g
		sizes[g]++
	}
	for _, i := range spans {
		f.slot[f.id[i]] = -1
	}
	backing := make([]int, len(spans))
	groups := make([][]int, len(sizes))
	start := 0
	for g, size := range sizes {
		groups[g] = backing[start : start : start+size]
		start += size
	}
	for n, i := range spans {
		groups[ids[n]] = append(groups[ids[n]], i)
	}
	return groups
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
