package knowledge

import (
	"fmt"
	"io"
	"strings"
)

// Summary counts what a knowledge base holds, for `chatbot kb stats`.
type Summary struct {
	Version            string
	Articles           int
	Questions          int      // example questions over all articles
	ThinArticles       []string // ids of articles with fewer than MinQuestions example questions
	VocabularyWords    int      // canonical words
	VocabularyVariants int      // variants rewritten to them
	Banks              int
	Rules              int
	Flows              int
	Conversations      int
	Turns              int // turns over all golden conversations
	OutOfScope         int // out-of-scope example questions
	Unconfirmed        int // claims no answer may state (unconfirmed.yaml)
	TopicsCovered      []string
	TopicsMissing      []string
}

// Stats summarises kb. It accepts a KB returned by Parse with errors, so an editor can see what
// is missing while the knowledge base does not load yet.
func Stats(kb *KB) Summary {
	s := Summary{
		Version:         kb.Version,
		Articles:        len(kb.Articles),
		VocabularyWords: len(kb.Vocabulary.Synonyms),
		Banks:           len(kb.Banks),
		Rules:           len(kb.Rules),
		Flows:           len(kb.Flows),
		Conversations:   len(kb.Conversations),
		OutOfScope:      len(kb.OutOfScope),
		Unconfirmed:     len(kb.Unconfirmed),
	}
	have := map[string]bool{}
	for _, a := range kb.Articles {
		have[a.ID] = true
		s.Questions += len(a.Questions)
		if len(a.Questions) < MinQuestions {
			s.ThinArticles = append(s.ThinArticles, a.ID)
		}
	}
	for _, variants := range kb.Vocabulary.Synonyms {
		s.VocabularyVariants += len(variants)
	}
	for _, c := range kb.Conversations {
		s.Turns += len(c.Turns)
	}
	for _, t := range kb.Topics {
		if have[t.ID] {
			s.TopicsCovered = append(s.TopicsCovered, t.ID)
		} else {
			s.TopicsMissing = append(s.TopicsMissing, t.ID)
		}
	}
	return s
}

// Write prints the summary as aligned lines for a terminal.
func (s Summary) Write(w io.Writer) error {
	topics := len(s.TopicsCovered) + len(s.TopicsMissing)
	lines := [][2]string{
		{"version", s.Version},
		{"articles", fmt.Sprint(s.Articles)},
		{"example questions", fmt.Sprintf("%d (at least %d per article; %d below: %s)",
			s.Questions, MinQuestions, len(s.ThinArticles), list(s.ThinArticles))},
		{"vocabulary", fmt.Sprintf("%d canonical words, %d variants", s.VocabularyWords, s.VocabularyVariants)},
		{"banks", fmt.Sprint(s.Banks)},
		{"rules", fmt.Sprint(s.Rules)},
		{"flows", fmt.Sprint(s.Flows)},
		{"conversations", fmt.Sprintf("%d (%d turns)", s.Conversations, s.Turns)},
		{"out-of-scope", fmt.Sprintf("%d questions", s.OutOfScope)},
		{"unconfirmed", fmt.Sprintf("%d claims no answer may state", s.Unconfirmed)},
		{"topics covered", fmt.Sprintf("%d of %d", len(s.TopicsCovered), topics)},
		{"topics missing", list(s.TopicsMissing)},
	}
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%-18s %s\n", l[0]+":", l[1])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func list(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
