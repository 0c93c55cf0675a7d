package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"chatbot/config"
	"chatbot/dialog"
)

func newEvalCmd() *cobra.Command {
	var minAccuracy float64
	var savePath, comparePath string
	cmd := &cobra.Command{
		Use:   "eval FILE.tsv",
		Short: "Score routing on labelled questions: accuracy, fallback precision/recall, confusions",
		Long: "Ask every question of FILE.tsv (lines of question<TAB>topic-id; _fallback marks questions\n" +
			"the bot should not answer; - reads standard input) in a fresh conversation and print top-1\n" +
			"accuracy, fallback precision and recall, per-topic accuracy, the most confused pairs and\n" +
			"every misrouted question. Questions labelled with a topic that has no article yet are\n" +
			"skipped and counted. --save keeps the run as JSON; --compare lists, question by question,\n" +
			"what is newly right and newly wrong since a saved run.",
		Example: `  chatbot eval --save before.json ../shared/eval/real-dev.tsv
  # edit the knowledge base, then:
  chatbot eval --compare before.json ../shared/eval/real-dev.tsv`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if minAccuracy < 0 || minAccuracy > 100 {
				return usagef("eval: --min-accuracy %v out of range (0-100)", minAccuracy)
			}
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			var before *dialog.EvalRun
			if comparePath != "" {
				run, err := readRun(comparePath)
				if err != nil {
					return err
				}
				before = &run
			}
			in, closeIn, err := openInput(cmd, args[0])
			if err != nil {
				return err
			}
			defer closeIn()
			engine, err := newEngine(kbSourceFor(nil, cfg.KB.Dir), cfg)
			if err != nil {
				return err
			}
			report, err := dialog.Evaluate(engine, in)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if err := report.Write(cmd.OutOrStdout()); err != nil {
				return fmt.Errorf("write report: %w", err)
			}
			if before != nil {
				if err := dialog.Compare(*before, report).Write(cmd.OutOrStdout()); err != nil {
					return fmt.Errorf("write comparison: %w", err)
				}
			}
			if savePath != "" {
				if err := saveRun(savePath, report.Run(engine.KB().Version)); err != nil {
					return err
				}
			}
			if got := 100 * report.Accuracy(); got < minAccuracy {
				fmt.Fprintf(cmd.ErrOrStderr(), "top-1 accuracy %.1f%% is below --min-accuracy %.1f%%\n", got, minAccuracy)
				return errFailuresFound
			}
			return nil
		},
	}
	cmd.Flags().Float64Var(&minAccuracy, "min-accuracy", 0, "exit 1 when top-1 accuracy (percent) is below this")
	cmd.Flags().StringVar(&savePath, "save", "", "save this run, question by question, as JSON to `FILE`")
	cmd.Flags().StringVar(&comparePath, "compare", "", "compare with a run saved by --save in `FILE`: newly right, newly wrong")
	config.AddFlags(cmd.Flags(), "kb-dir")
	return cmd
}

// openInput opens a file named on the command line, "-" being standard input.
func openInput(cmd *cobra.Command, name string) (io.Reader, func(), error) {
	if name == "-" {
		return cmd.InOrStdin(), func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, fmt.Errorf("eval: %w", err)
	}
	return f, func() { f.Close() }, nil
}

func readRun(name string) (dialog.EvalRun, error) {
	f, err := os.Open(name)
	if err != nil {
		return dialog.EvalRun{}, fmt.Errorf("eval --compare: %w", err)
	}
	defer f.Close()
	run, err := dialog.ReadRun(f)
	if err != nil {
		return run, fmt.Errorf("eval --compare %s: %w", name, err)
	}
	return run, nil
}

// saveRun writes the run to a temporary file renamed into place, so a failed write never leaves
// half a run where a good one was.
func saveRun(name string, run dialog.EvalRun) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".eval-run-*")
	if err != nil {
		return fmt.Errorf("eval --save: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := run.WriteJSON(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("eval --save %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("eval --save %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("eval --save: %w", err)
	}
	return nil
}
