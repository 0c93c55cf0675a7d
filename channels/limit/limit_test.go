package limit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRate(t *testing.T) {
	tests := []struct {
		rate      Rate
		unlimited bool
		text      string
	}{
		{Rate{Limit: 60, Per: time.Minute}, false, "60 per 1m0s"},
		{Rate{Limit: -1, Per: time.Minute}, true, "unlimited"},
		{Rate{Limit: 5}, true, "unlimited"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.unlimited, tt.rate.Unlimited(), tt.text)
		assert.Equal(t, tt.text, tt.rate.String())
	}
}
