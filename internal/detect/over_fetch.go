package detect

import (
	"fmt"

	"github.com/querylens/querylens/internal/traceview"
)

// OverFetchConfig sets the over_fetch detector: whole rows read where a few
// columns would do, or far more rows than a request can use.
type OverFetchConfig struct {
	// Enabled turns the detector on. Default true.
	Enabled bool `mapstructure:"enabled"`
	// SelectAll reports SELECT * and table.* over a table. Default true.
	SelectAll bool `mapstructure:"select_all"`
	// MaxReturnedRows reports a query that returned more rows than this
	// (db.response.returned_rows). Default 1000: more than a page, a report
	// or an export batch needs. 0 turns the check off.
	MaxReturnedRows int64 `mapstructure:"max_returned_rows"`
}

// Validate names each setting out of range and what it allows.
func (c *OverFetchConfig) Validate() error {
	if c.MaxReturnedRows < 0 {
		return fmt.Errorf("max_returned_rows must be 0 (off) or more, got %d", c.MaxReturnedRows)
	}
	return nil
}

// Reasons of an over_fetch finding.
const (
	ReasonSelectAll    = "select_all"
	ReasonReturnedRows = "returned_rows"
)

type overFetch struct{ cfg OverFetchConfig }

func (d overFetch) Detect(in *Input, _ Claimed) []Finding {
	return oncePerStatement(in, TypeOverFetch, func(s *traceview.Span) (bool, string) {
		st := s.DB.Statement
		if d.cfg.SelectAll && st.SelectsAll {
			return true, ReasonSelectAll
		}
		if d.cfg.MaxReturnedRows > 0 {
			rows := s.DB.ReturnedRows
			if rows < 0 && st.Command == "SELECT" {
				rows = s.DB.RowsAffected // GORM's name for the rows a SELECT returned
			}
			if rows > d.cfg.MaxReturnedRows {
				return true, ReasonReturnedRows
			}
		}
		return false, ""
	})
}
