package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// EnvPrefix starts every environment variable the chatbot reads.
const EnvPrefix = "CHATBOT"

// FlagConfig names the YAML configuration file; CHATBOT_CONFIG does the same.
const FlagConfig = "config"

// Error is a configuration problem: the key that is wrong and why, printed as one line.
type Error struct {
	Key     string
	Problem string
}

// Error prints the problem as one line: "config: <key>: <problem>".
func (e *Error) Error() string { return "config: " + e.Key + ": " + e.Problem }

func problem(key, format string, args ...any) *Error {
	return &Error{Key: key, Problem: fmt.Sprintf(format, args...)}
}

// AddFlags registers on fs the flags that override configuration keys: --config and, for each
// name given, the key whose Flag it is (e.g. "listen", "redis-addr", "kb-dir", "log-level").
// Commands register only the flags that mean something to them.
func AddFlags(fs *pflag.FlagSet, flags ...string) {
	if fs.Lookup(FlagConfig) == nil {
		fs.String(FlagConfig, "", "YAML configuration file (env "+envName(FlagConfig)+")")
	}
	for _, name := range flags {
		k, ok := keyByFlag(name)
		if !ok {
			panic("config: no key has the flag --" + name) // a programming error in a command
		}
		def := fmt.Sprint(k.Default)
		if d, ok := k.Default.(time.Duration); ok {
			def = d.String()
		}
		fs.String(name, def, k.Usage+" (key "+k.Name+", env "+k.Env()+")")
	}
}

// Load reads the configuration: built-in defaults < YAML file < CHATBOT_* env < flags set on fs
// (fs may be nil). A problem is returned as an *Error naming the key.
func Load(fs *pflag.FlagSet) (*Config, error) {
	v := viper.New()
	for _, k := range Keys {
		v.SetDefault(k.Name, k.Default)
	}
	v.SetDefault(FlagConfig, "")
	v.SetEnvPrefix(EnvPrefix)
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if fs != nil {
		if err := bindFlags(v, fs); err != nil {
			return nil, err
		}
	}
	if file := v.GetString(FlagConfig); file != "" {
		if err := readFile(v, file); err != nil {
			return nil, err
		}
	}

	var c Config
	hook := mapstructure.ComposeDecodeHookFunc(durationHook, mapstructure.StringToSliceHookFunc(","))
	if err := v.Unmarshal(&c, viper.DecodeHook(hook)); err != nil {
		return nil, decodeProblem(err)
	}
	c.normalise()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func bindFlags(v *viper.Viper, fs *pflag.FlagSet) error {
	if f := fs.Lookup(FlagConfig); f != nil {
		if err := v.BindPFlag(FlagConfig, f); err != nil {
			return fmt.Errorf("config: bind --%s: %w", FlagConfig, err)
		}
	}
	for _, k := range Keys {
		if k.Flag == "" {
			continue
		}
		if f := fs.Lookup(k.Flag); f != nil {
			if err := v.BindPFlag(k.Name, f); err != nil {
				return fmt.Errorf("config: bind --%s: %w", k.Flag, err)
			}
		}
	}
	return nil
}

// readFile merges the YAML file into v and rejects keys the chatbot does not know, so a typo in
// the file is reported instead of silently ignored.
func readFile(v *viper.Viper, file string) error {
	v.SetConfigFile(file)
	v.SetConfigType("yaml")
	if err := v.ReadInConfig(); err != nil {
		return problem(FlagConfig, "%s: %s", file, firstLine(err.Error()))
	}
	known := map[string]bool{FlagConfig: true}
	for _, k := range Keys {
		known[k.Name] = true
	}
	var unknown []string
	for _, key := range v.AllKeys() {
		if !known[key] {
			unknown = append(unknown, key)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return problem(unknown[0], "unknown key in %s", file)
	}
	return nil
}

var durationType = reflect.TypeFor[time.Duration]()

// durationHook parses durations and refuses bare numbers, which would otherwise silently mean
// nanoseconds ("ttl: 30" is not 30 minutes).
func durationHook(from, to reflect.Type, data any) (any, error) {
	if to != durationType {
		return data, nil
	}
	switch from.Kind() {
	case reflect.String:
		d, err := time.ParseDuration(strings.TrimSpace(data.(string)))
		if err != nil {
			return nil, fmt.Errorf("invalid duration %q (use a unit: 30s, 5m, 1h)", data)
		}
		return d, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if from == durationType { // a built-in default, already a duration
			return data, nil
		}
		return nil, fmt.Errorf("invalid duration %v (use a unit: 30s, 5m, 1h)", data)
	}
	return data, nil
}

// decodeProblem turns a mapstructure error into one line naming the key.
func decodeProblem(err error) error {
	var de *mapstructure.DecodeError
	if !errors.As(err, &de) {
		return fmt.Errorf("config: %s", firstLine(err.Error()))
	}
	cause := de.Unwrap()
	var pe *mapstructure.ParseError
	var ue *mapstructure.UnconvertibleTypeError
	switch {
	case errors.As(cause, &pe):
		return problem(de.Name(), "%s", wantMessage(pe.Expected.Kind(), pe.Value))
	case errors.As(cause, &ue):
		return problem(de.Name(), "%s", wantMessage(ue.Expected.Kind(), ue.Value))
	}
	return problem(de.Name(), "%s", firstLine(cause.Error()))
}

func wantMessage(kind reflect.Kind, value any) string {
	want := map[reflect.Kind]string{
		reflect.Int:     "a whole number",
		reflect.Float64: "a number",
		reflect.Bool:    "true or false",
		reflect.String:  "text",
		reflect.Slice:   "a list",
	}[kind]
	if want == "" {
		want = kind.String()
	}
	return fmt.Sprintf("%q is not %s", fmt.Sprint(value), want)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimSpace(s)
}

func envName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

func keyByFlag(flag string) (Key, bool) {
	for _, k := range Keys {
		if k.Flag == flag {
			return k, true
		}
	}
	return Key{}, false
}
