package channels_test

// The chat page and the widget in a real headless Chromium.

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/bottest"
	"chatbot/channels"
	"chatbot/dialog"
)

// One headless Chromium serves every browser test of this package (the CI box has two cores):
// it starts with the first test that needs it, each test gets its own tab in a fresh browser
// context (its own storage), and TestMain stops it.
var sharedBrowser struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	err    error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedBrowser.cancel != nil {
		sharedBrowser.cancel()
	}
	os.Exit(code)
}

// browser opens a tab for the test in the shared headless Chromium. Without Chromium the test
// is skipped, or fails when CI=true.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is required when CI=true (apt-get install -y chromium)")
		}
		t.Skip("chromium not installed (apt-get install -y chromium): skipping the browser test")
	}
	sharedBrowser.once.Do(func() {
		dir, err := os.MkdirTemp("", "chatbot-chromium-")
		if err != nil {
			sharedBrowser.err = err
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.UserDataDir(dir),
		)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		sharedBrowser.ctx = ctx
		sharedBrowser.cancel = func() {
			cancelCtx()
			cancelAlloc()
			_ = os.RemoveAll(dir)
		}
		sharedBrowser.err = chromedp.Do(ctx) // starts the browser; it lives as long as ctx
	})
	require.NoError(t, sharedBrowser.err, "start chromium")
	tab, cancelTab := chromedp.NewContext(sharedBrowser.ctx, chromedp.WithNewBrowserContext())
	require.NoError(t, chromedp.Do(tab), "open a tab")
	ctx, cancelTimeout := context.WithTimeout(tab, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
	})
	return ctx
}

// memoryBotServer serves the real bot over the embedded knowledge base with in-memory sessions.
func memoryBotServer(t *testing.T, opts channels.Options) *testServer {
	t.Helper()
	eng := bottest.Engine(t)
	b, err := bot.New(bot.Options{Engines: bot.EngineFunc(func() *dialog.Engine { return eng }), HandoffMode: bot.HandoffModeStream})
	require.NoError(t, err)
	opts.Bot, opts.Agents, opts.Live = b, b, b
	return startServer(t, opts)
}

func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(20*time.Second))
}

func count(ctx context.Context, t *testing.T, selector string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, selector)))
	require.NoError(t, err)
	return n
}

// artifactDir is where browser tests keep their screenshots for a person (or CI) to look at:
// $CHATBOT_TEST_ARTIFACTS, or chatbot-test-artifacts in the system's temporary folder. Each test
// logs the paths it wrote.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CHATBOT_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "chatbot-test-artifacts")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

func screenshot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err)
	path := filepath.Join(artifactDir(t), name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	t.Logf("screenshot: %s", path)
}

// eval runs a JavaScript expression in the page and returns its value.
func eval[T any](ctx context.Context, t *testing.T, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	require.NoError(t, err, "evaluate %s", expr)
	return v
}

func TestChatPageInBrowser(t *testing.T) {
	ctx := browser(t)
	ts := memoryBotServer(t, channels.Options{})
	const negotiate = `.msg.bot[data-article="negotiate-repayment"]`

	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(375, 700, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)),
		chromedp.Navigate(ts.http.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(".msg.bot.greeting")),
		chromedp.SendKeys(chromedp.CSS("#input"), negotiateQuestion),
		chromedp.Click(chromedp.CSS("#send")),
		chromedp.WaitVisible(chromedp.CSS(negotiate)),
	))
	assert.Equal(t, 1, count(ctx, t, ".msg.user"))
	answer, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+negotiate+` .bubble').innerText`))
	require.NoError(t, err)
	assert.NotEmpty(t, strings.TrimSpace(answer))
	assert.Equal(t, 1, count(ctx, t, negotiate+" .feedback button:first-of-type"), "a 有用/没用 control under the answer")

	// Press the first button the answer offers.
	require.Greater(t, count(ctx, t, negotiate+" .choice"), 0, "the answer offers buttons")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(negotiate+" .choice")),
		waitFor(`document.querySelectorAll('.msg.bot[data-reply]').length === 2`),
	))
	assert.Equal(t, 2, count(ctx, t, ".msg.user"))
	screenshot(ctx, t, "chat-mobile.png")

	// Reload: the session id in localStorage resumes the conversation and the history returns.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(negotiate)),
		waitFor(`document.querySelectorAll('.msg.bot[data-reply]').length === 2`),
	))
	assert.Equal(t, 2, count(ctx, t, ".msg.user"), "both user messages are back after the reload")
	assert.Equal(t, 0, count(ctx, t, ".notice"), "no expired-session notice on a resume")

	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)))
	screenshot(ctx, t, "chat-desktop.png")

	// The server goes away: the page says so, keeps what the user types and will send it later.
	require.NoError(t, ts.Shutdown(context.Background()))
	require.NoError(t, chromedp.Do(ctx,
		waitFor(`!document.getElementById('status').hidden && document.getElementById('status').textContent.includes('重新连接')`),
		chromedp.SendKeys(chromedp.CSS("#input"), "逾期会影响征信吗"),
		chromedp.Click(chromedp.CSS("#send")),
	))
	assert.Equal(t, 3, count(ctx, t, ".msg.user"), "the new message is shown")
	pending, err := chromedp.Run(ctx, chromedp.Evaluate[string](`localStorage.getItem('chatbot.pending') || ''`))
	require.NoError(t, err)
	assert.Contains(t, pending, "逾期会影响征信吗", "kept to be sent, with its id, after reconnecting")
}

// widgetJS reaches into the widget's shadow root.
const widgetJS = `document.querySelector('chatbot-widget').shadowRoot`

// openWidgetNotice opens the widget on the bank's desktop page where the chat cannot start, waits
// for the widget's notice and returns the expression that finds it.
func openWidgetNotice(ctx context.Context, t *testing.T, bankOrigin string) (notice string) {
	t.Helper()
	notice = widgetJS + `.querySelector('.notice')`
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(bankOrigin+"/"),
		waitFor(`!!window.ChatbotWidget`),
		chromedp.Evaluate[chromedp.Void](`ChatbotWidget.open()`),
		waitFor(`!!`+notice),
	))
	return notice
}

// bankPage serves a bank's page on another origin than the chat server's (localhost instead of
// 127.0.0.1) that embeds the widget with tag.
func bankPage(t *testing.T) (origin string, setTag func(tag string)) {
	t.Helper()
	var mu sync.Mutex
	tag := ""
	bank := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>某银行信用卡</title></head>
<body style="font-family:sans-serif;margin:40px"><h1>某银行信用卡中心</h1><p>账单、还款与服务。</p>%s</body></html>`, tag)
	}))
	t.Cleanup(bank.Close)
	return strings.Replace(bank.URL, "127.0.0.1", "localhost", 1), func(s string) {
		mu.Lock()
		defer mu.Unlock()
		tag = s
	}
}

// TestWidgetOnABankPage: the widget on a bank's site on another origin, with a contact center
// connected: the bank's code drives it and hears its reply and handoff events.
func TestWidgetOnABankPage(t *testing.T) {
	ctx := browser(t)
	bankOrigin, setTag := bankPage(t)
	eng := bottest.Engine(t)
	b, err := bot.New(bot.Options{Engines: bot.EngineFunc(func() *dialog.Engine { return eng }), HandoffMode: bot.HandoffModeStream})
	require.NoError(t, err)
	ts := startServer(t, channels.Options{Bot: b, AllowedOrigins: []string{bankOrigin}})
	setTag(fmt.Sprintf(`<script src="%s/widget.js" data-issuer="cmb" async></script>
<script>window.heard = []; window.addEventListener('chatbotwidget:load', () => {
  ['reply', 'handoff'].forEach(name => ChatbotWidget.on(name, d => heard.push(name + ':' + d.kind))); });</script>`, ts.http.URL))

	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(bankOrigin+"/"),
		waitFor(`!!window.ChatbotWidget && !!document.querySelector('chatbot-widget')`),
		chromedp.Evaluate[chromedp.Void](widgetJS+`.querySelector('.launcher').click()`),
		waitFor(`!!`+widgetJS+`.querySelector('iframe')`),
	))
	src := eval[string](ctx, t, widgetJS+`.querySelector('iframe').src`)
	assert.True(t, strings.HasPrefix(src, ts.http.URL+"/?embed=1&"), src)
	assert.Contains(t, src, "origin="+url.QueryEscape(bankOrigin), "the page posts its events to the bank's origin only")
	assert.Contains(t, src, "issuer=cmb")
	// The framed chat page connects: the bank's origin may frame it (frame-ancestors) and the
	// page's own websocket is same-origin.
	assert.Eventually(t, func() bool { return strings.Contains(metricsText(t, ts), "chatbot_open_sockets 1") },
		20*time.Second, 100*time.Millisecond)
	time.Sleep(300 * time.Millisecond) // let the frame paint its greeting for the screenshot
	screenshot(ctx, t, "widget-desktop.png")

	// The bank's own code asks for a person; it hears the reply and the handoff.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`ChatbotWidget.send('转人工')`),
		waitFor(`heard.includes('handoff:handoff')`),
	))
	assert.Equal(t, []string{"reply:handoff", "handoff:handoff"}, eval[[]string](ctx, t, `heard`))
}

// flakyProxy forwards TCP to the chat server and can cut every connection and refuse new ones,
// like a phone losing its network.
type flakyProxy struct {
	ln      net.Listener
	backend string
	mu      sync.Mutex
	down    bool
	conns   []net.Conn
}

// newFlakyProxy listens at once, so its URL can be the chat server's public URL; start forwards.
func newFlakyProxy(t *testing.T) *flakyProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &flakyProxy{ln: ln}
	t.Cleanup(func() { _ = ln.Close(); p.setDown(true) })
	return p
}

func (p *flakyProxy) start(backend string) {
	p.backend = backend
	go p.serve()
}

func (p *flakyProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *flakyProxy) serve() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			_ = client.Close()
			continue
		}
		server, err := net.Dial("tcp", p.backend)
		if err != nil {
			_ = client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(server, client); _ = server.Close() }()
		go func() { _, _ = io.Copy(client, server); _ = client.Close() }()
	}
}

// setDown cuts every connection (when down) and refuses or accepts new ones.
func (p *flakyProxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.conns = nil
	}
}

func TestChatPageReconnectsAndResumes(t *testing.T) {
	ctx := browser(t)
	proxy := newFlakyProxy(t) // users reach the server through it: its URL is the public one
	ts := memoryBotServer(t, channels.Options{PublicURL: proxy.url()})
	proxy.start(strings.TrimPrefix(ts.http.URL, "http://"))

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(proxy.url()+"/"),
		chromedp.WaitVisible(chromedp.CSS(".msg.bot.greeting")),
		chromedp.SendKeys(chromedp.CSS("#input"), negotiateQuestion),
		chromedp.Click(chromedp.CSS("#send")),
		waitFor(`document.querySelectorAll('.msg.bot[data-reply]').length === 1`),
	))

	// The network drops; the user keeps typing.
	proxy.setDown(true)
	require.NoError(t, chromedp.Do(ctx,
		waitFor(`document.getElementById('status').textContent.includes('重新连接')`),
		chromedp.SendKeys(chromedp.CSS("#input"), "逾期会影响征信吗"),
		chromedp.Click(chromedp.CSS("#send")),
	))

	// The network returns: the page reconnects, resumes the session and sends the waiting message.
	proxy.setDown(false)
	require.NoError(t, chromedp.Do(ctx,
		waitFor(`document.querySelectorAll('.msg.bot[data-reply]').length === 2`),
		waitFor(`(localStorage.getItem('chatbot.pending') || '') === ''`),
	))
	assert.Equal(t, 2, count(ctx, t, ".msg.user"), "no message shown twice")
	assert.Equal(t, 0, count(ctx, t, ".notice"), "the session resumed, it did not expire")
	assert.Contains(t, metricsText(t, ts), `chatbot_turns_total{channel="ws",kind="answer"} 2`,
		"each message ran exactly once")
}

// TestAgentMessagesInBrowser: a user who asked for a person sees the agent join and write at
// once, marked as a person, and still sees it after a reload.
func TestAgentMessagesInBrowser(t *testing.T) {
	ctx := browser(t)
	ts := memoryBotServer(t, channels.Options{AdminToken: adminToken})
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ts.http.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(".msg.bot.greeting")),
		chromedp.SendKeys(chromedp.CSS("#input"), "转人工"),
		chromedp.Click(chromedp.CSS("#send")),
		waitFor(`document.querySelectorAll('.msg.bot.handoff[data-reply]').length === 1`),
	))
	session, err := chromedp.Run(ctx, chromedp.Evaluate[string](`localStorage.getItem('chatbot.session')`))
	require.NoError(t, err)

	for _, body := range []string{`{"action":"join","agent":"客服 8012"}`, `{"action":"message","text":"您好，<我是>客服。\n请问怎么称呼？"}`} {
		status, res := agentCall(t, ts, session, adminToken, body)
		require.Equal(t, http.StatusOK, status, res.Error)
	}
	const agentMsg = `.msg.agent[data-reply="s3"]`
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(agentMsg))))
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+agentMsg+`').innerText`))
	require.NoError(t, err)
	assert.Contains(t, text, "人工客服 · 客服 8012")
	assert.Contains(t, text, "您好，<我是>客服。\n请问怎么称呼？", "shown as text, line break kept")
	assert.Equal(t, 1, count(ctx, t, `.msg.bot[data-reply="s2"]`), "the join notice is shown once")
	require.NoError(t, chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS(agentMsg)), chromedp.Sleep(500*time.Millisecond)))
	screenshot(ctx, t, "chat-agent.png") // after the page's smooth scroll

	require.NoError(t, chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(agentMsg))))
	assert.Equal(t, 1, count(ctx, t, ".msg.agent"), "the agent's message is in the history, once")
}
