// Command chatbot serves the overdue-credit-card help bot and gives content editors and operators
// its tools: ask a question, evaluate routing, lint and test a knowledge base, list unanswered
// questions. Run `chatbot --help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"chatbot/config"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailures = 1 // the command ran and found failures (lint errors, failed conversations, I/O)
	exitUsage    = 2 // bad arguments, flags or configuration
)

// main runs the command line. Only serve handles SIGINT/SIGTERM (graceful shutdown); the other
// commands are short and simply end.
func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process exit code. Tests call it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var silent *silentError
	if !errors.As(err, &silent) {
		fmt.Fprintln(stderr, err)
	}
	return exitCode(err)
}

func exitCode(err error) int {
	var usage *usageError
	var cfg *config.Error
	var failed *silentError
	switch {
	case errors.As(err, &failed):
		return failed.code
	case errors.As(err, &usage), errors.As(err, &cfg):
		return exitUsage
	default:
		return exitFailures
	}
}

// usageError is a mistake in how the command was called; it exits with code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// usageHint is a usage error that points to the command's help.
func usageHint(cmd *cobra.Command, err error) error {
	return &usageError{err: fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath())}
}

// silentError ends a command whose output already said what went wrong (lint problems,
// failed conversations): nothing more is printed, only the exit code is set.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// errFailuresFound is returned by commands that printed the failures they found.
var errFailuresFound = &silentError{code: exitFailures}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "chatbot",
		Short: "Help bot for credit-card holders who are behind on payments",
		Long: "chatbot answers cardholders' questions about overdue credit cards (逾期) from a curated\n" +
			"Markdown knowledge base, over a websocket chat and an HTTP API, and gives content editors\n" +
			"the tools to check and test that knowledge base.",
		Args:          cobra.ArbitraryArgs,
		RunE:          groupRunE,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(usageHint)
	root.AddCommand(newServeCmd(), newAskCmd(), newEvalCmd(), newKBCmd(), newHealthcheckCmd())
	return root
}

// groupRunE makes a command that only groups others refuse unknown subcommands with a usage error
// (cobra would otherwise print help and exit 0) and print its help when called alone.
func groupRunE(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageHint(cmd, fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath()))
	}
	return cmd.Help()
}

// usageArgs turns cobra's argument-count errors into usage errors.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageHint(cmd, err)
		}
		return nil
	}
}

// loadConfig loads the configuration with the command's flags as the top layer.
func loadConfig(cmd *cobra.Command) (*config.Config, error) {
	return config.Load(cmd.Flags())
}
