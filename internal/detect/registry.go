package detect

import (
	"fmt"
	"slices"
	"time"

	"github.com/querylens/querylens/internal/traceview"
)

// Finding types, as in the querylens contract (querylens.finding.type).
const (
	TypeNPlusOne        = "n_plus_one"
	TypeMNPlusOne       = "mn_plus_one"
	TypeDuplicateQuery  = "duplicate_query"
	TypeNPlusOneAPI     = "n_plus_one_api"
	TypeOverFetch       = "over_fetch"
	TypeDeepOffset      = "deep_offset"
	TypePaginationCount = "pagination_count"
	TypePagedToManyJoin = "paged_to_many_join"
	// TypeLazyLoadOutOfScope is a related object loaded lazily outside the
	// session or request that read its parent.
	TypeLazyLoadOutOfScope = "lazy_load_out_of_scope"
)

// Config holds the settings of every detector, as the processor, the connector
// and the command-line tool read them: one section per finding type, named
// after it.
type Config struct {
	NPlusOne        NPlusOneConfig        `mapstructure:"n_plus_one"`
	MNPlusOne       MNPlusOneConfig       `mapstructure:"mn_plus_one"`
	DuplicateQuery  DuplicateQueryConfig  `mapstructure:"duplicate_query"`
	NPlusOneAPI     NPlusOneAPIConfig     `mapstructure:"n_plus_one_api"`
	OverFetch       OverFetchConfig       `mapstructure:"over_fetch"`
	DeepOffset      DeepOffsetConfig      `mapstructure:"deep_offset"`
	PaginationCount PaginationCountConfig `mapstructure:"pagination_count"`
	PagedToManyJoin PagedToManyJoinConfig `mapstructure:"paged_to_many_join"`
	// LazyLoadOutOfScope is an addition of issue 22.
	LazyLoadOutOfScope LazyLoadOutOfScopeConfig `mapstructure:"lazy_load_out_of_scope"`
}

// Kind is one finding type and all that querylens knows of it outside its
// detector: its settings, what its fix saves, and how reports and dashboards
// present it.
type Kind struct {
	// Name is the contract's type, and the name of its section of Config.
	Name string
	// Group is true for findings over repeated spans: the event goes on
	// their common parent and each member span carries the type.
	Group bool
	// Memberless is true when some of its findings have no members (a
	// lazy_load_out_of_scope on an exception): dashboards find them by
	// their event.
	Memberless bool
	// Enabled is the on switch of its section of c.
	Enabled func(c *Config) *bool
	// setDefault sets its section of c to a value that needs no tuning.
	setDefault func(c *Config)
	// detector is its detector, set by c.
	detector func(c Config) Detector
	// wasted is how many queries (or calls) the fix of f removes, and
	// wastedTime how long they ran; nil for none.
	wasted     func(f *Finding) int
	wastedTime func(t *traceview.Trace, f *Finding) time.Duration
	// Rule describes it in code-scanning tools (SARIF); its id is Name.
	Rule Rule
	// Panel is its table on the flagged-traces dashboard.
	Panel Panel
}

// Rule is a SARIF rule: a name, a short and a full description.
type Rule struct{ Name, Short, Full string }

// Panel is a finding type's table on the flagged-traces dashboard. Order
// places it among the tables: the traps met most often first, the group
// findings before the single-span ones.
type Panel struct {
	Title, Description string
	Order              int
}

// Kinds are the finding types in precedence order, which is the order their
// detectors run in and reports list them in. A span is a member of at most
// one group finding: of mn_plus_one before duplicate_query before n_plus_one
// before pagination_count before n_plus_one_api before lazy_load_out_of_scope.
//
// Adding a finding type is its detector in a file of its own (with its
// settings), its constant, section and entry here, its fix in each ORM's
// words (internal/suggest) and its traces in testdata.
var Kinds = []Kind{
	{
		Name: TypeMNPlusOne, Group: true,
		Enabled:    func(c *Config) *bool { return &c.MNPlusOne.Enabled },
		setDefault: func(c *Config) { c.MNPlusOne = MNPlusOneConfig{Enabled: true, MinIterations: 5, MinWastedQueries: 6} },
		detector:   func(c Config) Detector { return mnPlusOne{c.MNPlusOne, c.NPlusOne.CoarseMinRepeats} },
		// All runs but one of each statement of the sequence.
		wasted:     func(f *Finding) int { return max(len(f.Members)-len(f.Statements), 0) },
		wastedTime: repeatsTime,
		Rule: Rule{"MNPlusOneQueries", "Several queries per loop item",
			"A loop runs the same sequence of queries for every item: eager-load every relation the loop reads."},
		Panel: Panel{"Several queries per item",
			"A sequence of two or more statements repeated per item: a loop that loads several relations.", 2},
	},
	{
		Name: TypeDuplicateQuery, Group: true,
		Enabled: func(c *Config) *bool { return &c.DuplicateQuery.Enabled },
		setDefault: func(c *Config) {
			c.DuplicateQuery = DuplicateQueryConfig{Enabled: true, MinRepeats: 3, MinReadRepeats: 2}
		},
		detector:   func(c Config) Detector { return duplicateQuery{c.DuplicateQuery, c.NPlusOne.MinRepeats} },
		wasted:     allButOne,
		wastedTime: repeatsTime,
		Rule: Rule{"DuplicateQuery", "Duplicate queries",
			"The very same query with the very same values runs again and again: run it once and reuse the result."},
		Panel: Panel{"Duplicate queries",
			"The very same statement with the very same values, run again and again in one trace.", 3},
	},
	{
		Name: TypeNPlusOne, Group: true,
		Enabled: func(c *Config) *bool { return &c.NPlusOne.Enabled },
		setDefault: func(c *Config) {
			c.NPlusOne = NPlusOneConfig{Enabled: true, MinRepeats: 5, CoarseMinRepeats: 10}
		},
		detector:   func(c Config) Detector { return nPlusOne{c.NPlusOne} },
		wasted:     allButOne,
		wastedTime: repeatsTime,
		Rule: Rule{"NPlusOneQuery", "N+1 queries",
			"The same query runs once per item of a loop: load the related rows for all items at once (eager loading)."},
		Panel: Panel{"N+1 queries",
			"One normalized statement run again and again under one parent, with different values: one query per item of a loop.", 1},
	},
	{
		Name: TypePaginationCount, Group: true,
		Enabled:    func(c *Config) *bool { return &c.PaginationCount.Enabled },
		setDefault: func(c *Config) { c.PaginationCount = PaginationCountConfig{Enabled: true} },
		detector:   func(c Config) Detector { return paginationCount{c.PaginationCount} },
		// The count query.
		wasted:     func(*Finding) int { return 1 },
		wastedTime: countTime,
		Rule: Rule{"PaginationCount", "COUNT(*) for every page",
			"A COUNT(*) of the whole result runs beside every page: drop, cache or estimate the total."},
		Panel: Panel{"Page counts",
			"A COUNT(*) for the page total beside every LIMIT/OFFSET page query.", 5},
	},
	{
		Name: TypeNPlusOneAPI, Group: true,
		Enabled:    func(c *Config) *bool { return &c.NPlusOneAPI.Enabled },
		setDefault: func(c *Config) { c.NPlusOneAPI = NPlusOneAPIConfig{Enabled: true, MinRepeats: 5} },
		detector:   func(c Config) Detector { return nPlusOneAPI{c.NPlusOneAPI} },
		wasted:     allButOne,
		wastedTime: repeatsTime,
		Rule: Rule{"NPlusOneAPICall", "N+1 HTTP calls",
			"The same HTTP route is called once per item: call a batch endpoint once."},
		Panel: Panel{"N+1 HTTP calls",
			"One HTTP route of another service called once per item, under one parent.", 4},
	},
	{
		// After the loops: its repeats under a template are those no loop
		// finding took. Its findings on an exception have no members.
		Name: TypeLazyLoadOutOfScope, Group: true, Memberless: true,
		Enabled: func(c *Config) *bool { return &c.LazyLoadOutOfScope.Enabled },
		setDefault: func(c *Config) {
			c.LazyLoadOutOfScope = LazyLoadOutOfScopeConfig{Enabled: true, MinTemplateRepeats: 2}
		},
		detector: func(c Config) Detector { return lazyLoadOutOfScope{c.LazyLoadOutOfScope} },
		// A template's repeats are one query once the relation is loaded
		// eagerly; an exception or a late query wastes none, it is misplaced.
		wasted: func(f *Finding) int {
			if f.Reason == ReasonTemplate {
				return f.Count - 1
			}
			return 0
		},
		wastedTime: func(t *traceview.Trace, f *Finding) time.Duration {
			if f.Reason == ReasonTemplate {
				return repeatsTime(t, f)
			}
			return 0
		},
		Rule: Rule{"LazyLoadOutOfScope", "Lazy load out of scope",
			"A related object is loaded lazily outside the session or request that read its parent (the ORM raised its lazy-load exception, or a template queried it per item): load it eagerly inside that scope."},
		Panel: Panel{"Lazy loads out of scope",
			"A relation loaded lazily after its session or request was done: an ORM's lazy-load exception (DetachedInstanceError, LazyInitializationException, StrictLoadingViolationError, LazyLoadingViolationException), or a template querying per item.", 9},
	},
	{
		Name:    TypeOverFetch,
		Enabled: func(c *Config) *bool { return &c.OverFetch.Enabled },
		setDefault: func(c *Config) {
			c.OverFetch = OverFetchConfig{Enabled: true, MaxReturnedRows: 1000}
		},
		detector: func(c Config) Detector { return overFetch{c.OverFetch} },
		Rule: Rule{"OverFetch", "Whole rows or too many rows",
			"SELECT * reads whole rows where a few columns are used, or a query returns far more rows than needed."},
		Panel: Panel{"Whole rows read",
			"SELECT * (or table.*) over a table, or far more rows returned than a request can use.", 6},
	},
	{
		Name:       TypeDeepOffset,
		Enabled:    func(c *Config) *bool { return &c.DeepOffset.Enabled },
		setDefault: func(c *Config) { c.DeepOffset = DeepOffsetConfig{Enabled: true, MinOffset: 1000} },
		detector:   func(c Config) Detector { return deepOffset{c.DeepOffset} },
		Rule: Rule{"DeepOffset", "Deep OFFSET pagination",
			"LIMIT/OFFSET paging deep into a result reads and drops every skipped row: page by key."},
		Panel: Panel{"Deep OFFSET pages",
			"LIMIT/OFFSET paging deep into a result: every page reads and drops the rows before it.", 7},
	},
	{
		Name:       TypePagedToManyJoin,
		Enabled:    func(c *Config) *bool { return &c.PagedToManyJoin.Enabled },
		setDefault: func(c *Config) { c.PagedToManyJoin = PagedToManyJoinConfig{Enabled: true} },
		detector:   func(c Config) Detector { return pagedToManyJoin{c.PagedToManyJoin} },
		Rule: Rule{"PagedToManyJoin", "LIMIT over a to-many join",
			"A LIMIT pages the rows of a join to a to-many child, not the parents: page the parent ids first, then load the children."},
		Panel: Panel{"Pages over a to-many join",
			"A LIMIT over the rows of a JOIN to a to-many child: a page counts joined rows, not parents.", 8},
	},
}

// allButOne: the repeats a fix removes, all but the one it keeps.
func allButOne(f *Finding) int { return f.Count - 1 }

// repeatsTime is how long the runs a fix removes took: of each statement (or
// HTTP route) among the members, all runs but one, at their mean duration.
func repeatsTime(t *traceview.Trace, f *Finding) time.Duration {
	type runs struct {
		key   string
		n     int
		total time.Duration
	}
	var byKey []runs
	for _, m := range f.Members {
		s := &t.Spans[m]
		key := ""
		switch {
		case s.DB != nil && s.DB.Statement != nil:
			key = s.DB.Statement.Fingerprint
		case s.HTTP != nil:
			key = s.HTTP.Route()
		}
		k := slices.IndexFunc(byKey, func(r runs) bool { return r.key == key })
		if k < 0 {
			k = len(byKey)
			byKey = append(byKey, runs{key: key})
		}
		byKey[k].n++
		byKey[k].total += s.Duration()
	}
	var wasted time.Duration
	for _, r := range byKey {
		wasted += r.total * time.Duration(r.n-1) / time.Duration(r.n)
	}
	return wasted
}

// countTime is how long the count beside a page took: the query a fix drops.
func countTime(t *traceview.Trace, f *Finding) time.Duration {
	for _, m := range f.Members {
		if db := t.Spans[m].DB; db != nil && db.Statement != nil && db.Statement.Count {
			return t.Spans[m].Duration()
		}
	}
	return 0
}

// Types lists every finding type, in precedence order.
var Types = func() []string {
	names := make([]string, len(Kinds))
	for i := range Kinds {
		names[i] = Kinds[i].Name
	}
	return names
}()

// KindOf returns the finding type named name.
func KindOf(name string) (*Kind, bool) {
	for i := range Kinds {
		if Kinds[i].Name == name {
			return &Kinds[i], true
		}
	}
	return nil, false
}

// DefaultConfig is a configuration that needs no tuning on a typical service.
func DefaultConfig() Config {
	var c Config
	for i := range Kinds {
		Kinds[i].setDefault(&c)
	}
	return c
}

// atLeast names a setting below the least value it allows.
func atLeast[T int | int64](name string, got, least T) error {
	if got < least {
		return fmt.Errorf("%s must be at least %d, got %d", name, least, got)
	}
	return nil
}

// notNegative names a duration setting below zero.
func notNegative(name string, d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%s must be 0 or more, got %s", name, d)
	}
	return nil
}
