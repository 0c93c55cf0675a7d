package textnorm

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// moreBeforeUnit finds 「多」 between a number and its unit (二十多万, 3多千), which Numbers
// moves after the unit (二十万多) so the unit still multiplies the number.
var moreBeforeUnit = regexp.MustCompile(`([0-9十百两俩一二三四五六七八九])多([万千])`)

// aboutBeforeMeasure finds 「来」 meaning "about" between a round number and its measure (十来天,
// 二十来万, 10来天, 一个来月), which Numbers drops: 十来天 is about ten days.
var aboutBeforeMeasure = regexp.MustCompile(`([十百千万0]|[0-9一二两俩三四五六七八九]个)来(天|日|周|星期|礼拜|年|月|个|块|元|万|千)`)

// durationPhrases are colloquial durations with no numeral to parse; Numbers rewrites them first.
// Longer phrases come first so 一年半 wins over 半年.
var durationPhrases = []struct{ from, to string }{
	{"一年半", "18个月"},
	{"个把月", "1个月"},
	{"半个月", "15天"},
	{"半年", "6个月"},
	{"俩月", "2个月"},
	{"两月", "2个月"},
}

var chineseDigits = map[rune]float64{
	'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '俩': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

var chineseUnits = map[rune]float64{'十': 10, '百': 100, '千': 1000, '万': 1e4, '亿': 1e8}

// measures are the words that, right after a Chinese numeral, show it is a quantity (三天, 两万块)
// rather than part of a word (一直, 一般, 一点).
var measures = map[rune]bool{
	'天': true, '日': true, '号': true, '周': true, '年': true, '月': true, '岁': true, '倍': true,
	'期': true, '块': true, '元': true, '次': true, '笔': true, '张': true, '家': true,
}

// measuresAfterGe are the words that make 个 a time measure (两个月, 三个星期).
var measuresAfterGe = []string{"月", "多月", "半月", "星期", "礼拜", "小时", "钟头", "工作日"}

// Numbers rewrites numbers to Arabic digits: Chinese numerals (三个月 -> 3个月, 两万五 -> 25000,
// 四十五天 -> 45天, 二十多万 -> 200000多), shorthands (1.5w -> 15000, 3k -> 3000, 3万5 -> 35000), approximate pairs
// (一两天 -> 2天, 两三个月 -> 3个月: the larger), ranges (1-3天, 一到三天 -> 3天: the upper bound)
// colloquial durations (俩月 -> 2个月, 半年 -> 6个月) and round numbers with 来 for "about" (十来天 -> 10天,
// 一个来月 -> 1个月). Input should be Clean-ed. Chinese
// numerals that are part of ordinary words (一直, 一般, 万一, 千万别) are left alone.
func Numbers(s string) string {
	if strings.Contains(s, "来") {
		s = aboutBeforeMeasure.ReplaceAllString(s, "${1}${2}")
	}
	for _, p := range durationPhrases {
		if strings.Contains(s, p.from) {
			s = strings.ReplaceAll(s, p.from, p.to)
		}
	}
	if strings.Contains(s, "多") {
		s = moreBeforeUnit.ReplaceAllString(s, "${1}${2}多")
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(rs); {
		v, n, ok := parseQuantity(rs, i)
		if !ok {
			b.WriteRune(rs[i])
			i++
			continue
		}
		b.WriteString(formatNumber(v))
		i += n
	}
	return b.String()
}

// parseQuantity reads a number, or a range of numbers whose upper bound it returns, at rs[i].
func parseQuantity(rs []rune, i int) (float64, int, bool) {
	v, n, quantity := parseNumber(rs, i)
	if n == 0 {
		return 0, 0, false
	}
	j := i + n
	if j+1 < len(rs) && isRangeJoiner(rs[j]) {
		if v2, n2, ok2 := parseNumber(rs, j+1); n2 > 0 && ok2 && v2 > v {
			return v2, j + 1 + n2 - i, true
		}
	}
	return v, n, quantity
}

func isRangeJoiner(r rune) bool { return r == '-' || r == '~' || r == '到' || r == '至' }

// parseNumber reads one number at rs[i]: digits and Chinese numerals mixed with the units
// 十百千万亿 (and w, k right after digits). It returns the value, the runes read (0 when rs[i]
// starts no number) and whether it is a quantity rather than part of a word (一直, 十分).
func parseNumber(rs []rune, i int) (float64, int, bool) {
	if !startsNumber(rs, i) {
		return 0, 0, false
	}
	var (
		total, section float64 // total: above 万/亿; section: below
		digit          float64 // pending digit not yet multiplied by a unit
		haveDigit      bool
		lastUnit       float64 // the last unit applied, for 两万五 = 25000 and 一千二 = 1200
		zeroSeen       bool    // 一千零五 = 1005, not 1500
		arabic         bool
		prevChinese    = -1.0 // the previous rune's Chinese digit, for 一两 / 二零二五
	)
	j := i
	for j < len(rs) {
		r := rs[j]
		switch {
		case isDigit(r):
			k := j
			for k < len(rs) && (isDigit(rs[k]) || rs[k] == '.' && k+1 < len(rs) && isDigit(rs[k+1])) {
				k++
			}
			if haveDigit {
				return finish(total, section, digit, haveDigit, lastUnit, zeroSeen, rs, i, j, arabic)
			}
			digit, _ = strconv.ParseFloat(string(rs[j:k]), 64)
			haveDigit, arabic, prevChinese = true, true, -1
			j = k
			continue
		case chineseDigits[r] != 0 || r == '零' || r == '〇' || r == '几':
			d := chineseDigits[r]
			if r == '几' {
				d = 5 // 十几 ~ 15, 几十 ~ 50: a rough count is still a count
			}
			if r == '零' || r == '〇' {
				zeroSeen = true
			}
			switch {
			case haveDigit && prevChinese >= 0 && (d == prevChinese+1 || prevChinese == 3 && d == 5):
				digit = d // 一两天, 三五天: approximate pairs keep the larger
			case haveDigit && prevChinese >= 0:
				digit = digit*10 + d // 二零二五
			case haveDigit:
				return finish(total, section, digit, haveDigit, lastUnit, zeroSeen, rs, i, j, arabic)
			default:
				digit = d
			}
			haveDigit, prevChinese = true, d
		case chineseUnits[r] != 0 || (r == 'w' || r == 'k') && arabic && haveDigit && !nextIsLetter(rs, j):
			u := chineseUnits[r]
			switch r {
			case 'w':
				u = 1e4
			case 'k':
				u = 1e3
			}
			if u >= 1e4 {
				section += digit
				if section == 0 {
					section = 1
				}
				total += section * u
				section = 0
			} else {
				if !haveDigit {
					digit = 1 // 十五 = 15
				}
				section += digit * u
			}
			digit, haveDigit, lastUnit, zeroSeen, prevChinese = 0, false, u, false, -1
		default:
			return finish(total, section, digit, haveDigit, lastUnit, zeroSeen, rs, i, j, arabic)
		}
		j++
	}
	return finish(total, section, digit, haveDigit, lastUnit, zeroSeen, rs, i, j, arabic)
}

// finish adds the pending digit and decides whether what was read is really a quantity.
func finish(total, section, digit float64, haveDigit bool, lastUnit float64, zeroSeen bool,
	rs []rune, i, j int, arabic bool) (float64, int, bool) {
	if haveDigit {
		if lastUnit >= 100 && !zeroSeen && digit < 10 {
			digit *= lastUnit / 10 // 两万五 = 25000, 一千二 = 1200, 三百五 = 350
		}
		section += digit
	}
	v := total + section
	quantity := arabic || isQuantityFollows(rs, j) ||
		hasUnit(rs[i:j]) && !(j < len(rs) && rs[j] == '分' && !followedBy(rs, j+1, "钟"))
	return v, j - i, quantity
}

func hasUnit(rs []rune) bool {
	for _, r := range rs {
		if chineseUnits[r] != 0 {
			return true
		}
	}
	return false
}

// startsNumber: a digit, a Chinese digit, 十 (十五), or 几 before a unit (几十, 几千).
func startsNumber(rs []rune, i int) bool {
	r := rs[i]
	if isDigit(r) || r == '十' {
		return true
	}
	if _, ok := chineseDigits[r]; ok {
		return true
	}
	return r == '几' && i+1 < len(rs) && chineseUnits[rs[i+1]] != 0
}

// isQuantityFollows reports whether the text at rs[j] is a measure word.
func isQuantityFollows(rs []rune, j int) bool {
	if j >= len(rs) {
		return false
	}
	switch r := rs[j]; {
	case measures[r]:
		return true
	case r == '个':
		for _, m := range measuresAfterGe {
			if followedBy(rs, j+1, m) {
				return true
			}
		}
	case r == '多':
		return isQuantityFollows(rs, j+1)
	}
	for _, m := range []string{"小时", "星期", "礼拜", "分钟", "钟头"} {
		if followedBy(rs, j, m) {
			return true
		}
	}
	return false
}

func followedBy(rs []rune, j int, word string) bool {
	for _, w := range word {
		if j >= len(rs) || rs[j] != w {
			return false
		}
		j++
	}
	return true
}

func nextIsLetter(rs []rune, j int) bool {
	return j+1 < len(rs) && (rs[j+1] >= 'a' && rs[j+1] <= 'z')
}

// formatNumber writes integers without a decimal point and keeps real fractions (1.5倍).
func formatNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
