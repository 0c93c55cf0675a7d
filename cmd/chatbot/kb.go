package main

import (
	"fmt"
	"io"
	"path"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"chatbot/bot/events"
	"chatbot/config"
	"chatbot/dialog"
	"chatbot/knowledge"
)

func newKBCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kb",
		Short: "Knowledge-base tools for editors: kb lint, kb stats, kb test, kb gaps, kb feedback",
		Long: "Tools for content editors. DIR is a knowledge-base folder; without it the commands use\n" +
			"kb.dir from the configuration, else the embedded knowledge base.",
		Args: cobra.ArbitraryArgs,
		RunE: groupRunE,
	}
	cmd.AddCommand(newKBLintCmd(), newKBStatsCmd(), newKBTestCmd(), newKBGapsCmd(), newKBFeedbackCmd())
	return cmd
}

// kbDirCmd is a kb command that works on one knowledge base: DIR, else kb.dir, else the
// embedded one.
func kbDirCmd(use, short string, run func(cmd *cobra.Command, src kbSource, cfg *config.Config) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			return run(cmd, kbSourceFor(args, cfg.KB.Dir), cfg)
		},
	}
	config.AddFlags(cmd.Flags())
	return cmd
}

func newKBLintCmd() *cobra.Command {
	return kbDirCmd("lint [DIR]", "Check a knowledge base: prints file:line: message for every problem, exit 1 on errors",
		func(cmd *cobra.Command, src kbSource, cfg *config.Config) error {
			return lint(cmd.OutOrStdout(), cmd.ErrOrStderr(), src, cfg)
		})
}

// lint prints every problem of the knowledge base, then every example question the engine routes
// to another article. Routing is checked only on a knowledge base that loads: on a broken one
// its answers would be noise.
func lint(out, errOut io.Writer, src kbSource, cfg *config.Config) error {
	kb, problems, err := src.parse()
	if err != nil {
		return err
	}
	routingChecked := !problems.HasErrors()
	if routingChecked {
		routing, err := routingProblems(kb, cfg)
		if err != nil {
			return err
		}
		problems = append(problems, routing.WithDir(src.pathPrefix())...)
	}
	for _, p := range problems {
		fmt.Fprintln(out, p)
	}
	errs := len(problems.Errors())
	warnings := len(problems) - errs
	fmt.Fprintf(errOut, "%s: %d errors, %d warnings\n", src, errs, warnings)
	if errs > 0 && !routingChecked {
		fmt.Fprintln(errOut, "routing of example questions is checked once these errors are fixed")
	}
	if errs > 0 {
		return errFailuresFound
	}
	return nil
}

func newKBStatsCmd() *cobra.Command {
	return kbDirCmd("stats [DIR]", "Count articles, example questions, vocabulary entries, topics covered and missing",
		func(cmd *cobra.Command, src kbSource, _ *config.Config) error {
			kb, problems, err := src.parse()
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%-18s %s\n", "knowledge base:", src)
			if err := knowledge.Stats(kb).Write(cmd.OutOrStdout()); err != nil {
				return fmt.Errorf("write stats: %w", err)
			}
			if n := len(problems.Errors()); n > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s has %d errors and does not load; run chatbot kb lint\n", src, n)
			}
			return nil
		})
}

// newEngine loads the knowledge base and builds the dialog engine with the configured thresholds.
func newEngine(src kbSource, cfg *config.Config) (*dialog.Engine, error) {
	kb, err := src.load()
	if err != nil {
		return nil, err
	}
	return engineFor(kb, cfg)
}

// engineFor builds the dialog engine for kb with the configured thresholds.
func engineFor(kb *knowledge.KB, cfg *config.Config) (*dialog.Engine, error) {
	engine, err := dialog.New(kb, cfg.DialogConfig())
	if err != nil {
		return nil, fmt.Errorf("dialog engine: %w", err)
	}
	return engine, nil
}

// routingProblems lists the example questions the engine routes to another article, as lint errors.
func routingProblems(kb *knowledge.KB, cfg *config.Config) (knowledge.Problems, error) {
	engine, err := engineFor(kb, cfg)
	if err != nil {
		return nil, err
	}
	return knowledge.Problems(append(dialog.CheckRouting(engine), dialog.CheckCrisis(engine)...)), nil
}

func newKBTestCmd() *cobra.Command {
	return kbDirCmd("test [DIR]", "Run the golden conversations of a knowledge base; exit 1 if one fails",
		func(cmd *cobra.Command, src kbSource, cfg *config.Config) error {
			engine, err := newEngine(src, cfg)
			if err != nil {
				return err
			}
			return reportConversations(cmd.OutOrStdout(), src, dialog.RunConversations(engine))
		})
}

// reportConversations prints one line per conversation and every failed turn at its file and
// line. A knowledge base without conversations fails: nothing would guard its edits.
func reportConversations(w io.Writer, src kbSource, results []dialog.ConversationResult) error {
	failed := 0
	for _, r := range results {
		if r.Passed() {
			fmt.Fprintf(w, "PASS %s\n", r.Name)
			continue
		}
		failed++
		fmt.Fprintf(w, "FAIL %s (%s)\n", r.Name, inDir(src, r.Pos))
		for _, f := range r.Failures {
			f.Pos = knowledge.Pos{File: path.Join(src.pathPrefix(), f.Pos.File), Line: f.Pos.Line}
			fmt.Fprintf(w, "    %s\n", f)
		}
	}
	fmt.Fprintf(w, "golden conversations in %s: %d passed, %d failed\n", src, len(results)-failed, failed)
	if len(results) == 0 {
		fmt.Fprintf(w, "no golden conversations found (add conversations/*.yaml, see docs/kb-format.md)\n")
		return errFailuresFound
	}
	if failed > 0 {
		return errFailuresFound
	}
	return nil
}

func inDir(src kbSource, pos knowledge.Pos) string {
	return knowledge.Problem{Pos: knowledge.Pos{File: path.Join(src.pathPrefix(), pos.File), Line: pos.Line}}.String()
}

func newKBGapsCmd() *cobra.Command {
	var top int
	cmd := &cobra.Command{
		Use:   "gaps",
		Short: "List the most frequent unanswered questions, grouped (needs Redis)",
		Long: "List the questions the bot fell back on most often, grouped by their normalised text, with\n" +
			"the latest wording and when it was last asked: the next articles or example questions to write.\n" +
			"Unanswered questions are kept in Redis, so redis.addr must be set.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			if top < 1 {
				return usagef("kb gaps: --top must be at least 1")
			}
			store, closeStore, err := redisEvents(cfg, "kb gaps", "unanswered questions")
			if err != nil {
				return err
			}
			defer closeStore()
			gaps, err := store.Gaps(cmd.Context(), top)
			if err != nil {
				return fmt.Errorf("kb gaps: %w", err)
			}
			writeGaps(cmd.OutOrStdout(), gaps)
			return nil
		},
	}
	cmd.Flags().IntVarP(&top, "top", "n", 20, "how many groups to list")
	config.AddFlags(cmd.Flags(), "redis-addr")
	return cmd
}

// redisEvents returns the events kept in the configured Redis, for the kb reports that read them,
// and a function closing its client. Without redis.addr it is a usage error naming what is kept
// there.
func redisEvents(cfg *config.Config, command, kept string) (*events.Redis, func(), error) {
	if !cfg.Redis.Enabled() {
		return nil, nil, usagef("%s: %s are kept in Redis: set redis.addr (--redis-addr or CHATBOT_REDIS_ADDR)", command, kept)
	}
	client := newRedisClient(cfg.Redis, nil)
	return events.NewRedis(client, cfg.Redis.Prefix, events.Options{}), func() { _ = client.Close() }, nil
}

func writeGaps(w io.Writer, gaps []events.Gap) {
	if len(gaps) == 0 {
		fmt.Fprintln(w, "no unanswered questions recorded")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COUNT\tLAST ASKED\tNORMALISED\tLATEST WORDING")
	for _, g := range gaps {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", g.Count, g.LastAt.Local().Format(time.DateTime), g.Normalised, g.Example)
	}
	tw.Flush()
}
