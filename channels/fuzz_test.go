package channels

import (
	"testing"
	"unicode/utf8"
)

// FuzzDecodeFrame: whatever a client sends, decoding never panics, a frame it accepts is one the
// channel can act on, and a frame it refuses gets a documented code and a usable reply_to.
// Seeds are in testdata/fuzz/FuzzDecodeFrame; .ci/run fuzzes it for a few seconds.
func FuzzDecodeFrame(f *testing.F) {
	for _, seed := range []string{
		`{"type":"hello","id":"h1","session":"6a06d5e5b95fc1674f09bf7a0bbc5506","v":1}`,
		`{"type":"message","id":"c1","text":"  信用卡逾期了  "}`,
		`{"type":"feedback","reply":"s1","useful":false}`,
		`null`, `"hello"`, `[]`, `{"type":null}`, `{"type":"message","id":"c 1","text":"x"}`,
	} {
		f.Add([]byte(seed))
	}
	known := map[Code]bool{CodeBadJSON: true, CodeUnknownType: true, CodeTooLarge: true,
		CodeEmptyText: true, CodeBadID: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, bad := decodeFrame(data, DefaultMaxFrameBytes)
		if bad != nil {
			if !known[bad.Code] || bad.Message != bad.Code.UserMessage() || bad.Type != TypeError {
				t.Fatalf("decodeFrame(%q) refused with %+v", data, *bad)
			}
			if bad.ReplyTo != "" && !validID(bad.ReplyTo) {
				t.Fatalf("decodeFrame(%q): reply_to %q is not a valid id", data, bad.ReplyTo)
			}
			if _, err := EncodeFrame(*bad); err != nil {
				t.Fatalf("error frame does not encode: %v", err)
			}
			return
		}
		switch fr.Type {
		case TypeMessage, TypeChoose:
			said := fr.Text + fr.Value
			if !validID(fr.ID) || said == "" || !utf8.ValidString(fr.ID) {
				t.Fatalf("decodeFrame(%q) accepted %+v", data, fr)
			}
		case TypeFeedback:
			if fr.Useful == nil || !validID(fr.Reply) {
				t.Fatalf("decodeFrame(%q) accepted feedback %+v", data, fr)
			}
		case TypeHello, TypePing:
			if fr.ID != "" && !validID(fr.ID) {
				t.Fatalf("decodeFrame(%q) accepted id %q", data, fr.ID)
			}
		default:
			t.Fatalf("decodeFrame(%q) accepted type %q", data, fr.Type)
		}
	})
}
