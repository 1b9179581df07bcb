package detect

import (
	"fmt"
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
}

// Validate names each setting out of range and what it allows.
func (c *MNPlusOneConfig) Validate() error {
	if c.MinIterations < 2 {
		return fmt.Errorf("min_iterations must be at least 2, got %d", c.MinIterations)
	}
	return nil
}

type mnPlusOne struct{ cfg MNPlusOneConfig }

func (mnPlusOne) Type() string { return TypeMNPlusOne }

// Detect finds, under each loop parent, the sequence of statements one
// iteration runs. Iterations are cut where a statement comes back; statements
// that run once (a query before the loop) are left out, and an iteration that
// skips one of the statements still counts. Two loops one after the other
// (A A A B B B) are two N+1s, not an MN+1: at least half of the iterations
// must hold the whole sequence.
func (d mnPlusOne) Detect(in *Input) []Finding {
	t := in.Trace
	var findings []Finding
	for _, g := range callsByLoopParent(in, in.Calls, dataStatement) {
		counts := map[string]int{}
		for _, i := range g.spans {
			counts[fingerprint(t, i)]++
		}
		repeating := func(i int) bool { return counts[fingerprint(t, i)] >= 2 }
		pattern := commonIteration(t, iterations(t, filter(g.spans, repeating)))
		if len(pattern) < 2 {
			continue
		}
		inPattern := map[string]bool{}
		for _, fp := range pattern {
			inPattern[fp] = true
		}
		members := filter(g.spans, func(i int) bool { return inPattern[fingerprint(t, i)] })
		pattern = distinct(t, members) // in order of first run, whatever the ties
		iters := iterations(t, members)
		whole, loops := 0, 0
		for _, it := range iters {
			if len(distinct(t, it)) == len(pattern) {
				whole++
			}
		}
		for _, fp := range pattern {
			loops = max(loops, counts[fp])
		}
		// Iterations are counted by the statement that runs most: spans that
		// start in the same tick (whole milliseconds in the JS SDK) may come
		// in either order, which can cut one iteration in two.
		if loops < d.cfg.MinIterations || whole*2 < len(iters) {
			continue
		}
		f := groupFinding(t, TypeMNPlusOne, g.parent, members)
		f.Count = loops
		f.Statements = make([]string, len(pattern))
		for k, fp := range pattern {
			for _, i := range members {
				if fingerprint(t, i) == fp {
					f.Statements[k] = t.Spans[i].DB.Statement.Text
					break
				}
			}
		}
		f.Statement = strings.Join(f.Statements, "; ")
		f.Fingerprint = sqlnorm.Fingerprint(f.Statement)
		f.ID = findingID(t, f.Type, f.Fingerprint, f.Anchor, members)
		in.Claim(members)
		findings = append(findings, f)
	}
	return findings
}

// iterations cuts a sequence of calls where a fingerprint comes back.
func iterations(t *traceview.Trace, spans []int) [][]int {
	var (
		out  [][]int
		cur  []int
		seen = map[string]bool{}
	)
	for _, i := range spans {
		fp := fingerprint(t, i)
		if seen[fp] {
			out = append(out, cur)
			cur, seen = nil, map[string]bool{}
		}
		seen[fp] = true
		cur = append(cur, i)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// commonIteration is the most frequent ordered sequence of two or more
// fingerprints among the iterations (the earliest on a tie).
func commonIteration(t *traceview.Trace, iters [][]int) []string {
	counts := map[string]int{}
	var best []string
	bestCount := 0
	for _, it := range iters {
		fps := distinct(t, it)
		if len(fps) < 2 {
			continue
		}
		key := strings.Join(fps, ",")
		counts[key]++
		if counts[key] > bestCount {
			best, bestCount = fps, counts[key]
		}
	}
	return best
}

func distinct(t *traceview.Trace, spans []int) []string {
	var fps []string
	for _, i := range spans {
		fp := fingerprint(t, i)
		dup := false
		for _, f := range fps {
			dup = dup || f == fp
		}
		if !dup {
			fps = append(fps, fp)
		}
	}
	return fps
}
