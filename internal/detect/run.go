package detect

// Detector finds one type of trap in a trace. A group detector leaves alone
// the spans in claimed: members of a finding of higher precedence.
type Detector interface {
	Detect(in *Input, claimed Claimed) []Finding
}

// Claimed marks the spans that are members of a group finding already.
type Claimed []bool

// New returns the detectors enabled in c, in precedence order (Kinds).
func New(c Config) []Detector {
	var ds []Detector
	for i := range Kinds {
		if k := &Kinds[i]; *k.Enabled(&c) {
			ds = append(ds, k.detector(c))
		}
	}
	return ds
}

// Run runs the detectors over one trace, in their order, and returns their
// findings in that order. It is where precedence is settled: the members of
// each finding are claimed before the next detector runs, so a span is a
// member of one group finding at most.
func Run(detectors []Detector, in *Input) []Finding {
	claimed := make(Claimed, len(in.Trace.Spans))
	var all []Finding
	for _, d := range detectors {
		found := d.Detect(in, claimed)
		for i := range found {
			f := &found[i]
			for _, m := range f.Members {
				claimed[m] = true
			}
			if k, ok := KindOf(f.Type); ok && k.wastedTime != nil {
				f.WastedDuration = k.wastedTime(in.Trace, f)
			}
		}
		all = append(all, found...)
	}
	uniqueIDs(all)
	return all
}
