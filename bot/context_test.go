package bot

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenWithContext: the page's issuer and channel are kept by the session, answer with the
// issuer's numbers, and are refused when the bot cannot use them.
func TestOpenWithContext(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	s, err := f.bot.OpenWith(ctx, "", Context{Issuer: "cmb", Channel: ChannelWeb})
	require.NoError(t, err)
	assert.Equal(t, Context{Issuer: "cmb", Channel: ChannelWeb}, s.Context)

	out := f.say(t, s.ID, "c1", "客服电话是多少")
	assert.Contains(t, out.Text, "95555", "the issuer's hotline")
	assert.NotContains(t, out.Text, "95588", "no other bank's number")

	t.Run("kept on resume without context", func(t *testing.T) {
		again, err := f.bot.OpenWith(ctx, s.ID, Context{})
		require.NoError(t, err)
		assert.True(t, again.Resumed)
		assert.Equal(t, Context{Issuer: "cmb", Channel: ChannelWeb}, again.Context)
	})

	t.Run("another bank's site takes the session over", func(t *testing.T) {
		moved, err := f.bot.OpenWith(ctx, s.ID, Context{Issuer: "ccb"})
		require.NoError(t, err)
		assert.True(t, moved.Resumed)
		assert.Equal(t, Context{Issuer: "ccb", Channel: ChannelWeb}, moved.Context)
		out := f.say(t, s.ID, "c2", "我要查客服电话")
		assert.Contains(t, out.Text, "95533")
	})

	for name, tc := range map[string]struct {
		c    Context
		want error
	}{
		"unknown issuer":  {Context{Issuer: "nosuchbank"}, ErrUnknownIssuer},
		"unknown channel": {Context{Channel: "fax"}, ErrBadChannel},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.bot.OpenWith(ctx, "", tc.c)
			assert.ErrorIs(t, err, tc.want)
			_, err = f.bot.OpenWith(ctx, s.ID, tc.c)
			assert.ErrorIs(t, err, tc.want, "also on resume")
		})
	}
}

func TestIssuer(t *testing.T) {
	f := newFixture(t)
	cmb, ok := f.bot.Issuer("cmb")
	require.True(t, ok)
	assert.Equal(t, Issuer{ID: "cmb", Name: "招商银行", Hotline: "95555", CardLine: "400-820-5555"}, cmb)
	spdb, ok := f.bot.Issuer("spdb")
	require.True(t, ok)
	assert.Empty(t, spdb.Hotline, "no number the facts do not confirm")
	_, ok = f.bot.Issuer("nosuchbank")
	assert.False(t, ok)
}
