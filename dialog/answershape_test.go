package dialog

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"chatbot/knowledge"
)

// TestFlowAnswerShape: a flow answer leads with its first step, shows the plan's core before
// 详细说明 and folds the rest, cites the facts of the parts it shows, and offers the whole plan
// as one plain block to copy.
func TestFlowAnswerShape(t *testing.T) {
	e := embedded(t)
	rs, _ := say(e, State{}, "帮我想想怎么跟银行谈", "招行", "四个多月了", "生病住院了", "一分钱都拿不出")
	r := rs[len(rs)-1]
	if r.Kind != KindAnswer || r.Flow != "negotiation" {
		t.Fatalf("got %s %s (%s), want the negotiation answer", r.Kind, r.Flow, r.Trace.Decision)
	}
	if !strings.Contains(r.Lead, "招商银行") || !strings.Contains(r.Lead, "95555") || utf8.RuneCountInString(r.Lead) > knowledge.MaxLeadRunes {
		t.Errorf("lead %q: want the bank and its number, at most %d characters", r.Lead, knowledge.MaxLeadRunes)
	}
	before, details, folded := strings.Cut(r.HTML, "<details><summary>详细说明</summary>")
	if !folded || !strings.HasSuffix(details, "</details>") {
		t.Fatalf("html has no 详细说明 fold:\n%s", r.HTML)
	}
	if !strings.Contains(before, "不要躲") || strings.Contains(before, "电话里可以这样说") {
		t.Errorf("before 详细说明 want the urgent step, not the script:\n%s", before)
	}
	if !strings.Contains(details, "电话里可以这样说") || !strings.Contains(details, "刑事责任") {
		t.Errorf("details lack the script or the criminal-law conditions:\n%s", details)
	}
	ids := map[string]bool{}
	for _, s := range r.Sources {
		ids[s.ID] = s.Title != ""
	}
	for _, id := range []string{"F4.2", "F4.4", "F2.1"} {
		if !ids[id] {
			t.Errorf("sources %v lack %s with its title", r.Sources, id)
		}
	}
	if ids["F1.4"] {
		t.Errorf("sources cite F1.4 (grace period), which no part shown states: %v", r.Sources)
	}
	for _, s := range []string{"我的协商要点", "我的情况：招商银行；逾期约", "生病或家庭变故；暂时一点都还不上", r.Lead, "电话里可以这样说", "留下书面记录"} {
		if !strings.Contains(r.CopyText, s) {
			t.Errorf("copy_text lacks %q:\n%s", s, r.CopyText)
		}
	}
	if strings.Contains(r.CopyText, "<") || strings.Contains(r.CopyText, "**") {
		t.Errorf("copy_text is not plain text:\n%s", r.CopyText)
	}
}

// TestBankNumbersOnce: every flow answer that names a bank gives each of its numbers once (the
// card-centre line used to be printed twice).
func TestBankNumbersOnce(t *testing.T) {
	e := embedded(t)
	for _, f := range e.KB().Flows {
		if !hasBankSlot(f) {
			continue
		}
		for _, b := range e.KB().Banks {
			st := State{Slots: map[string]string{SlotBank: b.ID, SlotDays: "60", "reason": "income", "capacity": "partial"}}
			r, _ := e.Explain(st, Input{Choice: ChoiceFlow + f.ID})
			if r.Kind != KindAnswer {
				t.Fatalf("flow %s with bank %s: got %s (%s)", f.ID, b.ID, r.Kind, r.Trace.Decision)
			}
			for _, n := range b.Numbers() {
				// A whole number only: 95558 inside 40088-95558 is the other line.
				whole := regexp.MustCompile(`(^|[^0-9-])` + regexp.QuoteMeta(n.Number) + `($|[^0-9-])`)
				if c := len(whole.FindAllString(r.Text, -1)); c > 1 {
					t.Errorf("flow %s, bank %s: %s shown %d times:\n%s", f.ID, b.ID, n.Number, c, r.Text)
				}
			}
		}
	}
}

// TestArticleAnswersCarryLeadAndSources: every article answer has its lead, and an article that
// cites facts gives them with their titles.
func TestArticleAnswersCarryLeadAndSources(t *testing.T) {
	e := embedded(t)
	for _, a := range e.KB().Articles {
		if a.Flow != "" || a.ID == humanAgentArticle {
			continue // flows are checked above; the human-agent button asks for a person
		}
		r, _ := e.Explain(State{}, Input{Choice: ChoiceArticle + a.ID})
		if r.Lead != a.Lead || r.Lead == "" {
			t.Errorf("%s: lead %q, want %q", a.ID, r.Lead, a.Lead)
		}
		if len(r.Sources) != len(a.Sources) {
			t.Errorf("%s: %d sources, want %d (%v)", a.ID, len(r.Sources), len(a.Sources), a.Sources)
		}
		for _, s := range r.Sources {
			if s.Title == "" {
				t.Errorf("%s: source %s has no title", a.ID, s.ID)
			}
		}
	}
}

// TestArticleNumbersShownOnce: an article's plain text gives each bank number once, however it is
// written: a link [400-820-5555](tel:4008205555) is not followed by （4008205555）.
func TestArticleNumbersShownOnce(t *testing.T) {
	e := embedded(t)
	for _, a := range e.KB().Articles {
		for _, b := range e.KB().Banks {
			for _, n := range b.Numbers() {
				plain := strings.ReplaceAll(n.Number, "-", "")
				if n.Number == plain {
					continue
				}
				if c := strings.Count(a.Body.Text, n.Number) + strings.Count(a.Body.Text, plain); c > 1 {
					t.Errorf("%s: %s shown %d times:\n%s", a.ID, n.Number, c, a.Body.Text)
				}
			}
		}
	}
}
