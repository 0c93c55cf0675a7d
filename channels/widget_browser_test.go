package channels_test

// The widget and the chat page as a bank's integrators and cardholders use them, in the shared
// headless Chromium: hostile host CSS, phones, the JavaScript API, the issuer's context, input
// methods, screen readers and keyboards, and every state in which the chat cannot start.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/bottest"
	"chatbot/bot/session"
	"chatbot/channels"
	"chatbot/dialog"
)

// frameJS is the document of the chat page inside the widget (same origin on /demo).
const frameJS = widgetJS + `.querySelector('iframe').contentDocument`

// rect is an element's box as getBoundingClientRect gives it.
type rect struct{ Left, Top, Right, Bottom, Width, Height float64 }

func boxOf(ctx context.Context, t *testing.T, expr string) rect {
	t.Helper()
	return eval[rect](ctx, t, `(() => { const r = (`+expr+`).getBoundingClientRect();
		return {Left: r.left, Top: r.top, Right: r.right, Bottom: r.bottom, Width: r.width, Height: r.height}; })()`)
}

func TestDemoPageWithHostileCSS(t *testing.T) {
	ctx := browser(t)
	ts := memoryBotServer(t, channels.Options{})
	launcher := widgetJS + `.querySelector('.launcher')`
	panel := widgetJS + `.querySelector('.panel')`
	iframe := widgetJS + `.querySelector('iframe')`

	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(ts.http.URL+"/demo"),
		waitFor(`document.body.hasAttribute('data-demo-ready') && !!document.querySelector('chatbot-widget')`),
	))

	// The bank's !important rules on every button, div and [aria-expanded] do not reach the launcher.
	style := eval[map[string]string](ctx, t, `(() => { const s = getComputedStyle(`+launcher+`);
		return {bg: s.backgroundColor, size: s.fontSize, display: s.display, border: s.borderTopStyle, transform: s.transform}; })()`)
	assert.Equal(t, map[string]string{"bg": "rgb(122, 31, 31)", "size": "16px", "display": "flex", "border": "none", "transform": "none"}, style,
		"the launcher keeps data-color and its own look")
	l := boxOf(ctx, t, launcher)
	assert.InDelta(t, 1260, l.Right, 1, "20 px from the right edge (data-position=right)")
	assert.InDelta(t, 780, l.Bottom, 1)
	assert.InDelta(t, 52, l.Height, 1)
	// ...and the widget's CSS does not reach the bank's page.
	assert.Equal(t, "rgb(255, 230, 0)", eval[string](ctx, t, `getComputedStyle(document.getElementById('demo-open')).backgroundColor`))

	// The bank's own button sends a question through the JavaScript API.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#demo-ask")),
		waitFor(`!!`+iframe+` && !!`+frameJS+` && `+frameJS+`.querySelectorAll('.msg.bot[data-reply]').length === 1`),
		waitFor(`document.getElementById('events').textContent.includes('reply {')`),
	))
	assert.Contains(t, eval[string](ctx, t, `document.getElementById('events').textContent`), "open",
		"the page heard open and reply events")
	p, f := boxOf(ctx, t, panel), boxOf(ctx, t, iframe)
	assert.InDelta(t, 380, p.Width, 1)
	assert.InDelta(t, 1260, p.Right, 1)
	assert.LessOrEqual(t, p.Height, 640.0)
	assert.Equal(t, p, f, "the chat fills the panel: no host padding, border or rotation")
	assert.Greater(t, boxOf(ctx, t, frameJS+`.querySelector('#input')`).Width, 250.0)
	screenshot(ctx, t, "demo-desktop.png")

	// data-issuer="cmb": the answers give only that bank's numbers.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`ChatbotWidget.send('客服电话是多少')`),
		waitFor(frameJS+`.querySelectorAll('.msg.bot[data-reply]').length === 2`),
	))
	hotline := eval[string](ctx, t, `[...`+frameJS+`.querySelectorAll('.msg.bot[data-reply]')].pop().innerText`)
	assert.Contains(t, hotline, "95555")
	assert.NotContains(t, hotline, "95588")

	// Escape inside the chat closes the widget and gives focus back to the launcher.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](frameJS+`.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))`),
		waitFor(`(`+panel+`).hidden && !(`+launcher+`).hidden`),
	))
	assert.True(t, eval[bool](ctx, t, widgetJS+`.activeElement === `+launcher))
	// Escape on the bank's page too.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](launcher+`.click()`),
		waitFor(`!(`+panel+`).hidden`),
		chromedp.Evaluate[chromedp.Void](`document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))`),
		waitFor(`(`+panel+`).hidden`),
	))

	// A 390 px phone (the page loaded there, as a phone would): the open chat is the whole screen.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)),
		chromedp.Navigate(ts.http.URL+"/demo"),
		waitFor(`!!window.ChatbotWidget && !!document.querySelector('chatbot-widget')`),
		chromedp.Evaluate[chromedp.Void](`ChatbotWidget.open()`),
		waitFor(`(`+launcher+`).hidden && !!`+iframe+` && !!`+frameJS+` && `+frameJS+`.querySelectorAll('.msg.bot[data-reply]').length === 2`),
	))
	p = boxOf(ctx, t, panel)
	assert.Equal(t, rect{Right: 390, Bottom: 844, Width: 390, Height: 844}, p)
	composer := boxOf(ctx, t, frameJS+`.querySelector('#composer')`)
	assert.InDelta(t, 390, composer.Width, 1, "the chat uses the whole width")
	assert.LessOrEqual(t, composer.Bottom, 844.0, "the input is on screen")
	time.Sleep(300 * time.Millisecond) // let the frame paint the resumed conversation
	screenshot(ctx, t, "demo-phone.png")
	// The smallest phone, 320 px, and a phone held sideways: still the whole screen.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(320, 568, chromedp.EmulateMobile, chromedp.EmulateTouch)))
	assert.Equal(t, rect{Right: 320, Bottom: 568, Width: 320, Height: 568}, boxOf(ctx, t, panel))
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(844, 390, chromedp.EmulateMobile, chromedp.EmulateTouch)))
	assert.Equal(t, rect{Right: 844, Bottom: 390, Width: 844, Height: 390}, boxOf(ctx, t, panel))
}

// contrastJS defines ratio(a, b), the WCAG contrast of two CSS colours.
const contrastJS = `
	const rgb = c => c.match(/[\d.]+/g).slice(0, 3).map(Number);
	const lum = c => { const l = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
		return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
	const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
	const css = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];`

func TestChatPageKeyboardIMEAndScreenReaders(t *testing.T) {
	ctx := browser(t)
	ts := memoryBotServer(t, channels.Options{})
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(ts.http.URL+"/"),
		waitFor(`!!localStorage.getItem('chatbot.session')`),
	))
	// The typing status is announced once however many turns there are.
	eval[chromedp.Void](ctx, t, `(() => { window.typingSaid = 0;
		new MutationObserver(() => { if (document.getElementById('announce').textContent.includes('正在回复')) window.typingSaid++; })
			.observe(document.getElementById('announce'), {childList: true, characterData: true, subtree: true}); })()`)

	require.True(t, eval[bool](ctx, t, `new KeyboardEvent('keydown', {keyCode: 229}).keyCode === 229`),
		"this browser lets a test set keyCode")
	sent := func() int { return count(ctx, t, ".msg.user") }
	type ev struct{ name, js string }
	start := ev{"compositionstart", `i.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}))`}
	end := ev{"compositionend", `i.dispatchEvent(new CompositionEvent('compositionend', {data: '你好'}))`}
	enter := func(keyCode int, composing bool) ev {
		return ev{fmt.Sprintf("keydown Enter keyCode=%d isComposing=%v", keyCode, composing),
			fmt.Sprintf(`i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter', keyCode: %d, which: %d, isComposing: %v, bubbles: true, cancelable: true}))`,
				keyCode, keyCode, composing)}
	}
	for _, order := range []struct {
		name   string
		events []ev
	}{
		{"Chrome: Enter while composing, then compositionend", []ev{start, enter(229, true), end}},
		{"Safari: compositionend, then Enter with keyCode 229", []ev{start, end, enter(229, false)}},
		{"a keyboard that only sends keyCode 229", []ev{enter(229, false)}},
		{"Enter between compositionstart and compositionend", []ev{start, enter(13, false), end}},
	} {
		t.Run(order.name, func(t *testing.T) {
			js := []string{`const i = document.getElementById('input'); i.focus(); i.value = 'ni hao';`}
			for _, e := range order.events {
				js = append(js, e.js+";")
			}
			eval[chromedp.Void](ctx, t, `(() => {`+strings.Join(js, "\n")+`})()`)
			time.Sleep(200 * time.Millisecond) // a send would show its bubble at once
			assert.Equal(t, 0, sent(), "half-typed pinyin was sent")
			assert.Equal(t, "ni hao", eval[string](ctx, t, `document.getElementById('input').value`))
		})
	}
	// A plain Enter sends.
	eval[chromedp.Void](ctx, t, `(() => { const i = document.getElementById('input'); i.value = '`+negotiateQuestion+`';
		i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', keyCode: 13, bubbles: true, cancelable: true})); })()`)
	require.NoError(t, chromedp.Do(ctx, waitFor(`document.querySelectorAll('.msg.bot[data-reply]').length === 1`)))
	assert.Equal(t, 1, sent())

	// Who said what, for screen readers.
	assert.Equal(t, "您说：", eval[string](ctx, t, `document.querySelector('.msg.user .speaker').textContent`))
	assert.Equal(t, "助手说：", eval[string](ctx, t, `document.querySelector('.msg.bot[data-reply] .speaker').textContent`))

	// The same question again: a pointer to the answer above, which the link reaches.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#input"), negotiateQuestion),
		chromedp.Click(chromedp.CSS("#send")),
		waitFor(`document.querySelectorAll('.msg.bot[data-reply]').length === 2`),
	))
	pointer := eval[string](ctx, t, `document.querySelector('.msg.bot[data-reply="s2"] a').getAttribute('href')`)
	assert.Equal(t, "#reply-s1", pointer)
	assert.True(t, eval[bool](ctx, t, `!!document.getElementById('reply-s1').querySelector('.feedback')`), "the link reaches the full answer")
	assert.Less(t, eval[int](ctx, t, `document.querySelector('.msg.bot[data-reply="s2"] .body').innerText.length`), 120)

	// After a choice, focus is back in the input (not on the page body).
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.msg.bot[data-reply="s2"] .choice`)),
		waitFor(`document.querySelectorAll('.msg.bot[data-reply]').length === 3`),
	))
	assert.Equal(t, "input", eval[string](ctx, t, `document.activeElement.id`))
	assert.Equal(t, 1, eval[int](ctx, t, `window.typingSaid`), "「助手正在回复」 announced once over three turns")

	// Contrast: text 4.5:1, borders and focus rings 3:1.
	contrasts := eval[map[string]float64](ctx, t, `(() => {`+contrastJS+`
		document.getElementById('input').focus();
		return {
			text: ratio(css('.msg.bot[data-reply] .bubble', 'color'), css('.msg.bot[data-reply] .bubble', 'backgroundColor')),
			muted: ratio(css('.disclaimer', 'color'), css('.disclaimer', 'backgroundColor')),
			choice: ratio(css('.msg.bot .choice', 'color'), 'rgb(255, 255, 255)'),
			header: ratio(css('.chat-header', 'color'), css('.chat-header', 'backgroundColor')),
			inputBorder: ratio(css('#input', 'borderTopColor'), css('.composer', 'backgroundColor')),
			focusRing: ratio(css('#input', 'outlineColor'), css('.composer', 'backgroundColor')),
			feedbackBorder: ratio(css('.feedback button', 'borderTopColor'), css('.log', 'backgroundColor')),
		}; })()`)
	for name, min := range map[string]float64{"text": 4.5, "muted": 4.5, "choice": 4.5, "header": 4.5,
		"inputBorder": 3, "focusRing": 3, "feedbackBorder": 3} {
		assert.GreaterOrEqual(t, contrasts[name], min, "contrast of %s", name)
	}

	// 「新对话」 asks first; cancelling keeps everything.
	session := eval[string](ctx, t, `localStorage.getItem('chatbot.session')`)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#restart")),
		waitFor(`!document.getElementById('confirm-restart').hidden`),
	))
	assert.Equal(t, "restart-yes", eval[string](ctx, t, `document.activeElement.id`))
	screenshot(ctx, t, "chat-confirm-restart.png")
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#restart-no"))))
	assert.Equal(t, 3, sent(), "cancel keeps the conversation")
	assert.Equal(t, session, eval[string](ctx, t, `localStorage.getItem('chatbot.session')`))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#restart")),
		chromedp.Click(chromedp.CSS("#restart-yes")),
		waitFor(`localStorage.getItem('chatbot.session') && localStorage.getItem('chatbot.session') !== '`+session+`'`),
	))
	assert.Equal(t, 0, sent(), "confirmed: the conversation is cleared")
	assert.Equal(t, 1, count(ctx, t, ".msg.bot.greeting"))
}

// fakeBot is a websocket server speaking the protocol with scripted replies, for reply fields
// the bot does not send yet. It serves the real page and assets from the channels server.
func fakeBotServer(t *testing.T, replies func(id, text string) []map[string]any) *httptest.Server {
	t.Helper()
	page := startServer(t, channels.Options{})
	upgrader := websocket.Upgrader{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		ws, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for {
			var f map[string]any
			if err := ws.ReadJSON(&f); err != nil {
				return
			}
			id, _ := f["id"].(string)
			switch f["type"] {
			case "hello":
				_ = ws.WriteJSON(map[string]any{"type": "welcome", "reply_to": id, "session": "0123456789abcdef0123456789abcdef",
					"v": 1, "resumed": false, "expired": false, "handoff": "bot", "history": []any{}})
			case "message":
				text, _ := f["text"].(string)
				for _, reply := range replies(id, text) {
					_ = ws.WriteJSON(reply)
				}
			}
		}
	})
	mux.Handle("/", page.http.Config.Handler)
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return hs
}

func TestReplyFieldsInBrowser(t *testing.T) {
	ctx := browser(t)
	var steps strings.Builder
	for i := 1; i <= 14; i++ {
		fmt.Fprintf(&steps, "<li>第 %d 步：把收入、支出和能还的金额写下来，打电话时照着说。</li>", i)
	}
	hs := fakeBotServer(t, func(id, text string) []map[string]any {
		if strings.Contains(text, "不想活") {
			return []map[string]any{{"type": "reply", "id": "s2", "reply_to": id, "kind": "answer", "priority": "crisis",
				"article": "emotional-support", "text": "您现在的安全最重要。", "html": "<p>您现在的安全最重要。</p>", "buttons": []any{}}}
		}
		return []map[string]any{{"type": "reply", "id": "s1", "reply_to": id, "kind": "answer", "article": "negotiate-repayment",
			"lead":      "今天就主动给发卡行打电话，说明情况、申请协商。",
			"text":      "协商要点……",
			"html":      "<p>协商的准备：</p><ol>" + steps.String() + "</ol><details><summary>详细说明</summary><p>银行可以和您协商个性化分期。</p></details>",
			"sources":   []map[string]string{{"id": "F2.1", "title": "《商业银行信用卡业务监督管理办法》第七十条"}},
			"user_text": "我的卡号是6222********1234，逾期了",
			"copy_text": "协商要点：1. 说明情况 2. 提出方案",
			"buttons":   []map[string]string{{"label": "帮我一步步准备协商", "value": "flow:negotiation"}},
		}}
	})

	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(hs.URL+"/"),
		waitFor(`!!localStorage.getItem('chatbot.session')`),
		chromedp.SendKeys(chromedp.CSS("#input"), "我的卡号是6222021234567891234，逾期了"),
		chromedp.Click(chromedp.CSS("#send")),
		waitFor(`!!document.querySelector('.msg.bot[data-reply="s1"]')`),
	))
	const reply = `document.querySelector('.msg.bot[data-reply="s1"]')`
	assert.Equal(t, "我的卡号是6222********1234，逾期了", eval[string](ctx, t, `document.querySelector('.msg.user .text').textContent`),
		"the user's bubble shows the masked text the server stored")
	assert.Equal(t, "今天就主动给发卡行打电话，说明情况、申请协商。", eval[string](ctx, t, reply+`.querySelector('.body > .lead').textContent`),
		"the lead comes first")
	assert.GreaterOrEqual(t, eval[int](ctx, t, `parseInt(getComputedStyle(`+reply+`.querySelector('.lead strong')).fontWeight)`), 700)
	// The long reply opens at its first line, not its end.
	require.NoError(t, chromedp.Do(ctx, waitFor(`(() => { const log = document.getElementById('log');
		const top = `+reply+`.getBoundingClientRect().top - log.getBoundingClientRect().top;
		return top >= -1 && top < 40; })()`)))
	assert.True(t, eval[bool](ctx, t, `(() => { const log = document.getElementById('log');
		return log.scrollTop + log.clientHeight < log.scrollHeight - 100; })()`), "not scrolled to the end")
	assert.Contains(t, eval[string](ctx, t, reply+`.querySelector('.sources').innerText`), "依据")
	assert.Contains(t, eval[string](ctx, t, reply+`.querySelector('.sources').innerText`), "第七十条")
	assert.GreaterOrEqual(t, eval[float64](ctx, t, reply+`.querySelector('summary').getBoundingClientRect().height`), 44.0,
		"详细说明 is a tap target a thumb can hit")
	screenshot(ctx, t, "reply-fields-phone.png")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](reply+`.querySelector('.copy-button').click()`),
		waitFor(reply+`.querySelector('.copy-button').textContent === '已复制'`),
	))

	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#input"), "我不想活了"),
		chromedp.Click(chromedp.CSS("#send")),
		waitFor(`!!document.querySelector('.msg.bot.crisis[data-reply="s2"]')`),
	))
	border := eval[string](ctx, t, `getComputedStyle(document.querySelector('.msg.crisis .bubble')).borderTopColor`)
	assert.Equal(t, "rgb(179, 38, 30)", border, "a crisis reply stands out")
	assert.Equal(t, "助手说（重要）：", eval[string](ctx, t, `document.querySelector('.msg.crisis .speaker').textContent`))
	time.Sleep(300 * time.Millisecond)
	screenshot(ctx, t, "reply-crisis-phone.png")
}

func TestWidgetRefusedOriginAndUnreachableServer(t *testing.T) {
	ctx := browser(t)
	bankOrigin, setTag := bankPage(t)
	ts := memoryBotServer(t, channels.Options{}) // the bank's origin is not allowed
	setTag(fmt.Sprintf(`<script src="%s/widget.js" data-issuer="cmb" async></script>`, ts.http.URL))
	notice := openWidgetNotice(ctx, t, bankOrigin)
	text := eval[string](ctx, t, notice+`.innerText`)
	assert.Contains(t, text, "未获授权")
	assert.Contains(t, text, "招商银行客服电话：95555", "the issuer's own number")
	assert.Equal(t, "tel:95555", eval[string](ctx, t, notice+`.querySelector('a').getAttribute('href')`))
	assert.Equal(t, 0, eval[int](ctx, t, widgetJS+`.querySelectorAll('iframe').length`), "no broken frame")
	assert.Equal(t, "重试", eval[string](ctx, t, widgetJS+`.activeElement.textContent`), "focus on the retry button")
	screenshot(ctx, t, "widget-refused.png")

	// The chat server goes away: a retry says it cannot be reached, with the generic advice.
	require.NoError(t, ts.Shutdown(context.Background()))
	ts.http.Close()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](notice+`.querySelector('button.primary').click()`),
		waitFor(`!!`+notice+` && `+notice+`.innerText.includes('暂时连不上')`),
	))
	assert.Contains(t, eval[string](ctx, t, notice+`.innerText`), "信用卡背面")
}

// TestChatPageCannotConnect: the first connection fails. The page still greets, says it cannot
// reach the service, and offers 「立即重试」, which connects at once when the server is back.
func TestChatPageCannotConnect(t *testing.T) {
	ctx := browser(t)
	var (
		up   atomic.Bool
		real *testServer
	)
	hs := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case up.Load():
		case r.URL.Path == "/ws":
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		case r.URL.Path == "/api/v1/check":
			conn, _, err := w.(http.Hijacker).Hijack() // the network fails
			if err == nil {
				_ = conn.(*net.TCPConn).SetLinger(0)
				_ = conn.Close()
			}
			return
		}
		real.http.Config.Handler.ServeHTTP(w, r)
	}))
	// Users reach the server through hs: its URL is the public one.
	real = memoryBotServer(t, channels.Options{PublicURL: "http://" + hs.Listener.Addr().String()})
	hs.Start()
	t.Cleanup(hs.Close)

	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(hs.URL+"/"),
		waitFor(`document.getElementById('problem').getAttribute('data-problem') === 'offline'`),
	))
	assert.Equal(t, 1, count(ctx, t, ".msg.bot.greeting"), "never a blank page")
	assert.Contains(t, eval[string](ctx, t, `document.getElementById('problem').innerText`), "信用卡背面")
	require.NoError(t, chromedp.Do(ctx, waitFor(`!document.getElementById('retry-now').hidden`)))
	screenshot(ctx, t, "chat-offline-phone.png")

	up.Store(true)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#retry-now")),
		waitFor(`document.getElementById('problem').hidden && !!localStorage.getItem('chatbot.session')`),
	))
}

// TestChatPageRedisDown: the session store is unreachable when the page opens. The page says
// the service is busy, gives the issuer's number, and starts once Redis is back.
func TestChatPageRedisDown(t *testing.T) {
	ctx := browser(t)
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = dead.Close() })
	eng := bottest.Engine(t)
	b, err := bot.New(bot.Options{Engines: bot.EngineFunc(func() *dialog.Engine { return eng }),
		Store: session.NewRedis(dead, "chatbot-test-dead", session.Options{})})
	require.NoError(t, err)
	ts := startServer(t, channels.Options{Bot: b, Logger: quiet})

	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(ts.http.URL+"/?issuer=cmb&channel=app"),
		waitFor(`document.getElementById('problem').getAttribute('data-problem') === 'busy'`),
		waitFor(`document.getElementById('problem-call').innerText.includes('95555')`),
	))
	assert.Contains(t, eval[string](ctx, t, `document.getElementById('problem-call').innerText`), "招商银行客服电话：95555、信用卡专线 400-820-5555")
	assert.Equal(t, 1, count(ctx, t, ".msg.bot.greeting"))
	assert.True(t, eval[bool](ctx, t, `!document.getElementById('problem-retry').hidden`))
	screenshot(ctx, t, "chat-redis-down-phone.png")
}

// TestChatPageUnknownIssuer: a page configured with an issuer the server does not know says so
// and still chats, in general terms.
func TestChatPageUnknownIssuer(t *testing.T) {
	ctx := browser(t)
	ts := memoryBotServer(t, channels.Options{Logger: quiet})
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.http.URL+"/?issuer=nosuchbank"),
		waitFor(`!!document.querySelector('.notice') && !!localStorage.getItem('chatbot.session')`),
	))
	assert.Contains(t, eval[string](ctx, t, `document.querySelector('.notice').textContent`), "无法识别")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#input"), negotiateQuestion),
		chromedp.Click(chromedp.CSS("#send")),
		waitFor(`document.querySelectorAll('.msg.bot[data-reply]').length === 1`),
	))
}
