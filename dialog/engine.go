package dialog

import (
	"errors"
	"fmt"
	"maps"

	"chatbot/knowledge"
)

// Engine answers conversation turns from one knowledge-base version. It is immutable after New
// and safe for concurrent use; a reloaded knowledge base gets a new Engine.
type Engine struct {
	kb       *knowledge.KB
	cfg      Config
	norm     *normaliser
	rules    []compiledRule
	index    *index
	words    slotWords
	slots    map[*knowledge.Slot]*compiledSlot
	followUp followUpWords
	// safetyArticles are the articles safety rules answer (emotional-support): a flow lets a
	// message that reads as one of them go at the answer threshold.
	safetyArticles map[string]bool
	// required are the articles require rules name: offered only to messages that meet one.
	required map[string]bool
	safety   safety // crisis recognition, checked before anything else
	scope    *scopeModel
	courtesy courtesy
	// Context beyond one message (context.go): the follow_ups of each article, the greeting
	// words a question may open with, the English words that mark a message as English.
	followUps map[string][]compiledFollowUp
	openers   []string
	// answers are the articles' replies with the lead in front, and their sources, by id:
	// the same on every turn, so built once.
	answers map[string]answer
	english map[string]bool
}

// DefaultConfig returns the thresholds the engine was tuned with on the built-in knowledge base.
// Scores are in [0, 1] but rarely above 0.6 for a paraphrase; AnswerThreshold sits just above
// what unrelated messages reach. ClarifyMargin is relative: the runner-up is "close" when it is
// within 3% of the top score.
func DefaultConfig() Config {
	return Config{
		AnswerThreshold:        0.09,
		ClarifyMargin:          0.03,
		FallbacksBeforeHandoff: 2,
		LeaveFlowThreshold:     0.2,
		FollowUpBoost:          0.05,
		MainTopics:             []string{"negotiate-repayment", "overdue-consequences", "repayment-options", "credit-report"},
	}
}

// New builds an engine for kb. Zero fields of cfg take DefaultConfig's values; negative ones
// are an error.
func New(kb *knowledge.KB, cfg Config) (*Engine, error) {
	if kb == nil {
		return nil, errors.New("dialog: nil knowledge base")
	}
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	n := newNormaliser(kb)
	e := &Engine{
		kb:       kb,
		cfg:      cfg,
		norm:     n,
		rules:    compileRules(n, kb.Rules),
		index:    buildIndex(n, kb),
		words:    newSlotWords(n),
		slots:    compileSlots(n, kb),
		followUp: newFollowUpWords(n),

		safetyArticles: safetyArticles(kb),
		required:       requiredArticles(kb.Rules),
		safety:         newSafety(kb),
		scope:          newScopeModel(n, kb.Scope),
		courtesy:       newCourtesy(n),

		followUps: compileFollowUps(n, kb),
		openers:   greetingOpeners(n, kb),
		english:   englishWords(kb),
	}
	if e.safety.article != "" {
		e.safetyArticles[e.safety.article] = true
	}
	e.answers = make(map[string]answer, len(kb.Articles))
	for _, a := range kb.Articles {
		e.answers[a.ID] = newAnswer(kb, a.Lead, a.Body, a.Sources)
	}
	return e, nil
}

// answer is a fixed reply's text and HTML, opened with its lead, and the facts it rests on.
type answer struct {
	text, html string
	sources    []knowledge.Source // shared by every reply that carries it: never modified
}

func newAnswer(kb *knowledge.KB, lead string, body knowledge.Content, sources []string) answer {
	text, htm := leadFirst(lead, body.Text, body.HTML)
	return answer{text: text, html: htm, sources: kb.Sources(sources)}
}

// answerOf returns article a's answer, built when the engine was.
func (e *Engine) answerOf(a *knowledge.Article) answer {
	if ans, ok := e.answers[a.ID]; ok {
		return ans
	}
	return newAnswer(e.kb, a.Lead, a.Body, a.Sources) // an article the knowledge base does not list
}

func withDefaults(cfg Config) (Config, error) {
	d := DefaultConfig()
	if cfg.AnswerThreshold < 0 || cfg.ClarifyMargin < 0 || cfg.FallbacksBeforeHandoff < 0 ||
		cfg.LeaveFlowThreshold < 0 || cfg.FollowUpBoost < 0 {
		return cfg, fmt.Errorf("dialog: negative threshold in config %+v", cfg)
	}
	if cfg.AnswerThreshold == 0 {
		cfg.AnswerThreshold = d.AnswerThreshold
	}
	if cfg.ClarifyMargin == 0 {
		cfg.ClarifyMargin = d.ClarifyMargin
	}
	if cfg.FallbacksBeforeHandoff == 0 {
		cfg.FallbacksBeforeHandoff = d.FallbacksBeforeHandoff
	}
	if cfg.LeaveFlowThreshold == 0 {
		cfg.LeaveFlowThreshold = d.LeaveFlowThreshold
	}
	if cfg.FollowUpBoost == 0 {
		cfg.FollowUpBoost = d.FollowUpBoost
	}
	if cfg.MainTopics == nil {
		cfg.MainTopics = d.MainTopics
	}
	return cfg, nil
}

// KB returns the knowledge base the engine answers from.
func (e *Engine) KB() *knowledge.KB { return e.kb }

// Config returns the thresholds in use, defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Respond answers one user turn: a pressed button (in.Choice) or free text. It never mutates
// st; the returned State is what the caller stores for the next turn. The same knowledge base,
// state and input always give the same reply.
// Reply.Trace is nil: building it costs a good part of a turn, so only Explain does.
func (e *Engine) Respond(st State, in Input) (Reply, State) {
	r, st, _ := e.respond(st, in, false)
	return r, st
}

// Explain is Respond with Reply.Trace filled: the rules checked, the candidates and their score
// parts, and the steps that decided. The reply and state are the same as Respond's.
func (e *Engine) Explain(st State, in Input) (Reply, State) {
	r, st, _ := e.respond(st, in, true)
	return r, st
}

// Normalise returns text as the engine reads it (Trace.Normalised of a free-text turn).
func (e *Engine) Normalise(text string) string { return e.norm.normalise(text).Text }

// outcome says, for evaluation, what a reply amounts to beyond its Kind.
type outcome int

const (
	outNormal          outcome = iota
	outFallbackHandoff         // a handoff because fallbacks piled up: the engine did not know
	outHandoffRequest          // the user asked for a person
)

func (e *Engine) respond(st State, in Input, explain bool) (Reply, State, outcome) {
	t := &turn{e: e, st: st.clone(), tr: &Trace{}, explain: explain}
	t.knownIssuer()
	var r Reply
	if in.Choice != "" {
		r = t.choose(in.Choice)
	} else if cr, ok := t.crisisFirst(in.Text); ok {
		r = cr
	} else {
		r = t.say(in.Text)
	}
	if r.Kind != KindFallback && r.Kind != KindHandoff {
		t.st.Fallbacks = 0
	}
	e.markPriority(&r)
	t.remindPrivacy(&r)
	r.KBVersion = e.kb.Version
	if explain {
		if len(t.tr.Slots) == 0 {
			t.tr.Slots = nil
		}
		r.Trace = t.tr
	}
	return r, t.st, t.outcome
}

// turn is the work of answering one message.
type turn struct {
	e  *Engine
	st State
	// tr holds the message's slots always; the rest of the trace only when explain is set.
	tr      *Trace
	explain bool
	msg     normalised
	cands   []Candidate     // scores of msg, computed at most once
	scored  bool            // cands is filled
	resume  *knowledge.Flow // a flow this turn left; answers offer to resume it
	prefer  *knowledge.Rule // the prefer rule that matched the message, if any
	held    heldBack        // articles whose require rules the message does not meet: not scored
	// preferNoted: the prefer rule's effect is already in the trace.
	preferNoted bool
	outcome     outcome
}

func (s State) clone() State {
	c := s
	c.Slots = maps.Clone(s.Slots)
	if c.Slots == nil {
		c.Slots = map[string]string{}
	}
	if s.Flow != nil {
		f := *s.Flow
		c.Flow = &f
	}
	return c
}

// say answers free text: rules first, then the slot a running flow waits for, then follow-ups,
// then scoring.
func (t *turn) say(text string) Reply {
	e := t.e
	t.msg = e.norm.normalise(text)
	t.tr.Normalised = t.msg.Text
	if t.msg.Text == "" {
		if f, cs := t.waitingFlow(); cs != nil { // e.g. only a card number, dropped: ask on
			t.notef("empty message: flow %s asks %s again", f.ID, cs.slot.Name)
			return t.ask(f, cs.slot, false)
		}
		t.note("empty message: prompt with main topics")
		return t.prompt()
	}
	if e.isEnglish(text) {
		return t.english()
	}
	t.learnSlots()
	t.dropGreeting()
	m := matchRules(e.rules, &t.msg, e.words.focus(t.msg), t.tr.Slots, t.traced())
	if m.act != nil {
		return t.applyRule(m.act)
	}
	t.prefer, t.held = m.prefer, heldBack{required: e.required, met: m.met}
	if t.st.Flow != nil {
		if r, ok := t.flowAnswer(); ok {
			return r
		}
	}
	if r, ok := t.bankFollowUp(); ok {
		return r
	}
	if r, ok := t.followUpAnswer(); ok {
		return r
	}
	return t.decide()
}

// learnSlots keeps the bank, days overdue and amount the message states.
func (t *turn) learnSlots() {
	askedDays, askedAmount := false, false
	if cs := t.waitingSlot(); cs != nil {
		askedDays = cs.slot.Type == knowledge.SlotDays
		askedAmount = cs.slot.Type == knowledge.SlotAmount
	}
	t.tr.Slots, t.tr.Days = t.e.words.extractSlots(t.msg, askedDays, askedAmount)
	for k, v := range t.tr.Slots {
		t.st.Slots[k] = v
	}
}

// applyRule carries out a matched rule.
func (t *turn) applyRule(rule *knowledge.Rule) Reply {
	t.notef("rule %s (%s)", rule.ID, rule.Kind)
	switch rule.Kind {
	case knowledge.RuleCommand:
		switch rule.Action {
		case "handoff":
			t.outcome = outHandoffRequest
			return t.handoff("")
		case "restart":
			return t.restart()
		}
	case knowledge.RuleFlow:
		if f, ok := t.e.kb.Flow(rule.Flow); ok {
			t.leaveFlowFor(f.ID)
			return t.startFlow(f)
		}
	default: // safety and refusal answer their article
		if rule.Article != "" {
			t.leaveFlowFor("")
			return t.answerArticle(rule.Article)
		}
	}
	t.note("nothing to do (unknown action, flow or article); scoring instead")
	return t.decide()
}

// leaveFlowFor stops a running flow (unless it is keep) and remembers it so the reply can offer
// to resume it. Slots already given are kept.
func (t *turn) leaveFlowFor(keep string) {
	if t.st.Flow == nil || t.st.Flow.ID == keep {
		return
	}
	if f, ok := t.e.kb.Flow(t.st.Flow.ID); ok {
		t.resume = f
	}
	t.st.Flow = nil
}

// scores ranks the articles for the message, once per turn.
func (t *turn) scores() []Candidate {
	if !t.scored {
		text := t.msg.Text
		if s, ok := t.e.courtesy.strip(text); ok {
			t.note("courtesy words left out of scoring")
			text = s
		}
		t.cands = t.e.index.scoreExcept(text, t.held, t.mustRank(), t.explain)
		t.scored = true
	}
	return t.cands
}

// mustRank are the articles whose scores later steps look up whatever their rank: the prefer
// rule's and, for a follow-up, the previous article and the related ones its answer offered.
func (t *turn) mustRank() []string {
	var ids []string
	if t.prefer != nil {
		ids = append(ids, t.prefer.Article)
	}
	if prev, ok := t.e.kb.Article(t.st.Article); ok {
		ids = t.relatedShown(prev, append(ids, prev.ID))
	}
	return ids
}

// traced is the trace when the turn explains itself, else nil.
func (t *turn) traced() *Trace {
	if t.explain {
		return t.tr
	}
	return nil
}

// notef is note with fmt.Sprintf's arguments, formatted only when the turn explains itself.
func (t *turn) notef(format string, args ...any) {
	if t.explain {
		t.note(fmt.Sprintf(format, args...))
	}
}

// note adds a step to the trace's decision line.
func (t *turn) note(s string) {
	if !t.explain {
		return
	}
	if t.tr.Decision != "" {
		t.tr.Decision += "; "
	}
	t.tr.Decision += s
}
