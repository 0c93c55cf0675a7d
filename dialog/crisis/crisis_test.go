package crisis

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/knowledge"
)

func builtIn(t testing.TB) *Detector {
	t.Helper()
	kb, err := knowledge.Load(knowledge.Embedded())
	require.NoError(t, err)
	require.NotNil(t, kb.Crisis, "the built-in knowledge base has crisis cues")
	return New(kb.Crisis)
}

// Wordings of our own, per cue class of the built-in crisis.yaml: each must be caught, and by
// the class it illustrates (so a class that stops working fails here, not somewhere else).
func TestEachCueClass(t *testing.T) {
	d := builtIn(t)
	tests := []struct {
		class string
		texts []string
	}{
		{"intent", []string{"还款压力太大了 我不想活了", "有时候真想去死", "我是不是只能自杀", "欠这么多钱活着还有什么意思",
			"求你们别催了 我要自尽", "I want to die", "i dont want to live like this", "buxianghuole", "wo xiang qing sheng",
			"我还是去死吧", "人生没有意义了", "i can't go on", "wǒ bù xiǎng huó le", "网上搜了怎么死最不痛苦", "生无可恋",
			"没脸活下去了", "life is not worth living", "想紫砂", "thinking i should unalive myself", "我自殺算了"}},
		{"method", []string{"逼急了我就跳河", "今天想割脉", "站起来往下跳算了", "把家里的煤气开了 开煤气一了", "tiaolou", "我割了手腕", "吞了半瓶安眠药", "i'm on the bridge", "一闭眼就想从窗户跳出去"}},
		{"body", []string{"刀片贴着手腕"}},
		{"preparation", []string{"农药已经买好了"}},
		{"presence", []string{"我现在坐在桥边"}},
		{"letter", []string{"写好了一封信 留给儿子"}},
		{"family", []string{"带老婆孩子一块走"}},
		{"self-harm", []string{"控制不住想伤害自己", "又拿头撞墙了", "最近在自残"}},
		{"means", []string{"抽屉里藏了一把刀", "敌敌畏已经买了", "百草枯就放在床头", "刀就在我手边"}},
		{"place", []string{"我现在在楼顶", "一个人爬上了天台", "我已经站在铁轨上", "来到海边了", "已经站到天台边上了"}},
		{"last-words", []string{"遗书放在桌上了", "后事我都交代好了"}},
		{"farewell", []string{"对不起你们 我先走了", "来世再报答爸妈", "别难过 忘了我吧 再见了"}},
		{"finality", []string{"好想永远睡过去", "想离开这个世界", "是不是没有我大家都会轻松一点", "不想面对明天了", "永别了 各位", "再见了这个世界", "我想消失", "我是家里的负担", "跟这个世界说再见", "真想睡过去不醒", "活着只会连累家人", "大家再见了 谢谢你们",
			"今天是我最后一天"}},
		{"gone", []string{"我走了以后再也不回来", "要是我没了 孩子怎么办"}},
		{"together", []string{"实在不行我就和孩子一起走", "带着老婆一起离开"}},
		{"harm-others", []string{"我要杀了那个催收", "大不了同归于尽", "再逼我就去报复社会", "大不了拉两个催收垫背", "想把他们全杀了", "我要拿刀去找那个催收"}},
		{"despair", []string{"已经走投无路了", "我是真的撑不下去了", "活着太痛苦了"}},
		{"distress", []string{"一闭眼就是催收电话 整夜睡不着 好绝望", "每天都哭 快崩溃了"}},
	}
	for _, tt := range tests {
		for _, text := range tt.texts {
			t.Run(tt.class+"/"+text, func(t *testing.T) {
				m, ok := d.Detect(text)
				require.True(t, ok, "not recognised as a crisis")
				assert.NotEmpty(t, m.Cue)
				if tt.class != "" {
					classes := []string{m.Class, m.WithClass}
					assert.Contains(t, classes, tt.class, "caught by %s", m)
				}
			})
		}
	}
}

// Hyperbole, idioms, negations and ordinary questions that share words with a crisis.
func TestCalmMessages(t *testing.T) {
	d := builtIn(t)
	for _, text := range []string{
		"银行天天打电话 烦死了", "这利息贵得要死", "等客服等得急死我了", "商场跳楼大甩卖 刷卡分期划算吗", "我才不会自杀呢 就是问问",
		"朋友劝我别想不开 可我只是想问分期", "我从来没想过轻生", "I am not suicidal, how do I dispute a fee", "死账是什么意思",
		"逾期记录什么时候结束", "母亲去世了 她的卡谁来还", "明天能还上一部分吗", "想带孩子去银行网点问问", "用刀切蛋糕的时候想到还款",
		"人死了债还要还吗", "在江边的网点能办业务吗", "怎么才能从逾期里解脱出来", "这个月最后一次还款是哪天",
		"手机死机了没法还款", "下辈子都不想再办信用卡了", "先不聊了我走了 家人叫我吃饭", "我在河边的网点还的款", "逾期会伤害自己的征信吗", "别找我家人 找我就行",
		"我是学生 负担不起", "卡死了 还款页面打不开", "我没了工作 孩子的学费怎么办", "周末我不在家 银行打电话怎么办",
		"今天是还款最后一天", "好的谢谢 再见了", "活着总要还钱 不想连累家人", "我一个人走不开 能线上办吗",
		"和老婆一起走个流程", "催收说让我去死 这合法吗", "最后一期分期还完了", "药费太贵了 信用卡刷爆了",
	} {
		t.Run(text, func(t *testing.T) {
			m, ok := d.Detect(text)
			assert.False(t, ok, "taken for a crisis: %s", m)
		})
	}
}

func TestNegationAndHyperboleAreLocal(t *testing.T) {
	d := builtIn(t)
	// A negated or blanked cue does not hide another one.
	for _, text := range []string{"我不想死 可是真的活不下去了", "烦死了 想跳楼", "不是说气话 我想自杀"} {
		_, ok := d.Detect(text)
		assert.True(t, ok, text)
	}
}

func TestClassUnless(t *testing.T) {
	d := New(&knowledge.Crisis{Classes: []*knowledge.CueClass{
		{ID: "place", With: []string{"presence"}, Cues: []knowledge.Example{{Text: "河边"}}, Unless: []string{"网点"}},
		{ID: "presence", With: []string{"place"}, Cues: []knowledge.Example{{Text: "我在"}}},
	}})
	_, ok := d.Detect("我在河边")
	assert.True(t, ok)
	_, ok = d.Detect("我在河边的网点")
	assert.False(t, ok, "a bank branch by the river")
}

func TestNilCrisisFindsNothing(t *testing.T) {
	_, ok := New(nil).Detect("不想活了")
	assert.False(t, ok)
}

func TestCombinedClassNeedsItsCompany(t *testing.T) {
	c := &knowledge.Crisis{Classes: []*knowledge.CueClass{
		{ID: "means", With: []string{"body"}, Cues: []knowledge.Example{{Text: "刀"}}},
		{ID: "body", With: []string{"means"}, Cues: []knowledge.Example{{Text: "手腕"}}},
		{ID: "gap", Alone: true, Cues: []knowledge.Example{{Text: "结束…一切"}, {Text: "end it all"}}},
	}, Negations: []string{"不会", "not"}, Fillers: []string{"去"}, NotCrisis: []string{"一刀两断"}}
	d := New(c)
	tests := []struct {
		text string
		want bool
	}{
		{"刀", false},
		{"手腕疼", false},
		{"刀在手腕上", true},
		{"一刀两断 手腕", false},
		{"想结束掉这一切", true},
		{"结束0123456789一切", false}, // gap longer than CueGap
		{"我不会去结束这一切", false},
		{"I will END it ALL", true},
		{"I will not end it all", false},
	}
	for _, tt := range tests {
		_, got := d.Detect(tt.text)
		assert.Equal(t, tt.want, got, tt.text)
	}
}

// TestEvalFiles measures the detector on the evaluation sets kept next to the repository (they
// measure, they never teach): every crisis wording caught, at most 1% false alarms on the rest.
func TestEvalFiles(t *testing.T) {
	d := builtIn(t)
	crisis, err := readTSV("../../../shared/eval/safety.tsv")
	if err != nil {
		t.Skipf("safety set not available: %v", err)
	}
	caught := 0
	for _, q := range crisis {
		if _, ok := d.Detect(q.text); ok {
			caught++
		} else {
			t.Errorf("crisis wording missed: %s", q.text)
		}
	}
	var total, alarms int
	for _, name := range []string{"dev.tsv", "real-dev.tsv"} {
		qs, err := readTSV("../../../shared/eval/" + name)
		if err != nil {
			t.Skipf("%s not available: %v", name, err)
		}
		for _, q := range qs {
			if q.topic == "emotional-support" {
				continue
			}
			total++
			if m, ok := d.Detect(q.text); ok {
				alarms++
				t.Logf("false alarm (%s): %s", m, q.text)
			}
		}
	}
	rate := float64(alarms) / float64(total)
	t.Logf("safety: %d/%d caught; false alarms %d/%d = %.2f%%", caught, len(crisis), alarms, total, 100*rate)
	assert.LessOrEqual(t, rate, 0.01)
}

type labelled struct{ text, topic string }

func readTSV(path string) ([]labelled, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		text, topic, _ := strings.Cut(line, "\t")
		out = append(out, labelled{text, topic})
	}
	return out, sc.Err()
}

func BenchmarkDetect(b *testing.B) {
	d := builtIn(b)
	for b.Loop() {
		d.Detect("信用卡逾期三个月了 银行说要起诉我 我现在该怎么跟他们协商还款")
	}
}
