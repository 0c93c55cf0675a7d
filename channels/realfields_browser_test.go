package channels_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/channels"
)

// TestNegotiationPlanOnAPhone: the real bot on the bank's own app page (issuer cmb). The flow
// does not ask for the bank; its plan, taller than the phone, opens at its bold first step with
// the bank's number in view, with 依据, a 详细说明 fold and a copy button. A card number typed
// is shown masked, and a crisis answer stands out.
func TestNegotiationPlanOnAPhone(t *testing.T) {
	ctx := browser(t)
	ts := memoryBotServer(t, channels.Options{})
	say := func(text string, replies int) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.CSS("#input"), text),
			chromedp.Click(chromedp.CSS("#send")),
			waitFor(fmt.Sprintf(`document.querySelectorAll(".msg.bot[data-reply]").length === %d`, replies)),
		))
	}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2)),
		chromedp.Navigate(ts.http.URL+"/?issuer=cmb&channel=app"),
		waitFor(`!!localStorage.getItem('chatbot.session')`),
	))
	say("帮我想想怎么跟银行谈", 1)
	assert.NotContains(t, eval[string](ctx, t, `[...document.querySelectorAll('.msg.bot[data-reply]')].pop().innerText`), "哪家银行",
		"the page's issuer is the bank")
	say("四个多月了", 2)
	say("生病住院了", 3)
	say("一分钱都拿不出", 4)

	const plan = `[...document.querySelectorAll('.msg.bot[data-reply]')].pop()`
	require.Equal(t, "answer", eval[string](ctx, t, plan+`.getAttribute('data-article') ? 'answer' : ''`))
	lead := eval[string](ctx, t, plan+`.querySelector('.lead').innerText`)
	assert.Contains(t, lead, "95555", "the first step names the issuer's number")
	assert.NotContains(t, eval[string](ctx, t, plan+`.innerText`), "95588")
	// Opened at its first line: the reply's top at the top of the log, its bold lead on screen,
	// although the plan is taller than the phone.
	require.NoError(t, chromedp.Do(ctx, waitFor(`(() => { const log = document.getElementById('log').getBoundingClientRect();
		const top = `+plan+`.getBoundingClientRect().top - log.top, lead = `+plan+`.querySelector('.lead').getBoundingClientRect();
		return top >= -1 && top < 40 && lead.bottom <= log.bottom; })()`)))
	assert.Greater(t, eval[float64](ctx, t, plan+`.getBoundingClientRect().height`), eval[float64](ctx, t, `document.getElementById('log').clientHeight`),
		"the plan is taller than the screen")
	assert.Contains(t, eval[string](ctx, t, plan+`.querySelector('.sources').innerText`), "依据")
	assert.Equal(t, "详细说明", eval[string](ctx, t, plan+`.querySelector('details summary').textContent`))
	assert.Equal(t, 1, eval[int](ctx, t, plan+`.querySelectorAll('.copy-button').length`))
	screenshot(ctx, t, "negotiation-plan-phone.png")

	// The real bot's masking and crisis priority, as the page shows them.
	say("我的卡号6222021234567891234逾期了怎么办", 5)
	mine := eval[string](ctx, t, `[...document.querySelectorAll('.msg.user .text')].pop().textContent`)
	assert.NotContains(t, mine, "6222021234567891234", "the bubble shows the masked text the server stored: %s", mine)
	assert.Contains(t, mine, "逾期了怎么办")
	say("我不想活了", 6)
	assert.Equal(t, 1, count(ctx, t, ".msg.bot.crisis"), "the crisis answer stands out")
	assert.Equal(t, "助手说（重要）：", eval[string](ctx, t, `document.querySelector('.msg.crisis .speaker').textContent`))
}
