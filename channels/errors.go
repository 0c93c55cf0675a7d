package channels

import (
	"context"
	"errors"

	"chatbot/bot"
)

// Code names why a client frame was not applied. Codes are stable API; the messages are for users.
type Code string

// Error codes, documented in docs/protocol.md.
const (
	CodeBadJSON            Code = "bad_json"            // not a JSON object, or a field of the wrong type
	CodeUnknownType        Code = "unknown_type"        // "type" is none of the client frame types
	CodeNotHelloFirst      Code = "not_hello_first"     // message, choose or feedback before hello
	CodeTooLarge           Code = "too_large"           // frame over Options.MaxFrameBytes
	CodeBinaryFrame        Code = "binary_frame"        // a binary websocket frame
	CodeEmptyText          Code = "empty_text"          // message text or choose value empty after trimming
	CodeBadID              Code = "bad_id"              // id missing where required, or malformed
	CodeUnsupportedVersion Code = "unsupported_version" // hello asks for a protocol version we do not speak
	CodeRateLimited        Code = "rate_limited"        // too many frames from this session or address
	CodeUnavailable        Code = "unavailable"         // session store down or turn timed out: nothing applied, re-send later
	CodeConflict           Code = "conflict"            // another tab changed the session at the same time: re-send
	CodeUnknownReply       Code = "unknown_reply"       // feedback on a reply the session does not have (any more)
	CodeUnknownIssuer      Code = "unknown_issuer"      // hello context names an issuer the knowledge base does not list
	CodeBadContext         Code = "bad_context"         // hello context names an unknown channel
	CodeInternal           Code = "internal"            // a bug; logged with details, never shown
)

// userMessages is the one place that decides what a cardholder reads when something goes wrong.
var userMessages = map[Code]string{
	CodeBadJSON:            "抱歉，消息格式有误。请刷新页面后再试。",
	CodeUnknownType:        "抱歉，暂不支持这种操作。请刷新页面后再试。",
	CodeNotHelloFirst:      "连接还在准备中，请稍候再发送。",
	CodeTooLarge:           "您的消息太长了，请分几次简短发送。",
	CodeBinaryFrame:        "抱歉，目前只能发送文字消息。",
	CodeEmptyText:          "请输入您想咨询的问题。",
	CodeBadID:              "抱歉，消息格式有误。请刷新页面后再试。",
	CodeUnsupportedVersion: "您使用的页面版本较旧，请刷新页面后再试。",
	CodeRateLimited:        "您发送得有点快，请稍等片刻再发。",
	CodeUnavailable:        "系统暂时繁忙，这条消息还没有处理，请稍后重新发送。",
	CodeConflict:           "您的会话刚刚在另一个窗口有更新，请重新发送这条消息。",
	CodeUnknownReply:       "这条回复已无法评价，感谢您的反馈。",
	CodeUnknownIssuer:      "此页面设置的发卡银行无法识别，我会按一般情况回答。具体以您的发卡银行为准，可拨打卡背面的客服电话。",
	CodeBadContext:         "此页面的设置有误，我会按一般情况回答。具体以您的发卡银行为准，可拨打卡背面的客服电话。",
	CodeInternal:           "抱歉，系统出了点问题，请稍后再试。如需帮助，可拨打发卡银行的信用卡客服电话。",
}

// expiredNotice is the welcome notice when a requested session could not be resumed.
const expiredNotice = "您之前的会话已过期，我们为您开始了新的会话。请重新描述您的问题，我们会继续为您解答。"

// UserMessage is the polite zh-CN text shown to the user for the code.
func (c Code) UserMessage() string {
	if m, ok := userMessages[c]; ok {
		return m
	}
	return userMessages[CodeInternal]
}

// codeFor maps an error from the bot to the code the client sees. Anything unexpected is
// internal: the details go to the log, never to the user.
func codeFor(err error) Code {
	switch {
	case errors.Is(err, bot.ErrUnavailable), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, context.Canceled):
		return CodeUnavailable
	case errors.Is(err, bot.ErrConflict):
		return CodeConflict
	case errors.Is(err, bot.ErrUnknownReply):
		return CodeUnknownReply
	case errors.Is(err, bot.ErrUnknownIssuer):
		return CodeUnknownIssuer
	case errors.Is(err, bot.ErrBadChannel):
		return CodeBadContext
	case errors.Is(err, bot.ErrBadInput):
		return CodeEmptyText // validate catches this first; kept for safety
	default:
		return CodeInternal
	}
}
