package dialog

import (
	"regexp"
	"strings"

	"chatbot/dialog/pii"
)

// privacyReminder is put before the reply to the first message of a session that contained a
// secret or a personal number. The engine never repeats the number itself.
const (
	privacyReminderText = "温馨提示：为了您的信息安全，请不要在对话里发送完整的卡号、身份证号、手机号、密码或验证码，系统已自动隐去。" +
		"我们不会向您索要卡号、密码或验证码。"
	privacyReminderHTML = "<p><strong>温馨提示：</strong>为了您的信息安全，请不要在对话里发送完整的卡号、身份证号、手机号、密码或验证码，" +
		"系统已自动隐去。我们不会向您索要卡号、密码或验证码。</p>"
)

// maskedNumber matches what pii.Mask leaves behind (6222********1234, 138****5678, 1*8****5678,
// ******1234, E********, **/**, z***@example.com): the bot masks messages before the engine
// sees them, so the engine must recognise a mask as well as a raw number. A label right before
// the number (我的卡号是, 手机号：, 验证码) goes with it: the reminder already speaks to the number,
// so the words that only introduce it must not pull the answer towards privacy-protection; the
// rest of the message decides (「我的卡号是6222… 逾期了怎么办」 is a question about being overdue).
var maskedNumber = regexp.MustCompile(`(?:(?:我的|我)?(?:信用卡号|银行卡号|卡号码|卡号|手机号码|手机号|手机|电话号码|电话|号码|身份证号码|身份证号|身份证|` +
	`账号|护照号|护照|安全码|有效期|验证码|密码|邮箱)\s*(?:是|为)?\s*[:：]?\s*)?` +
	`(?:(?:86 )?[0-9A-Za-z]*\*{3,}[0-9*]*[0-9Xx]?|\*\*/\*\*|[A-Za-z0-9]\*\*\*@[A-Za-z0-9.\-]+)`)

// remindPrivacy puts the privacy reminder before the reply to the first message of the session
// that held a secret or a personal number. Never before crisis resources: those come first, and
// the reminder waits for the next such message.
func (t *turn) remindPrivacy(r *Reply) {
	if !t.msg.Personal || t.st.Reminded || r.Priority == PriorityCrisis {
		return
	}
	t.st.Reminded = true
	r.Text = privacyReminderText + "\n\n" + r.Text
	r.HTML = privacyReminderHTML + r.HTML
}

// dropPersonalNumbers removes secrets and personal numbers, raw or already masked, with the
// label that introduces them, and reports whether there were any.
func dropPersonalNumbers(s string) (string, bool) {
	masked, kinds := pii.Mask(s)
	found := len(kinds) > 0
	if strings.Contains(masked, "***") && maskedNumber.MatchString(masked) {
		masked = maskedNumber.ReplaceAllString(masked, " ")
		found = true
	}
	return masked, found
}
