package main

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"chatbot/bot/events"
	"chatbot/config"
)

func newKBFeedbackCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feedback",
		Short: "List what users said of each article's answers (useful or not), least useful first (needs Redis)",
		Long: "List the 有用/没用 feedback users gave on answers, counted per article, the articles with most\n" +
			"\"not useful\" votes first: the answers to rewrite. Counts are kept in Redis, so redis.addr must be set.",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd)
			if err != nil {
				return err
			}
			store, closeStore, err := redisEvents(cfg, "kb feedback", "feedback counts")
			if err != nil {
				return err
			}
			defer closeStore()
			counts, err := store.FeedbackCounts(cmd.Context())
			if err != nil {
				return fmt.Errorf("kb feedback: %w", err)
			}
			writeFeedback(cmd.OutOrStdout(), counts)
			return nil
		},
	}
	config.AddFlags(cmd.Flags(), "redis-addr")
	return cmd
}

// writeFeedback prints one line per article: most "not useful" first, then most votes, then by id.
func writeFeedback(w io.Writer, counts map[string]events.Counts) {
	if len(counts) == 0 {
		fmt.Fprintln(w, "no feedback recorded")
		return
	}
	articles := make([]string, 0, len(counts))
	for a := range counts {
		articles = append(articles, a)
	}
	sort.Slice(articles, func(i, j int) bool {
		a, b := counts[articles[i]], counts[articles[j]]
		if a.NotUseful != b.NotUseful {
			return a.NotUseful > b.NotUseful
		}
		if a.Useful+a.NotUseful != b.Useful+b.NotUseful {
			return a.Useful+a.NotUseful > b.Useful+b.NotUseful
		}
		return articles[i] < articles[j]
	})
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NOT USEFUL\tUSEFUL\tUSEFUL %\tARTICLE")
	for _, a := range articles {
		c := counts[a]
		share := "-"
		if total := c.Useful + c.NotUseful; total > 0 {
			share = fmt.Sprintf("%.0f%%", 100*float64(c.Useful)/float64(total))
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", c.NotUseful, c.Useful, share, a)
	}
	tw.Flush()
}
