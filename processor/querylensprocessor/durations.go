package querylensprocessor

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"go.opentelemetry.io/collector/confmap"
)

// durationUnits are the units a duration setting is written with.
const durationUnits = "ns, us (or µs), ms, s, m, h"

// Unmarshal reads the settings as the collector does, after checking every
// duration setting: a number without a unit (read as nanoseconds: 5 is
// 5ns) and a text that is no duration are refused, naming the setting, the
// value and the units. The collector and `querylens analyze --config` both
// read the configuration through it.
func (c *Config) Unmarshal(conf *confmap.Conf) error {
	if err := checkDurations(conf, reflect.TypeOf(*c), ""); err != nil {
		return err
	}
	return conf.Unmarshal(c)
}

var durationType = reflect.TypeOf(time.Duration(0))

// checkDurations checks the duration settings of the struct type t found in
// conf, under the key prefix.
func checkDurations(conf *confmap.Conf, t reflect.Type, prefix string) error {
	var errs []error
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		switch {
		case f.Type == durationType:
			if conf.IsSet(key) {
				errs = append(errs, checkDuration(strings.ReplaceAll(key, confmap.KeyDelimiter, "::"), conf.Get(key)))
			}
		case f.Type.Kind() == reflect.Struct:
			errs = append(errs, checkDurations(conf, f.Type, key+confmap.KeyDelimiter))
		}
	}
	return errors.Join(errs...)
}

// checkDuration checks one duration setting's value as written.
func checkDuration(key string, v any) error {
	switch v := v.(type) {
	case nil, time.Duration:
		return nil
	case string:
		if _, err := time.ParseDuration(strings.TrimSpace(v)); err != nil {
			return fmt.Errorf("%s: %q is not a duration: write a number with its unit, one of %s, e.g. 5s", key, v, durationUnits)
		}
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		if fmt.Sprint(v) != "0" {
			return fmt.Errorf("%s: %v has no unit (a number alone is read as nanoseconds): write it with one, %s, e.g. %vs", key, v, durationUnits, v)
		}
	default:
		return fmt.Errorf("%s: %v is not a duration: write a number with its unit, one of %s, e.g. 5s", key, v, durationUnits)
	}
	return nil
}
