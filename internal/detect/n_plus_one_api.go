package detect

import (
	"errors"
	"time"

	"github.com/querylens/querylens/internal/sqlnorm"
)

// NPlusOneAPIConfig sets the n_plus_one_api detector: the same HTTP route
// called again and again under one parent, in any service.
type NPlusOneAPIConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// MinRepeats is the fewest calls of one route under one parent that make
	// a finding. Default 5.
	MinRepeats int `mapstructure:"min_repeats"`
	// MinTotalDuration is the least summed duration of the calls. Default 0.
	MinTotalDuration time.Duration `mapstructure:"min_total_duration"`
}

// Validate names each setting out of range and what it allows.
func (c *NPlusOneAPIConfig) Validate() error {
	return errors.Join(atLeast("min_repeats", c.MinRepeats, 2), notNegative("min_total_duration", c.MinTotalDuration))
}

type nPlusOneAPI struct{ cfg NPlusOneAPIConfig }

func (d nPlusOneAPI) Detect(in *Input, claimed Claimed) []Finding {
	if !routeCalledAtLeast(in, d.cfg.MinRepeats) {
		return nil
	}
	t := in.Trace
	var findings []Finding
	all := func(*Input, int) bool { return true }
	for _, g := range callsByLoopParent(in, claimed, in.HTTPCalls, all) {
		if len(g.spans) < d.cfg.MinRepeats {
			continue // too few calls for a loop, whatever their routes
		}
		for _, members := range bySameKey(g.spans, func(i int) string { return t.Spans[i].HTTP.Route() }) {
			if len(members) < d.cfg.MinRepeats {
				continue
			}
			route := t.Spans[members[0]].HTTP.Route()
			f := Finding{Type: TypeNPlusOneAPI, Statement: route, Fingerprint: sqlnorm.Fingerprint(route),
				Count: len(members), Members: members}
			anchorOn(t, &f, g.parent)
			if f.TotalDuration < d.cfg.MinTotalDuration {
				continue
			}
			findings = append(findings, f)
		}
	}
	return findings
}

// routeCalledAtLeast reports whether n of in's HTTP calls or more share a
// route: a trace that calls no route that often is left alone before its
// calls are grouped by loop.
func routeCalledAtLeast(in *Input, n int) bool {
	calls := in.HTTPCalls
	if len(calls) < n {
		return false
	}
	sc := in.memory()
	if sc.routes == nil {
		sc.routes = make(map[string]int, len(calls))
	}
	counts := sc.routes
	clear(counts) // empty but for a second Run over the same Input
	for _, c := range calls {
		r := in.Trace.Spans[c.Span].HTTP.Route()
		if counts[r]++; counts[r] >= n {
			return true
		}
	}
	return false
}
