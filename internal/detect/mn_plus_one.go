package detect

import (
	"errors"
	"slices"
	"strings"

	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// MNPlusOneConfig sets the mn_plus_one detector: a loop that runs a sequence
// of two or more different statements per item.
type MNPlusOneConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// MinIterations is the fewest iterations of the sequence that make a
	// finding. Default 5.
	MinIterations int `mapstructure:"min_iterations"`
	// MinWastedQueries makes a finding of fewer iterations, down to three,
	// when the loop wastes at least this many queries (all runs but one of
	// each statement of the sequence): three items of six queries each waste
	// twelve. Default 6. 0 turns it off.
	MinWastedQueries int `mapstructure:"min_wasted_queries"`
}

// minIterationsByWaste is the fewest iterations that waste alone can make a
// finding of: two runs of a sequence are as often a retry or a re-read as a
// loop.
const minIterationsByWaste = 3

// Validate names each setting out of range and what it allows.
func (c *MNPlusOneConfig) Validate() error {
	return errors.Join(atLeast("min_iterations", c.MinIterations, 2), atLeast("min_wasted_queries", c.MinWastedQueries, 0))
}

type mnPlusOne struct {
	cfg MNPlusOneConfig
	// coarseMinIterations is n_plus_one's coarse_min_repeats: the fewest
	// iterations of a sequence of summaries (spans with no statement).
	coarseMinIterations int
}

// Detect finds, under each loop parent, the sequence of statements one
// iteration runs. Iterations are cut where a statement comes back; statements
// that run once (a query before the loop) are left out, and an iteration that
// skips one of the statements still counts. Two loops one after the other
// (A A A B B B) are two N+1s, not an MN+1: at least half of the iterations
// must hold the whole sequence.
func (d mnPlusOne) Detect(in *Input, claimed Claimed) []Finding {
	if in.repeats().repeated < 2 { // a sequence needs two statements that come back
		return nil
	}
	t := in.Trace
	var findings []Finding
	for _, g := range callsByLoopParent(in, claimed, in.Calls, loopStatement) {
		// A sequence needs two statements that come back. The fingerprints
		// of the group are numbered: iterations are then compared as small
		// integers, without building strings.
		if repeatedFingerprints(in.fingerprints(), g.spans) < 2 {
			continue
		}
		ids, counts := fingerprintNumbers(in, g.spans)
		if len(counts) < 2 {
			continue
		}
		repeating := filterIDs(ids, func(id int) bool { return counts[id] >= 2 })
		// A loop whose iteration runs a statement twice (the current user,
		// read for the item and for its author) is cut nowhere whole where a
		// statement comes back: its period is read instead.
		periods := 0
		pattern := []int(nil)
		if block := periodicBlock(repeating, len(counts)); block != nil {
			pattern, periods = distinctIDs(block), (len(repeating)+len(block)-1)/len(block)
		} else {
			pattern = commonIteration(repeating, len(counts))
		}
		if len(pattern) < 2 {
			continue
		}
		inPattern := make([]bool, len(counts))
		for _, id := range pattern {
			inPattern[id] = true
		}
		var members []int
		var seq []int
		least := d.cfg.MinIterations
		for k, i := range g.spans {
			if inPattern[ids[k]] {
				members = append(members, i)
				seq = append(seq, ids[k])
				if t.Spans[i].DB.Statement.IsCoarse() {
					least = max(least, d.coarseMinIterations)
				}
			}
		}
		pattern = distinctIDs(seq) // in order of first run, whatever the ties
		whole, iters, loops := periods, periods, periods
		seen := make([]bool, len(counts))
		eachIteration(seq, len(counts), func(it []int) {
			if periods > 0 {
				return
			}
			iters++
			distinct := 0
			for _, id := range it {
				if !seen[id] {
					seen[id] = true
					distinct++
				}
			}
			clear(seen)
			if distinct == len(pattern) {
				whole++
			}
		})
		if periods == 0 {
			for _, id := range pattern {
				loops = max(loops, counts[id])
			}
		}
		// Iterations are counted by the statement that runs most: spans that
		// start in the same tick (whole milliseconds in the JS SDK) may come
		// in either order, which can cut one iteration in two.
		wasted := len(members) - len(pattern)
		enough := loops >= least || d.cfg.MinWastedQueries > 0 && least == d.cfg.MinIterations &&
			loops >= minIterationsByWaste && wasted >= d.cfg.MinWastedQueries
		if !enough || whole*2 < iters {
			continue
		}
		// The iterations of a loop follow one another; the same few
		// statements done again at several places of a request, with other
		// work between, are no loop (spreadOut, on the statement that runs
		// most).
		most := pattern[0]
		for _, id := range pattern {
			if counts[id] > counts[most] {
				most = id
			}
		}
		var repeats []int
		for k, i := range g.spans {
			if ids[k] == most {
				repeats = append(repeats, i)
			}
		}
		if spreadOut(t, g.spans, repeats) || varyNothing(t, g.spans, ids, pattern) {
			continue
		}
		f := groupFinding(t, TypeMNPlusOne, g.parent, members)
		f.Count = loops
		f.Statements = make([]string, len(pattern))
		for k, id := range pattern {
			for j, i := range g.spans {
				if ids[j] == id {
					f.Statements[k] = t.Spans[i].DB.Statement.Text
					break
				}
			}
		}
		// In canonical order, not the order of the first iteration: spans that
		// start in the same tick (whole milliseconds in the JS SDK) come in
		// either order, and one loop must keep one fingerprint.
		slices.Sort(f.Statements)
		f.Statement = strings.Join(f.Statements, "; ")
		f.Fingerprint = sqlnorm.Fingerprint(f.Statement)
		f.ID = findingID(t, f.Type, f.Fingerprint, f.Anchor, members)
		findings = append(findings, f)
	}
	return findings
}

// varyNothing reports whether every statement of the sequence runs each time
// with the same values, all of them seen: the "iterations" read the same
// rows again (one order re-read after each step of a mutation), which is a
// duplicate to reuse, not a loop over items to batch. ids numbers the
// fingerprints of spans.
func varyNothing(t *traceview.Trace, spans, ids, pattern []int) bool {
	var runs []int
	for _, id := range pattern {
		runs = runs[:0]
		for k, i := range spans {
			if ids[k] == id {
				runs = append(runs, i)
			}
		}
		if !sameVisibleParameters(t, runs) {
			return false
		}
	}
	return true
}

// maxPeriod bounds the block periodicBlock looks for, so that a long
// sequence costs at most that many passes over it.
const maxPeriod = 64

// periodicBlock is the block seq repeats, when seq is that block three
// times or more, the last time perhaps cut short (the last item skips what
// the others run), and the block runs an id more than once (a block without
// one is cut where an id comes back, by eachIteration); else nil.
func periodicBlock(seq []int, numIDs int) []int {
	seen := make([]bool, numIDs)
	for p := 1; p <= maxPeriod && p*minIterationsByWaste <= len(seq); p++ {
		periodic := true
		for i := p; i < len(seq) && periodic; i++ {
			periodic = seq[i] == seq[i-p]
		}
		if !periodic {
			continue
		}
		twice := false
		for _, id := range seq[:p] {
			twice = twice || seen[id]
			seen[id] = true
		}
		if twice {
			return seq[:p]
		}
		return nil // the smallest period has no id twice: cut as usual
	}
	return nil
}

// eachIteration cuts a sequence of fingerprint ids where an id comes back, and
// calls fn with each piece (a subslice of seq).
func eachIteration(seq []int, numIDs int, fn func([]int)) {
	seen := make([]bool, numIDs)
	start := 0
	for k, id := range seq {
		if seen[id] {
			fn(seq[start:k])
			start = k
			clear(seen)
		}
		seen[id] = true
	}
	if start < len(seq) {
		fn(seq[start:])
	}
}

// commonIteration is the most frequent ordered sequence of two or more ids
// among the iterations of seq; on a tie, the one whose statements run most
// often in seq on average (the loop's own, not the queries before and after it that a cut
// happens to pair), then the earliest.
func commonIteration(seq []int, numIDs int) []int {
	runs := make([]int, numIDs)
	for _, id := range seq {
		runs[id]++
	}
	weight := func(it []int) (w int) {
		for _, id := range it {
			w += runs[id]
		}
		return w
	}
	// heavier: its statements run more often on average (w/len, compared
	// without dividing).
	heavier := func(it, than []int) bool { return weight(it)*len(than) > weight(than)*len(it) }
	counts := map[uint64]int{}
	var best []int
	bestCount := 0
	eachIteration(seq, numIDs, func(it []int) {
		if len(it) < 2 {
			return
		}
		var key uint64
		for _, id := range it {
			key = key*1_000_003 + uint64(id) + 1
		}
		counts[key]++
		if c := counts[key]; c > bestCount || c == bestCount && heavier(it, best) {
			best, bestCount = it, c
		}
	})
	return slices.Clone(best)
}

func distinctIDs(ids []int) []int {
	var out []int
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func filterIDs(ids []int, keep func(int) bool) []int {
	var out []int
	for _, id := range ids {
		if keep(id) {
			out = append(out, id)
		}
	}
	return out
}
