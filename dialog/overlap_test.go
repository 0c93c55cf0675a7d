package dialog

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"chatbot/knowledge"
)

// evalDir holds the labelled question sets, next to the repository (CI may not have it).
const evalDir = "../../shared/eval"

// nearCopyDice is the character-bigram overlap (Dice coefficient) from which a knowledge-base
// text counts as a near copy of an eval question: a few characters changed, added or dropped.
const nearCopyDice = 0.8

// kbText is one text of the knowledge base that the engine learns from, with where it is. A
// vocabulary entry is compared as written (raw): normalised, every variant is its canonical word.
type kbText struct {
	where, text string
	raw         bool
	word        bool // a word or phrase (pattern, cue, keyword, vocabulary), not a whole question
}

// learnedTexts are the knowledge base's texts that shape routing: example questions, out-of-scope
// questions, keywords, rule patterns, scope cues, vocabulary and golden conversation turns.
func learnedTexts(kb *knowledge.KB) []kbText {
	var out []kbText
	at := func(p knowledge.Pos) string { return fmt.Sprintf("%s:%d", p.File, p.Line) }
	for _, a := range kb.Articles {
		for _, q := range a.Questions {
			out = append(out, kbText{at(q.Pos), q.Text, false, false})
		}
		for _, k := range a.Keywords {
			out = append(out, kbText{at(a.Pos) + " keyword", k, false, true})
		}
	}
	for _, q := range kb.OutOfScope {
		out = append(out, kbText{at(q.Pos), q.Text, false, false})
	}
	for _, r := range kb.Rules {
		for _, ps := range [][][]string{r.Patterns, r.Unless, r.UnlessAsked} {
			for _, p := range ps {
				out = append(out, kbText{at(r.Pos) + " rule " + r.ID, strings.Join(p, ""), false, true})
				for _, w := range p {
					for _, alt := range strings.Split(w, "|") {
						out = append(out, kbText{at(r.Pos) + " rule " + r.ID, alt, false, true})
					}
				}
			}
		}
	}
	scope := [][]knowledge.ScopePattern{kb.Scope.NotLate, kb.Scope.Trouble, kb.Scope.Weak}
	for _, c := range kb.Scope.Service {
		scope = append(scope, c.Cues, c.Unless)
	}
	for _, ps := range scope {
		for _, p := range ps {
			out = append(out, kbText{"out-of-scope.yaml cue", strings.Join(p.Words, ""), false, true})
		}
	}
	for c, vs := range kb.Vocabulary.Synonyms {
		out = append(out, kbText{"vocabulary.yaml", c, true, true})
		for _, v := range vs {
			out = append(out, kbText{"vocabulary.yaml " + c, v, true, true})
		}
	}
	for _, c := range kb.Conversations {
		for _, turn := range c.Turns {
			if turn.Say != "" {
				out = append(out, kbText{at(turn.Pos), turn.Say, false, false})
			}
		}
	}
	return out
}

// evalQuestion is one question of a labelled set.
type evalQuestion struct{ where, text string }

func readEvalQuestions(t *testing.T, dir string) []evalQuestion {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.tsv"))
	var out []evalQuestion
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for line := 1; sc.Scan(); line++ {
			text := sc.Text()
			if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
				continue
			}
			q, _, _ := strings.Cut(text, "\t")
			out = append(out, evalQuestion{fmt.Sprintf("%s:%d", filepath.Base(name), line), q})
		}
		f.Close()
	}
	return out
}

// bigramSet is a text's distinct character bigrams (a one-rune text is its own unigram), sorted.
func bigramSet(s string) []uint64 {
	rs := []rune(s)
	if len(rs) == 1 {
		return []uint64{uint64(rs[0])}
	}
	out := make([]uint64, 0, len(rs))
	for i := 1; i < len(rs); i++ {
		out = append(out, uint64(rs[i-1])<<32|uint64(rs[i]))
	}
	return dedup(out)
}

// dice is the Dice coefficient of two sorted sets.
func dice(a, b []uint64) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

// minCopyRunes: eval questions shorter than this (「在吗」, 「3q」, 「转人工」) are single words any
// knowledge base holds; they are not checked.
const minCopyRunes = 5

// nearCopies lists every knowledge-base text that equals an eval question once both are
// normalised like messages (typos and variants folded by the vocabulary, numbers, punctuation),
// or, as written (cleaned, without the vocabulary), shares at least nearCopyDice of its character
// bigrams with one. Without the vocabulary, the bank names and everyday words it folds together do
// not make two different questions look alike.
func nearCopies(n *normaliser, texts []kbText, questions []evalQuestion) []string {
	type prepared struct {
		norm, raw string
		set       []uint64 // bigrams of raw
	}
	prep := func(s string, vocab bool) prepared {
		p := prepared{raw: prepare(s)}
		if vocab {
			p.norm = n.normalise(s).Text
		}
		p.set = bigramSet(p.raw)
		return p
	}
	qs := make([]prepared, 0, len(questions))
	keep := make([]evalQuestion, 0, len(questions))
	for _, q := range questions {
		if p := prep(q.text, true); runeLen(p.norm) >= minCopyRunes {
			qs = append(qs, p)
			keep = append(keep, q)
		}
	}
	var out []string
	for _, kt := range texts {
		p := prep(kt.text, !kt.raw)
		if p.raw == "" {
			continue
		}
		// A word-level entry (pattern, cue, keyword, vocabulary) is part of many questions by
		// design: only one that is a whole eval question counts. A question-level text (example,
		// golden turn) also counts when it is a light edit of one.
		fuzzy := !kt.word && runeLen(p.raw) >= minCopyRunes
		for i, q := range qs {
			same := p.norm != "" && p.norm == q.norm || p.raw == q.raw
			// Dice >= d needs the smaller set to be at least d/(2-d) of the larger.
			small, large := min(len(p.set), len(q.set)), max(len(p.set), len(q.set))
			if !same && (!fuzzy || float64(small) < float64(large)*nearCopyDice/(2-nearCopyDice)) {
				continue
			}
			if same || dice(p.set, q.set) >= nearCopyDice {
				out = append(out, fmt.Sprintf("%s %q is a copy of %s %q", kt.where, kt.text, keep[i].where, keep[i].text))
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestNoEvalQuestionInTheKnowledgeBase: eval sets measure, they never teach. No example question,
// out-of-scope question, keyword, rule pattern, scope cue, vocabulary entry or golden turn of the
// built-in knowledge base may be an eval question or a near copy of one.
func TestNoEvalQuestionInTheKnowledgeBase(t *testing.T) {
	questions := readEvalQuestions(t, evalDir)
	if len(questions) == 0 {
		t.Skipf("no eval sets in %s", evalDir)
	}
	e := embedded(t)
	for _, c := range nearCopies(e.norm, learnedTexts(e.kb), questions) {
		t.Error(c)
	}
}

// TestNearCopiesAreFound: the check fails on a copy, a copy with a typo or changed punctuation,
// and a variant spelling the vocabulary folds, but not on a text that merely shares words.
func TestNearCopiesAreFound(t *testing.T) {
	e := embedded(t)
	questions := []evalQuestion{{"set.tsv:1", "信用卡逾期了三个月银行会不会起诉我"}, {"set.tsv:2", "转人工客服吧"}, {"set.tsv:3", "在吗"}}
	tests := []struct {
		text string
		copy bool
	}{
		{"信用卡逾期了三个月银行会不会起诉我", true},
		{"信用卡逾期了3个月，银行会不会起诉我？", true}, // numbers and punctuation normalised
		{"xyk逾期了三个月银行会不会起诉我", true},   // vocabulary folds xyk
		{"信用卡逾期了三个月银行会不会起诉", true},    // one character dropped
		{"转人工客服吧", true},
		{"在吗", false}, // too short to be taught: a word
		{"逾期三个月了 会被告吗", false},
		{"银行会起诉", false},
	}
	for _, tt := range tests {
		got := nearCopies(e.norm, []kbText{{"kb", tt.text, false, false}}, questions)
		if (len(got) > 0) != tt.copy {
			t.Errorf("%q: near copies %v, want copy=%v", tt.text, got, tt.copy)
		}
	}
	// And through learnedTexts: an eval question pasted into an article is caught.
	kb := *e.kb
	kb.Articles = append([]*knowledge.Article(nil), kb.Articles...)
	a := *kb.Articles[0]
	a.Questions = append(append([]knowledge.Example(nil), a.Questions...), knowledge.Example{Text: questions[0].text})
	kb.Articles[0] = &a
	if got := nearCopies(e.norm, learnedTexts(&kb), questions[:1]); len(got) != 1 {
		t.Errorf("pasted eval question: near copies %v, want exactly one", got)
	}
}
