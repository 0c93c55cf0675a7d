package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"chatbot/bot"
	"chatbot/channels"
	"chatbot/config"
	"chatbot/dialog"
)

func newAskCmd() *cobra.Command {
	var asJSON, explain bool
	cmd := &cobra.Command{
		Use:   `ask "问题"`,
		Short: "Ask one question and print the answer text and the article id",
		Long: "Ask one question in a fresh conversation, through the same bot the server runs, and print\n" +
			"the answer text and the article id. For editors checking an answer and for scripts.",
		Example: `  chatbot ask "信用卡逾期了怎么跟银行协商"
  chatbot ask --explain "xyk逾期三个月了会坐牢吗"
  chatbot ask --kb-dir ~/kb --json "招行客服电话"`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON && explain {
				return usagef("ask: --json prints the reply frame, which has no trace: use --json or --explain")
			}
			question := strings.TrimSpace(strings.Join(args, " "))
			if question == "" {
				return usagef("ask: the question is empty")
			}
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			out, err := ask(cmd, cfg, question, explain)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeFrame(w, channels.NewReply(out))
			}
			writeAnswer(w, out)
			if explain {
				writeTrace(w, out.Trace)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reply exactly as the websocket reply frame carries it")
	cmd.Flags().BoolVar(&explain, "explain", false, "print the decision trace: rules, normalised text, candidates, threshold")
	config.AddFlags(cmd.Flags(), "kb-dir")
	return cmd
}

// ask answers question in a new in-memory session, as the first turn of a conversation.
func ask(cmd *cobra.Command, cfg *config.Config, question string, explain bool) (bot.Output, error) {
	engine, err := newEngine(kbSourceFor(nil, cfg.KB.Dir), cfg)
	if err != nil {
		return bot.Output{}, err
	}
	b, err := bot.New(bot.Options{Engines: bot.EngineFunc(func() *dialog.Engine { return engine })})
	if err != nil {
		return bot.Output{}, err
	}
	ctx := cmd.Context()
	sess, err := b.Open(ctx, "")
	if err != nil {
		return bot.Output{}, fmt.Errorf("ask: %w", err)
	}
	out, err := b.Handle(ctx, sess.ID, bot.Input{MessageID: "c1", Text: question, Explain: explain})
	if err != nil {
		return bot.Output{}, fmt.Errorf("ask: %w", err)
	}
	return out, nil
}

// writeFrame prints a frame as the websocket carries it, on a line of its own.
func writeFrame(w io.Writer, frame any) error {
	data, err := channels.EncodeFrame(frame)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "%s\n", data); err != nil {
		return fmt.Errorf("write reply: %w", err)
	}
	return nil
}

// writeAnswer prints the reply text (which opens with the lead), then what it rests on and what
// decided it.
func writeAnswer(w io.Writer, out bot.Output) {
	fmt.Fprintln(w, strings.TrimSpace(out.Text))
	fmt.Fprintln(w)
	for _, s := range out.Sources {
		fmt.Fprintf(w, "source: %s %s\n", s.ID, s.Title)
	}
	article := out.Article
	if article == "" {
		article = "-"
	}
	fmt.Fprintf(w, "article: %s\n", article)
	fmt.Fprintf(w, "kind: %s\n", out.Kind)
	for _, b := range out.Buttons {
		fmt.Fprintf(w, "button: %s [%s]\n", b.Label, b.Value)
	}
	if out.Handoff {
		fmt.Fprintln(w, "handoff: yes")
	}
	fmt.Fprintf(w, "kb: %s\n", out.KBVersion)
}

// writeTrace prints the decision trace for a person reading a terminal.
func writeTrace(w io.Writer, tr *dialog.Trace) {
	fmt.Fprintln(w)
	if tr == nil {
		fmt.Fprintln(w, "no trace")
		return
	}
	fmt.Fprintf(w, "normalised: %s\n", tr.Normalised)
	if len(tr.Rules) > 0 {
		fmt.Fprintln(w, "rules:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, r := range tr.Rules {
			verdict := "no match"
			switch {
			case r.Matched:
				verdict = "MATCH " + r.Pattern
			case r.Pattern != "":
				verdict = "skipped: " + r.Pattern
			}
			fmt.Fprintf(tw, "  %s\t%s\n", r.ID, verdict)
		}
		tw.Flush()
	}
	if tr.Scope != "" {
		fmt.Fprintf(w, "scope: %s\n", tr.Scope)
	}
	if len(tr.Slots) > 0 {
		fmt.Fprintf(w, "slots: %s\n", joinSorted(tr.Slots))
	}
	if tr.Days != "" {
		fmt.Fprintf(w, "days overdue: %s\n", tr.Days)
	}
	if len(tr.Candidates) > 0 {
		fmt.Fprintln(w, "candidates:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for i, c := range tr.Candidates {
			fmt.Fprintf(tw, "  %d. %s\t%.3f\t%s\t%s\n", i+1, c.Article, c.Score, scoreParts(c.Parts), quoted(c.Example))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "decision: %s\n", tr.Decision)
}

func scoreParts(parts map[string]float64) string {
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = fmt.Sprintf("%s=%.3f", k, parts[k])
	}
	return strings.Join(s, " ")
}

func joinSorted(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = k + "=" + m[k]
	}
	return strings.Join(s, " ")
}

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return "「" + s + "」"
}
