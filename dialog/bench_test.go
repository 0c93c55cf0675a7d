package dialog

import "testing"

// benchMessages mix short and long, in-scope and out-of-scope, clean and messy messages.
var benchMessages = []string{
	"信用卡逾期了怎么办",
	"招行XYK逾期兩萬五，大概三個月了😭 会不会被起诉啊？？",
	"花呗晚还两天有影响吗",
	"转人工",
	"最低还款是啥意思",
	"明天上海会下雨吗",
	"欠了浦发3万多 失业了 能不能跟他们谈个我还得起的方案 每个月大概能还1.5k",
	"催收天天打电话给我爸妈和同事，还说要上门，这合法吗",
	"那会影响征信吗",
	"你好",
}

func BenchmarkRespond(b *testing.B) {
	e := embedded(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.Respond(State{}, Input{Text: benchMessages[i%len(benchMessages)]})
		i++
	}
}

func BenchmarkNormaliseAndScore(b *testing.B) {
	e := embedded(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e.index.score(e.norm.normalise(benchMessages[i%len(benchMessages)]).Text)
		i++
	}
}
