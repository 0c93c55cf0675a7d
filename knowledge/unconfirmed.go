package knowledge

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Claim is a statement KB-FACTS marks UNCONFIRMED (a hotline nobody has verified, a time limit
// only rumoured): no answer may state it; the answer tells the user to check with the issuer.
// Claims are listed in unconfirmed.yaml so editors extend the list without touching Go code.
type Claim struct {
	// Text is the claim as written in unconfirmed.yaml: "95528", or "免息&60天" when the parts
	// state the claim only together (on one line).
	Text  string
	Fact  string // the KB-FACTS id that marks it UNCONFIRMED (F6, F1.2…)
	About string // what it is, for the editor reading the lint message
	Pos   Pos

	parts []claimPart
}

// claimPart is one part of a claim: the pattern, and the characters a line must contain for the
// pattern to have a chance, which rule out almost every line far faster than the pattern can.
type claimPart struct {
	re   *regexp.Regexp
	need []rune
}

var claimFields = []string{"text", "fact", "about"}

// loadUnconfirmed reads unconfirmed.yaml. Without the file nothing is checked.
func (l *loader) loadUnconfirmed() []Claim {
	f, top, ok := l.openYAML(unconfirmedFile)
	if !ok {
		return nil
	}
	var out []Claim
	seen := map[string]Pos{}
	for _, n := range f.sequence(f.mapping(top, "unconfirmed.yaml", "claims").byKey["claims"].value, "claims") {
		fs := f.mapping(n, "claim", claimFields...)
		if !f.require(fs, "text", "fact") {
			continue
		}
		c := Claim{Text: f.text(fs, "text"), Fact: f.text(fs, "fact"), About: f.text(fs, "about"), Pos: f.pos(n)}
		if !sourceRE.MatchString(c.Fact) {
			f.c.errorf(f.line(fs, "fact"), "fact %q is not a KB-FACTS id (like F6 or F1.2)", c.Fact)
			continue
		}
		if prev, dup := seen[c.Text]; dup {
			f.errorf(n, "claim %q is listed twice (also on %s)", c.Text, also(c.Pos, prev))
			continue
		}
		for part := range strings.SplitSeq(c.Text, "&") {
			p, ok := newClaimPart(part)
			if !ok {
				f.c.errorf(f.line(fs, "text"), "claim %q has an empty part around &", c.Text)
				c.parts = nil
				break
			}
			c.parts = append(c.parts, p)
		}
		if c.parts == nil {
			continue
		}
		seen[c.Text] = c.Pos
		out = append(out, c)
	}
	return out
}

// claimSeparators may appear between the characters of a claim as written in an answer:
// "400-800-9888", "400 800 9888", "4008009888" and "60 天" all state the same thing.
const claimSeparators = `[\s\-－—–]*`

// newClaimPart matches part however it is spaced or hyphenated. A part that starts or ends with a
// digit does not match inside a longer number (95508 is not in 955080).
func newClaimPart(part string) (claimPart, bool) {
	var chars []string
	var need []rune
	for _, r := range part {
		if !unicode.IsSpace(r) && !strings.ContainsRune("-－—–", r) {
			chars = append(chars, regexp.QuoteMeta(string(r)))
			if !slices.Contains(need, r) {
				need = append(need, r)
			}
		}
	}
	if len(chars) == 0 {
		return claimPart{}, false
	}
	expr := strings.Join(chars, claimSeparators)
	if isDigit(chars[0]) {
		expr = `(?:^|[^0-9])` + expr
	}
	if isDigit(chars[len(chars)-1]) {
		expr += `(?:[^0-9]|$)`
	}
	return claimPart{re: regexp.MustCompile(expr), need: need}, true
}

func isDigit(s string) bool { return len(s) == 1 && s[0] >= '0' && s[0] <= '9' }

// states reports whether one line of an answer states the claim.
func (c Claim) states(line string) bool {
	for _, p := range c.parts {
		for _, r := range p.need {
			if !strings.ContainsRune(line, r) {
				return false
			}
		}
		if !p.re.MatchString(line) {
			return false
		}
	}
	return true
}

// checkUnconfirmed reports every line of an answer (article titles and bodies, flow texts, bank
// numbers) that states a claim KB-FACTS marks UNCONFIRMED.
func (l *loader) checkUnconfirmed() {
	for _, t := range l.answers {
		for i, line := range strings.Split(t.text, "\n") {
			for _, c := range l.kb.Unconfirmed {
				if c.states(line) {
					l.errorf(Pos{File: t.pos.File, Line: t.pos.Line + i}, "%s", c.problem())
				}
			}
		}
	}
}

func (c Claim) problem() string {
	quoted := strings.Split(c.Text, "&")
	for i, p := range quoted {
		quoted[i] = fmt.Sprintf("%q", strings.TrimSpace(p))
	}
	about := ""
	if c.About != "" {
		about = " (" + c.About + ")"
	}
	return fmt.Sprintf("states %s%s, which KB-FACTS %s marks UNCONFIRMED or no longer true: do not state it; tell the user to check with the issuer (卡背面或官方App里的号码)",
		strings.Join(quoted, " with "), about, c.Fact)
}
