package detect

import (
	"strconv"

	"github.com/querylens/querylens/internal/sqlnorm"
	"github.com/querylens/querylens/internal/traceview"
)

// DeepOffsetConfig sets the deep_offset detector: LIMIT/OFFSET paging far
// into a result, which makes the database read and drop every skipped row.
type DeepOffsetConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// MinOffset is the smallest offset reported. Default 1000: page 50 of 20
	// rows. Below it the skipped rows cost little; past it the cost grows
	// with every page and keyset pagination stays flat.
	MinOffset int64 `mapstructure:"min_offset"`
}

// Validate names each setting out of range and what it allows.
func (c *DeepOffsetConfig) Validate() error { return atLeast("min_offset", c.MinOffset, 1) }

type deepOffset struct{ cfg DeepOffsetConfig }

func (d deepOffset) Detect(in *Input, _ Claimed) []Finding {
	return oncePerStatement(in, TypeDeepOffset, func(s *traceview.Span, _ int) (bool, string) {
		offset, ok := boundValue(s.DB, s.DB.Statement.Offset)
		return ok && offset >= d.cfg.MinOffset, ""
	})
}

// boundValue is the value of a LIMIT or OFFSET: its literal, or the recorded
// value of its placeholder. A placeholder with no recorded value is unknown.
func boundValue(db *traceview.DBCall, b sqlnorm.Bound) (int64, bool) {
	switch {
	case !b.Present:
		return 0, false
	case b.Literal:
		return b.Value, true
	case b.Param != "":
		if v, ok := db.Values[b.Param]; ok {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
