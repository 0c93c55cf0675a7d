package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADMEListsEveryKey keeps the README's configuration table true: every key with its flag,
// environment variable and default, and no key that does not exist.
func TestREADMEListsEveryKey(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	rows := map[string][]string{} // key -> cells
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) == 5 && strings.HasPrefix(cells[0], "`") && strings.Contains(cells[2], "CHATBOT_") {
			rows[strings.Trim(cells[0], "`")] = cells
		}
	}
	for _, k := range Keys {
		t.Run(k.Name, func(t *testing.T) {
			cells, ok := rows[k.Name]
			require.True(t, ok, "README has no row for %s", k.Name)
			delete(rows, k.Name)
			flag := ""
			if k.Flag != "" {
				flag = "`--" + k.Flag + "`"
			}
			assert.Equal(t, flag, cells[1], "flag")
			assert.Equal(t, "`"+k.Env()+"`", cells[2], "env")
			if def := defaultText(k.Default); def == "" {
				assert.True(t, strings.HasPrefix(cells[3], "empty"), "default: want empty…, got %s", cells[3])
			} else {
				assert.True(t, strings.HasPrefix(cells[3], "`"+def+"`"), "README.md says %s, the default is `%s` (dialog defaults come from dialog.DefaultConfig): update the README", cells[3], def)
			}
		})
	}
	for key := range rows {
		t.Errorf("README lists %s, which is not a configuration key", key)
	}
}

// defaultText writes a default the way the README shows it ("" for empty values).
func defaultText(v any) string {
	switch v := v.(type) {
	case time.Duration:
		s := v.String()
		if strings.HasSuffix(s, "m0s") {
			s = strings.TrimSuffix(s, "0s")
		}
		if strings.HasSuffix(s, "h0m") {
			s = strings.TrimSuffix(s, "0m")
		}
		return s
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case []string:
		return strings.Join(v, ",")
	}
	return fmt.Sprint(v)
}
