package bot

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSameAnswerAgainPointsToIt: asking the same thing again gets a short pointer to the answer
// above and its first step, not the whole text; anything else in between resets it.
func TestSameAnswerAgainPointsToIt(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	first := f.say(t, id, "c1", negotiateQuestion)
	require.Equal(t, negotiateArticle, first.Article)

	again := f.say(t, id, "c2", negotiateQuestion)
	assert.Equal(t, negotiateArticle, again.Article, "still that article: feedback and follow-ups work")
	assert.Less(t, len([]rune(again.Text)), len([]rune(first.Text))/2, "short: %q", again.Text)
	assert.Contains(t, again.Text, "上面")
	require.NotEmpty(t, first.Lead)
	assert.Contains(t, again.Text, first.Lead, "with the answer's first step")
	assert.Equal(t, first.Lead, again.Lead)
	assert.Contains(t, again.HTML, `href="#reply-`+first.ID+`"`, "a link to the answer above")
	assert.Equal(t, first.Buttons, again.Buttons)

	third := f.say(t, id, "c3", negotiateQuestion)
	assert.Equal(t, again.Text, third.Text, "still pointing to the full answer")

	f.say(t, id, "c4", "逾期会影响征信吗")
	full := f.say(t, id, "c5", negotiateQuestion)
	assert.Equal(t, first.Text, full.Text, "after another answer, the full text again")
}

func TestCrisisAnswersAreNeverShortened(t *testing.T) {
	f := newFixture(t)
	id := f.open(t)
	first := f.say(t, id, "c1", "我不想活了")
	require.Equal(t, "crisis", first.Priority)
	again := f.say(t, id, "c2", "我不想活了")
	assert.Equal(t, first.Text, again.Text)
	assert.False(t, strings.Contains(again.Text, repeatText))
}
