package channels

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"chatbot/channels/limit"
)

func TestOptionsDefaults(t *testing.T) {
	tests := []struct {
		name  string
		in    Options
		check func(t *testing.T, o Options)
	}{
		{"zero values take the documented defaults", Options{}, func(t *testing.T, o Options) {
			assert.EqualValues(t, DefaultMaxFrameBytes, o.MaxFrameBytes)
			assert.EqualValues(t, DefaultHardFrameBytes, o.HardFrameBytes)
			assert.Equal(t, limit.Rate{Limit: 60, Per: time.Minute}, o.SessionRate)
			assert.Equal(t, limit.Rate{Limit: 1200, Per: time.Minute}, o.IPRate)
			assert.Equal(t, DefaultSendQueue, o.SendQueue)
			assert.Equal(t, DefaultPongWait, o.PongWait)
			assert.Equal(t, DefaultPongWait/2, o.PingPeriod)
			assert.NotNil(t, o.Logger)
		}},
		{"a hard cap below the soft limit is raised to it", Options{MaxFrameBytes: 100, HardFrameBytes: 50}, func(t *testing.T, o Options) {
			assert.EqualValues(t, 100, o.HardFrameBytes)
		}},
		{"pings must come before the pong wait ends", Options{PongWait: time.Second, PingPeriod: 2 * time.Second}, func(t *testing.T, o Options) {
			assert.Equal(t, 500*time.Millisecond, o.PingPeriod)
		}},
		{"a queue holds at least a welcome and a reply", Options{SendQueue: 1}, func(t *testing.T, o Options) {
			assert.Equal(t, 2, o.SendQueue)
		}},
		{"a negative rate stays off", Options{SessionRate: limit.Rate{Limit: -1}}, func(t *testing.T, o Options) {
			assert.True(t, o.SessionRate.Unlimited())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, tt.in.withDefaults()) })
	}
}

func TestPeekID(t *testing.T) {
	tests := map[string]string{
		`{"type":"message","id":"c1","text":5}`: "c1",
		`{"id":7}`:                              "",
		`{"id":"has space"}`:                    "",
		`{"type":`:                              "",
		`[1,2]`:                                 "",
	}
	for in, want := range tests {
		assert.Equal(t, want, peekID([]byte(in)), in)
	}
}

func BenchmarkDecodeFrame(b *testing.B) {
	data := []byte(`{"type":"message","id":"c0123456789abcdef","text":"信用卡逾期了怎么跟银行协商"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, bad := decodeFrame(data, DefaultMaxFrameBytes); bad != nil {
			b.Fatal(bad.Code)
		}
	}
}
