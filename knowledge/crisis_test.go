package knowledge

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCrisisFile(t *testing.T) {
	cases := []struct {
		name string
		file string
		want []string
	}{
		{
			name: "classes alone and combined",
			file: "article: minimum-payment\nnegations: [不会]\nnot_crisis: [烦死]\nclasses:\n" +
				"  - {id: intent, alone: true, cues: [不想活, end my life], examples: [真的不想活了]}\n" +
				"  - {id: means, with: [body], cues: [刀]}\n" +
				"  - {id: body, with: [means], cues: [手腕]}\n" +
				"calm: [烦死了]\n",
			want: []string{},
		},
		{
			name: "broken",
			file: "article: nowhere\nclasses:\n" +
				"  - {id: intent, cues: [不想活]}\n" +
				"  - {id: intent, alone: true, cues: [想死]}\n" +
				"  - {id: means, alone: maybe, with: [tools], cues: [刀, 刀, \"…手腕\", die]}\n" +
				"  - {id: empty}\n",
			want: []string{
				`crisis.yaml:1: crisis article "nowhere" does not exist`,
				`crisis.yaml:3: cue class "intent" is neither alone nor combined: add alone: true or with: [classes]`,
				`crisis.yaml:4: duplicate cue class "intent" (also on line 3)`,
				`crisis.yaml:5: alone must be true or false, not "maybe"`,
				`crisis.yaml:5: cue "刀" is listed twice (also on line 5)`,
				`crisis.yaml:5: cue "…手腕" is empty around 「…」 or too short to mean anything`,
				`crisis.yaml:5: cue "die" is empty around 「…」 or too short to mean anything`,
				`crisis.yaml:5: with names cue class "tools", which does not exist`,
				`crisis.yaml:6: missing required field "cues"`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kb, problems := Parse(with(map[string]string{"crisis.yaml": tc.file}))
			assert.Equal(t, tc.want, problemLines(problems))
			if len(tc.want) == 0 {
				require.NotNil(t, kb.Crisis)
				assert.Equal(t, "minimum-payment", kb.Crisis.Article)
				require.Len(t, kb.Crisis.Classes, 3)
				assert.True(t, kb.Crisis.Classes[0].Alone)
				assert.Equal(t, []string{"body"}, kb.Crisis.Classes[1].With)
				assert.Equal(t, []string{"烦死"}, kb.Crisis.NotCrisis)
			}
		})
	}
}

func TestCueParts(t *testing.T) {
	assert.Equal(t, []string{"结束", "一切"}, CueParts("结束…一切"))
	assert.Equal(t, []string{"写好", "信"}, CueParts("写好 ... 信"))
	assert.Equal(t, []string{"不想活"}, CueParts("不想活"))
}

func TestCrisisClassUnless(t *testing.T) {
	kb, problems := Parse(with(map[string]string{"crisis.yaml": "article: minimum-payment\nclasses:\n" +
		"  - {id: place, with: [place], cues: [桥上, 河边], unless: [网点, \"\"]}\n"}))
	assert.Equal(t, []string{`crisis.yaml:3: empty unless word`}, problemLines(problems))
	require.NotNil(t, kb.Crisis)
	assert.Equal(t, []string{"网点"}, kb.Crisis.Classes[0].Unless)
}
