package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"chatbot/config"
	"chatbot/dialog"
)

func newEvalCmd() *cobra.Command {
	var minAccuracy float64
	cmd := &cobra.Command{
		Use:   "eval FILE.tsv",
		Short: "Score routing on labelled questions: accuracy, fallback precision/recall, confusions",
		Long: "Ask every question of FILE.tsv (lines of question<TAB>topic-id; _fallback marks questions\n" +
			"the bot should not answer; - reads standard input) in a fresh conversation and print top-1\n" +
			"accuracy, fallback precision and recall, per-topic accuracy, the most confused pairs and\n" +
			"every misrouted question.",
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if minAccuracy < 0 || minAccuracy > 100 {
				return usagef("eval: --min-accuracy %v out of range (0-100)", minAccuracy)
			}
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
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
			if got := 100 * report.Accuracy(); got < minAccuracy {
				fmt.Fprintf(cmd.ErrOrStderr(), "top-1 accuracy %.1f%% is below --min-accuracy %.1f%%\n", got, minAccuracy)
				return errFailuresFound
			}
			return nil
		},
	}
	cmd.Flags().Float64Var(&minAccuracy, "min-accuracy", 0, "exit 1 when top-1 accuracy (percent) is below this")
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
