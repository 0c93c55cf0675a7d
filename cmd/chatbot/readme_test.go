package main

import (
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestREADMEListsEveryCommand keeps the README's command table in step with the command line.
func TestREADMEListsEveryCommand(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "help" {
				continue
			}
			t.Run(sub.CommandPath(), func(t *testing.T) {
				assert.Contains(t, string(readme), "| `"+sub.CommandPath(), "a row of the README's command table")
			})
			walk(sub)
		}
	}
	walk(newRootCmd())
	for i, line := range strings.Split(string(readme), "\n") {
		if strings.Contains(line, "TODO") {
			t.Errorf("README.md:%d: a placeholder is left: %s", i+1, line)
		}
	}
}
