package knowledge

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxVisibleRunes bounds what a flow answer shows before its 详细说明 (the lead not counted):
// about two phone screens, so the first step and the numbers to call are read before the
// details. Parts marked `more` are folded away and do not count.
const MaxVisibleRunes = 420

// UnknownBankName and UnknownBankContact stand in for {bank} and {bank_contact} when the bank is
// not known (or has no confirmed number).
const (
	UnknownBankName    = "您的发卡行"
	UnknownBankContact = "卡背面或官方App里公布的客服电话"
)

// ContactText lists a bank's confirmed numbers as {bank_contact} shows them in plain text
// ("95555、信用卡专线 400-820-5555"); "" when none is confirmed.
func (b *Bank) ContactText() string {
	var out []string
	for _, n := range b.Numbers() {
		out = append(out, n.Label+n.Number)
	}
	return strings.Join(out, "、")
}

// BankNumber is one confirmed number of a bank, with the words shown before it.
type BankNumber struct {
	Label  string // "" for the main hotline, "信用卡专线 " for the card centre
	Number string
}

// Numbers are the bank's confirmed numbers, the main hotline first.
func (b *Bank) Numbers() []BankNumber {
	var out []BankNumber
	if b.Hotline != "" {
		out = append(out, BankNumber{Number: b.Hotline})
	}
	if b.CardLine != "" {
		out = append(out, BankNumber{Label: "信用卡专线 ", Number: b.CardLine})
	}
	return out
}

// fillLongest fills a flow text's placeholders with the longest bank name and contact of this
// knowledge base, for length checks that must hold whatever the bank.
func (l *loader) fillLongest(s string) string {
	name, contact := UnknownBankName, UnknownBankContact
	for _, b := range l.kb.Banks {
		if utf8.RuneCountInString(b.Name) > utf8.RuneCountInString(name) {
			name = b.Name
		}
		if c := b.ContactText(); utf8.RuneCountInString(c) > utf8.RuneCountInString(contact) {
			contact = c
		}
	}
	return strings.NewReplacer("{bank_contact}", contact, "{bank}", name).Replace(s)
}

// checkVisible reports a flow whose answer, for some combination of slot values, shows more than
// MaxVisibleRunes characters before its 详细说明. Every value a button offers is tried, and the
// edges of every range a part tests, so free-text answers are covered too.
func (l *loader) checkVisible(fl *Flow) {
	values := make([][]string, len(fl.Slots))
	for i, s := range fl.Slots {
		values[i] = l.slotValues(fl, s)
	}
	length := make([]int, len(fl.Parts))
	for i, p := range fl.Parts {
		length[i] = utf8.RuneCountInString(strings.TrimSpace(l.fillLongest(p.Body.Text)))
	}
	worst, worstAt := 0, map[string]string{}
	slots := map[string]string{}
	var try func(i int)
	try = func(i int) {
		if i == len(fl.Slots) {
			n := 0
			for j, p := range fl.Parts {
				if !p.More && p.Applies(slots) {
					n += length[j]
				}
			}
			if n > worst {
				worst = n
				for k, v := range slots {
					worstAt[k] = v
				}
			}
			return
		}
		for _, v := range values[i] {
			slots[fl.Slots[i].Name] = v
			try(i + 1)
		}
	}
	try(0)
	if worst > MaxVisibleRunes {
		var at []string
		for _, s := range fl.Slots {
			at = append(at, s.Name+"="+worstAt[s.Name])
		}
		l.errorf(fl.Pos, "the answer shows %d characters before 详细说明 (for %s); at most %d: mark details `more: true`",
			worst, strings.Join(at, ", "), MaxVisibleRunes)
	}
}

// slotValues are the values of a slot worth trying: its buttons' values, its choices, the bank
// ids the parts name (and other), and both edges of every range the parts test.
func (l *loader) slotValues(fl *Flow, s *Slot) []string {
	var out []string
	add := func(v string) {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, b := range s.Buttons {
		if s.Type != SlotBank {
			add(b.Value)
		}
	}
	for _, v := range s.ChoiceOrder {
		add(v)
	}
	if s.Type == SlotBank {
		add("other")
		for _, b := range l.kb.Banks {
			add(b.ID)
		}
	}
	for _, p := range fl.Parts {
		for _, c := range p.When[s.Name] {
			if lo, hi, ok := parseRange(c); ok {
				add(strconv.FormatFloat(lo, 'f', -1, 64))
				if !math.IsInf(hi, 1) {
					add(strconv.FormatFloat(hi, 'f', -1, 64))
				}
			}
		}
	}
	return out
}

// condMatches: "a-b" and "a-" are inclusive numeric ranges; anything else must equal v.
func condMatches(cond, v string) bool {
	lo, hi, isRange := parseRange(cond)
	if !isRange {
		return cond == v
	}
	n, err := strconv.ParseFloat(v, 64)
	return err == nil && n >= lo && n <= hi
}

func parseRange(c string) (lo, hi float64, ok bool) {
	a, b, found := strings.Cut(c, "-")
	if !found {
		return 0, 0, false
	}
	lo, err := strconv.ParseFloat(strings.TrimSpace(a), 64)
	if err != nil {
		return 0, 0, false
	}
	if strings.TrimSpace(b) == "" {
		return lo, math.Inf(1), true
	}
	hi, err = strconv.ParseFloat(strings.TrimSpace(b), 64)
	return lo, hi, err == nil
}
