package detect

// Config holds the settings of every detector, as the processor, the connector
// and the command-line tool read them.
type Config struct {
	NPlusOne NPlusOneConfig `mapstructure:"n_plus_one"`
}

// DefaultConfig is a configuration that needs no tuning on a typical service.
func DefaultConfig() Config {
	return Config{
		NPlusOne: NPlusOneConfig{Enabled: true, MinRepeats: 5},
	}
}

// Detector finds one type of trap. Group detectors skip spans already claimed
// and claim their members; they run in precedence order (see New).
type Detector interface {
	Type() string
	Detect(in *Input) []Finding
}

// New returns the enabled detectors in precedence order: a span is a member of
// at most one group finding, mn_plus_one > duplicate_query > n_plus_one.
func New(c Config) []Detector {
	var ds []Detector
	if c.NPlusOne.Enabled {
		ds = append(ds, nPlusOne{c.NPlusOne})
	}
	return ds
}

// Run runs the detectors over one trace and returns their findings in order.
func Run(detectors []Detector, in *Input) []Finding {
	var all []Finding
	for _, d := range detectors {
		all = append(all, d.Detect(in)...)
	}
	return all
}
