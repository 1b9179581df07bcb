package detect

// Config holds the settings of every detector, as the processor, the connector
// and the command-line tool read them.
type Config struct {
	NPlusOne        NPlusOneConfig        `mapstructure:"n_plus_one"`
	MNPlusOne       MNPlusOneConfig       `mapstructure:"mn_plus_one"`
	DuplicateQuery  DuplicateQueryConfig  `mapstructure:"duplicate_query"`
	NPlusOneAPI     NPlusOneAPIConfig     `mapstructure:"n_plus_one_api"`
	OverFetch       OverFetchConfig       `mapstructure:"over_fetch"`
	DeepOffset      DeepOffsetConfig      `mapstructure:"deep_offset"`
	PaginationCount PaginationCountConfig `mapstructure:"pagination_count"`
	PagedToManyJoin PagedToManyJoinConfig `mapstructure:"paged_to_many_join"`
}

// DefaultConfig is a configuration that needs no tuning on a typical service.
func DefaultConfig() Config {
	return Config{
		NPlusOne:        NPlusOneConfig{Enabled: true, MinRepeats: 5, CoarseMinRepeats: 10},
		MNPlusOne:       MNPlusOneConfig{Enabled: true, MinIterations: 5},
		DuplicateQuery:  DuplicateQueryConfig{Enabled: true, MinRepeats: 3},
		NPlusOneAPI:     NPlusOneAPIConfig{Enabled: true, MinRepeats: 5},
		OverFetch:       OverFetchConfig{Enabled: true, SelectAll: true, MaxReturnedRows: 1000},
		DeepOffset:      DeepOffsetConfig{Enabled: true, MinOffset: 1000},
		PaginationCount: PaginationCountConfig{Enabled: true},
		PagedToManyJoin: PagedToManyJoinConfig{Enabled: true},
	}
}

// Detector finds one type of trap. Group detectors skip spans already claimed
// and claim their members; they run in precedence order (see New).
type Detector interface {
	Type() string
	Detect(in *Input) []Finding
}

// New returns the enabled detectors in precedence order: a span is a member of
// at most one group finding, mn_plus_one > duplicate_query > n_plus_one >
// pagination_count; the single-span detectors claim nothing.
func New(c Config) []Detector {
	var ds []Detector
	add := func(on bool, d Detector) {
		if on {
			ds = append(ds, d)
		}
	}
	add(c.MNPlusOne.Enabled, mnPlusOne{c.MNPlusOne, c.NPlusOne.CoarseMinRepeats})
	add(c.DuplicateQuery.Enabled, duplicateQuery{c.DuplicateQuery, c.NPlusOne.MinRepeats})
	add(c.NPlusOne.Enabled, nPlusOne{c.NPlusOne})
	add(c.PaginationCount.Enabled, paginationCount{c.PaginationCount})
	add(c.NPlusOneAPI.Enabled, nPlusOneAPI{c.NPlusOneAPI})
	add(c.OverFetch.Enabled, overFetch{c.OverFetch})
	add(c.DeepOffset.Enabled, deepOffset{c.DeepOffset})
	add(c.PagedToManyJoin.Enabled, pagedToManyJoin{c.PagedToManyJoin})
	return ds
}

// Run runs the detectors over one trace and returns their findings in order.
func Run(detectors []Detector, in *Input) []Finding {
	var all []Finding
	for _, d := range detectors {
		all = append(all, d.Detect(in)...)
	}
	uniqueIDs(all)
	return all
}
