package knowledge

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStats(t *testing.T) {
	kb, _ := Parse(with(map[string]string{"topics.yaml": "topics:\n  - {id: minimum-payment}\n  - {id: credit-report}\n"}))
	s := Stats(kb)
	assert.Equal(t, 2, s.Articles)
	assert.Equal(t, 2*MinQuestions, s.Questions)
	assert.Equal(t, []string{"minimum-payment"}, s.TopicsCovered)
	assert.Equal(t, []string{"credit-report"}, s.TopicsMissing)
	assert.Equal(t, 2, s.VocabularyWords)
	assert.Equal(t, 3, s.VocabularyVariants)
	assert.Equal(t, 2, s.Turns)

	var b strings.Builder
	require.NoError(t, s.Write(&b))
	assert.Contains(t, b.String(), "topics covered:    1 of 2\n")
	assert.Contains(t, b.String(), "topics missing:    credit-report\n")
	assert.Contains(t, b.String(), "example questions: 24 (at least 12 per article; 0 below: none)\n")
}
