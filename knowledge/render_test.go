package knowledge

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRenderHTML(t *testing.T) {
	cases := []struct {
		name     string
		markdown string
		html     string
	}{
		{"emphasis and steps", "**先做这一件事：** 联系银行。\n\n1. 准备\n2. 打电话\n",
			"<p><strong>先做这一件事：</strong> 联系银行。</p>\n<ol>\n<li>准备</li>\n<li>打电话</li>\n</ol>"},
		{"inline raw HTML is escaped", "请<b onclick=\"x()\">注意</b>",
			"<p>请&lt;b onclick=&quot;x()&quot;&gt;注意&lt;/b&gt;</p>"},
		{"an HTML block is escaped", "<script>alert(1)</script>\n",
			"<p>&lt;script&gt;alert(1)&lt;/script&gt;\n</p>"},
		{"javascript: link keeps only its text", "[点我](javascript:alert(1))",
			"<p>点我</p>"},
		{"an encoded javascript: link keeps only its text", "[点我](java&#115;cript:alert(1))",
			"<p>点我</p>"},
		{"a relative link keeps only its text", "[看这里](other.md)",
			"<p>看这里</p>"},
		{"mailto keeps only its text", "<a@b.cn>",
			"<p>a@b.cn</p>"},
		{"tel: link is kept", "[拨打95555](tel:95555)",
			`<p><a href="tel:95555">拨打95555</a></p>`},
		{"https link opens outside the chat", "[官网](https://www.example.cn/a?b=1&c=2)",
			`<p><a href="https://www.example.cn/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">官网</a></p>`},
		{"an autolink is kept", "<https://www.example.cn>",
			`<p><a href="https://www.example.cn" target="_blank" rel="noopener noreferrer">https://www.example.cn</a></p>`},
		{"an unsafe image keeps only its alt text", "![图](javascript:alert(1))",
			"<p>图</p>"},
		{"a safe image is kept", "![图](https://www.example.cn/a.png)",
			`<p><img src="https://www.example.cn/a.png" alt="图"></p>`},
		{"Chinese lines join without a space", "第一行\n第二行",
			"<p>第一行第二行</p>"},
		{"tables render", "| 银行 | 电话 |\n|---|---|\n| 招商银行 | 95555 |\n",
			"<table>\n<thead>\n<tr>\n<th>银行</th>\n<th>电话</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>招商银行</td>\n<td>95555</td>\n</tr>\n</tbody>\n</table>"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := render(tc.markdown)
			assert.Equal(t, tc.html, c.HTML)
		})
	}
}

func TestRenderText(t *testing.T) {
	cases := []struct {
		name     string
		markdown string
		text     string
	}{
		{"paragraphs and a numbered list",
			"**先做这一件事：** 联系银行。\n\n1. 准备材料\n2. 打电话\n",
			"先做这一件事： 联系银行。\n\n1. 准备材料\n2. 打电话"},
		{"numbering starts where the list does", "3) 第三步\n4) 第四步\n",
			"3) 第三步\n4) 第四步"},
		{"bullets and nested lists",
			"- 第一项\n  1. 子项一\n  2. 子项二\n- 第二项\n",
			"• 第一项\n  1. 子项一\n  2. 子项二\n• 第二项"},
		{"a tel: link shows its number when the text does not", "[拨打客服](tel:95555)",
			"拨打客服（95555）"},
		{"a link whose text has the number shows it once", "[95555](tel:95555)",
			"95555"},
		{"a number written with hyphens is not shown twice", "[400-820-5555](tel:4008205555)",
			"400-820-5555"},
		{"an unsafe link shows only its text", "[点我](javascript:alert(1))",
			"点我"},
		{"escapes and entities are resolved", `1\*2 &amp; 3`,
			"1*2 & 3"},
		{"a hard line break is kept", "第一行  \n第二行",
			"第一行\n第二行"},
		{"Chinese soft line breaks join", "第一行\n第二行",
			"第一行第二行"},
		{"a table is one row per line", "| 银行 | 电话 |\n|---|---|\n| 招商银行 | 95555 |\n",
			"银行 | 电话\n招商银行 | 95555"},
		{"a heading is its text", "## 怎么办\n\n先打电话。",
			"怎么办\n\n先打电话。"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := render(tc.markdown)
			assert.Equal(t, tc.text, c.Text)
		})
	}
}

func TestFactNumbers(t *testing.T) {
	cases := []struct {
		line string
		want []string
	}{
		{"第一步：先打电话，再说一次。", nil},
		{"千万不要把验证码告诉别人。", nil},
		{"列出三条建议。", nil},
		{"1. 准备材料", nil},
		{"拨打 400-820-5555 或 95555。", []string{"400-820-5555", "95555"}},
		{"紧急情况请拨打110。", []string{"110"}},
		{"记录保存5年，两次催收间隔30天。", []string{"5年", "两次", "30天"}},
		{"日利率万分之五，约 18.25 %。", []string{"万分之五", "18.25%"}},
		{"依据第196条。", []string{"第196条"}},
		{"超过三个月。", []string{"三个月"}},
		{"比如「招行逾期20天了怎么办」或\"欠了2万\"，都可以问。", nil},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			assert.Equal(t, tc.want, factNumbers(tc.line))
		})
	}
}

func BenchmarkRender(b *testing.B) {
	src := "**先做这一件事：** 今天就联系发卡行。\n\n1. 准备欠款金额、逾期天数\n2. 拨打[客服电话](tel:95555)\n3. 说明原因，提出能坚持的方案\n\n" +
		"| 银行 | 电话 |\n|---|---|\n| 招商银行 | 95555 |\n"
	b.ReportAllocs()
	for b.Loop() {
		render(src)
	}
}
