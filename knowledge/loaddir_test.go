package knowledge

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoadDir(t *testing.T) {
	t.Run("valid folder", func(t *testing.T) {
		kb, err := LoadDir("testdata/minimal")
		require.NoError(t, err)
		assert.Len(t, kb.Articles, 1)
	})
	t.Run("empty dir is the embedded knowledge base", func(t *testing.T) {
		kb, err := LoadDir("")
		require.NoError(t, err)
		embedded, err := Load(Embedded())
		require.NoError(t, err)
		assert.Equal(t, embedded.Version, kb.Version)
	})
	t.Run("broken folder lists every problem with its line", func(t *testing.T) {
		_, err := LoadDir("testdata/broken")
		var problems Problems
		require.True(t, errors.As(err, &problems), "got %v", err)
		assert.Equal(t, []string{
			`testdata/broken/articles/bad-link.md:2: missing required field "lead"`,
			`testdata/broken/articles/bad-link.md:4: warning: only 1 example questions; at least 12 are needed`,
			`testdata/broken/articles/bad-link.md:7: unsafe link "javascript:alert(1)": only https://, http:// and tel: links are allowed`,
			`testdata/broken/articles/bad-link.md:9: raw HTML is not allowed: "<script>alert(1)</script>"; use Markdown`,
			`testdata/broken/articles/bad-yaml.md:4: invalid YAML: did not find expected ',' or ']'`,
			`testdata/broken/articles/no-id.md:2: missing required field "id"`,
			`testdata/broken/articles/no-id.md:2: missing required field "lead"`,
			`testdata/broken/articles/numbers.md:2: missing required field "lead"`,
			`testdata/broken/articles/numbers.md:4: related id "nowhere" does not exist`,
			`testdata/broken/articles/numbers.md:5: warning: only 1 example questions; at least 12 are needed`,
			`testdata/broken/articles/numbers.md:7: legal or regulatory statement without sources ("95555", "5年"): cite the facts it rests on in sources (ids from facts.yaml)`,
		}, problemLines(problems.WithDir("testdata/broken")))
	})
	t.Run("missing folder", func(t *testing.T) {
		_, err := LoadDir("testdata/no-such-dir")
		assert.EqualError(t, err, "kb.dir: testdata/no-such-dir: no such directory")
		var dirErr *DirError
		assert.True(t, errors.As(err, &dirErr))
	})
	t.Run("a file instead of a folder", func(t *testing.T) {
		_, err := LoadDir("testdata/minimal/topics.yaml")
		assert.EqualError(t, err, "kb.dir: testdata/minimal/topics.yaml: not a directory")
	})
}
