package dialog

import "strings"

// courtesyWords open or close a message without saying what it is about. In a message that says
// more, they are left out of scoring, so 「你好 我想问一下 信用卡忘记还了…怎么办」 is not answered as
// a greeting. Normalised with the vocabulary when the engine is built (hello, 哈喽 -> 你好).
var courtesyWords = []string{"你好", "您好", "请问", "我想问一下", "想问一下", "问一下", "我想咨询一下", "咨询一下",
	"麻烦问一下", "打扰一下", "谢谢", "在吗"}

// minSubstanceRunes is how much a message must say besides courtesy for the courtesy to be left out.
const minSubstanceRunes = 8

type courtesy struct{ words []string }

func newCourtesy(n *normaliser) courtesy {
	ws := n.words(courtesyWords)
	// Longest first, so 我想问一下 goes before the 问一下 inside it.
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && runeLen(ws[j]) > runeLen(ws[j-1]); j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
	return courtesy{words: ws}
}

// strip returns text without its courtesy words when what remains says enough, and whether it
// removed any.
func (c courtesy) strip(text string) (string, bool) {
	out := text
	for _, w := range c.words {
		if strings.Contains(out, w) {
			out = strings.ReplaceAll(out, w, "")
		}
	}
	if out == text || runeLen(out) < minSubstanceRunes {
		return text, false
	}
	return out, true
}
