package channels_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/channels"
)

// TestChatPageSocketsPerIP: this address already holds as many sockets as the server allows, so
// the page's socket is refused with 429, which the browser hides. The page says to close other
// chat windows, gives the issuer's number and a retry, and connects once a socket is free.
func TestChatPageSocketsPerIP(t *testing.T) {
	ctx := browser(t)
	ts := memoryBotServer(t, channels.Options{Logger: quiet, MaxSocketsPerIP: 1})
	other := dial(t, ts, nil) // another chat window of the same person

	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(ts.http.URL+"/?issuer=cmb"),
		waitFor(`document.getElementById('problem').getAttribute('data-problem') === 'per_ip'`),
		waitFor(`document.getElementById('problem-call').innerText.includes('95555')`),
	))
	assert.Contains(t, eval[string](ctx, t, `document.getElementById('problem-text').innerText`), "关掉其他聊天窗口")
	assert.Contains(t, eval[string](ctx, t, `document.getElementById('problem-call').innerText`), "招商银行客服电话：95555")
	assert.True(t, eval[bool](ctx, t, `!document.getElementById('problem-retry').hidden`), "a retry button")
	screenshot(ctx, t, "chat-sockets-per-ip-phone.png")

	require.NoError(t, other.ws.Close())
	require.Eventually(t, func() bool { return openSockets(t, ts, 0) }, 20*time.Second, 100*time.Millisecond)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#problem-retry")),
		waitFor(`document.getElementById('problem').hidden && !!localStorage.getItem('chatbot.session')`),
	))
}

// TestWidgetServerFull: the chat server holds all the sockets it may. The widget does not open a
// chat that cannot connect: it says so, gives the issuer's number, and its retry opens the chat
// once there is room.
func TestWidgetServerFull(t *testing.T) {
	ctx := browser(t)
	bankOrigin, setTag := bankPage(t)
	ts := memoryBotServer(t, channels.Options{Logger: quiet, AllowedOrigins: []string{bankOrigin}, MaxSockets: 1, MaxSocketsPerIP: -1})
	setTag(fmt.Sprintf(`<script src="%s/widget.js" data-issuer="cmb" async></script>`, ts.http.URL))
	taken := dial(t, ts, nil)
	notice := openWidgetNotice(ctx, t, bankOrigin)
	text := eval[string](ctx, t, notice+`.innerText`)
	assert.Contains(t, text, "在线咨询的人太多")
	assert.Contains(t, text, "招商银行客服电话：95555", "the issuer's own number")
	assert.Equal(t, 0, eval[int](ctx, t, widgetJS+`.querySelectorAll('iframe').length`), "no chat that cannot connect")
	screenshot(ctx, t, "widget-sockets-full.png")

	require.NoError(t, taken.ws.Close())
	require.Eventually(t, func() bool { return openSockets(t, ts, 0) }, 20*time.Second, 100*time.Millisecond)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](notice+`.querySelector('button.primary').click()`),
		waitFor(`!!`+widgetJS+`.querySelector('iframe') && !`+notice),
	))
	assert.Eventually(t, func() bool { return openSockets(t, ts, 1) }, 20*time.Second, 100*time.Millisecond, "the framed chat connects")
}

// openSockets: the server holds exactly n websockets.
func openSockets(t *testing.T, ts *testServer, n int) bool {
	return strings.Contains(metricsText(t, ts), fmt.Sprintf("chatbot_open_sockets %d\n", n))
}
