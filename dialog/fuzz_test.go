package dialog

import (
	"testing"
	"unicode/utf8"

	"chatbot/knowledge"
)

// FuzzNormalise: any text a user types is normalised without panicking, into valid UTF-8 of a
// bounded size, with its personal numbers gone. Seeds are in testdata/fuzz/FuzzNormalise;
// .ci/run fuzzes it for a few seconds.
func FuzzNormalise(f *testing.F) {
	kb, err := knowledge.Load(knowledge.Embedded())
	if err != nil {
		f.Fatal(err)
	}
	n := newNormaliser(kb)
	for _, seed := range []string{
		"信用卡逾期了怎么跟银行协商", "招行 咋还？欠了两万五千元，逾期九十天", "６２２２０２１２３４５６７８９０", "",
		"一二三四五六七八九十百千万亿", "\xff\xfe", "ｈｅｌｌｏ，，，！！", "逾期3-6个月", repeat(600, "还"),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := n.normalise(in)
		if utf8.ValidString(in) && (!utf8.ValidString(out.Text) || !utf8.ValidString(out.Spaced)) {
			t.Fatalf("normalise(%q) = %q: not valid UTF-8", in, out.Text)
		}
		// Numbers may grow ("两万" -> "20000"), but a message is cut to maxMessageRunes first.
		if c := utf8.RuneCountInString(out.Text); c > 20*maxMessageRunes {
			t.Fatalf("normalise(%q) is %d runes long", in, c)
		}
		if again := n.normalise(in); again.Text != out.Text || again.Personal != out.Personal {
			t.Fatalf("normalise(%q) is not deterministic: %q then %q", in, out.Text, again.Text)
		}
	})
}

func repeat(n int, s string) string {
	out := ""
	for range n {
		out += s
	}
	return out
}
