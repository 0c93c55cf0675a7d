package live

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"chatbot/bot"
	"chatbot/bot/bottest"
	"chatbot/knowledge"
)

const article = "articles/negotiate-repayment.md"

// edit appends a harmless sentence to an article: a new, valid version.
func edit(t *testing.T, dir, sentence string) {
	t.Helper()
	path := filepath.Join(dir, article)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, append(b, "\n\n"+sentence+"\n"...), 0o644))
}

func readArticle(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, article))
	require.NoError(t, err)
	return b
}

func writeArticle(t *testing.T, dir string, b []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, article), b, 0o644))
}

// breakArticle replaces an article's front matter with YAML that does not parse.
func breakArticle(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, article), []byte("---\nid: [negotiate-repayment\n---\n正文\n"), 0o644))
}

func TestLoadEmbedded(t *testing.T) {
	l := New(Options{})
	assert.Nil(t, l.Engine())
	assert.False(t, l.Status().Loaded)
	require.NoError(t, l.Load(context.Background()))
	require.NotNil(t, l.Engine())
	st := l.Status()
	assert.True(t, st.Loaded)
	assert.Equal(t, "embedded", st.Source)
	assert.Equal(t, l.Engine().KB().Version, st.Version)
	assert.Empty(t, st.Problems)
	stopped, err := l.Watch(context.Background())
	require.NoError(t, err)
	_, open := <-stopped
	assert.False(t, open, "nothing to watch: stopped at once")
}

func TestLoadFailsOnBrokenKnowledgeBase(t *testing.T) {
	tests := []struct {
		name    string
		dir     func(t *testing.T) string
		problem string
	}{
		{"missing folder", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, "nope"},
		{"broken article", func(t *testing.T) string { d := bottest.KBCopy(t); breakArticle(t, d); return d }, article + ":"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs strings.Builder
			l := New(Options{Dir: tt.dir(t), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			err := l.Load(context.Background())
			require.Error(t, err)
			assert.Nil(t, l.Engine())
			st := l.Status()
			assert.False(t, st.Loaded)
			require.NotEmpty(t, st.Problems)
			assert.Contains(t, strings.Join(st.Problems, "\n"), tt.problem)
			assert.Empty(t, logs.String(), "start-up reports its failure once, through the error")

			require.Error(t, l.Reload(context.Background()))
			assert.Contains(t, logs.String(), "nothing is serving")
			assert.NotContains(t, logs.String(), "previous version")
		})
	}
}

func TestReloadKeepsServingOnBrokenEdit(t *testing.T) {
	ctx := context.Background()
	dir := bottest.KBCopy(t)
	var logs strings.Builder
	l := New(Options{Dir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, l.Load(ctx))
	serving := l.Engine()
	good := readArticle(t, dir)

	breakArticle(t, dir)
	err := l.Reload(ctx)
	require.Error(t, err)
	assert.Same(t, serving, l.Engine(), "the previous version keeps serving")
	assert.Contains(t, logs.String(), "the previous version keeps serving")
	assert.Contains(t, logs.String(), "serving="+serving.KB().Version)
	st := l.Status()
	assert.Equal(t, serving.KB().Version, st.Version)
	require.NotEmpty(t, st.Problems)
	assert.Regexp(t, regexp.QuoteMeta(filepath.Join(dir, article))+`:\d+: `, strings.Join(st.Problems, "\n"),
		"problems point at the editor's file and line")

	// The editor fixes it: the fixed version serves and the problems are gone.
	writeArticle(t, dir, good)
	edit(t, dir, "如有疑问，请以发卡行的说明为准。")
	require.NoError(t, l.Reload(ctx))
	assert.NotEqual(t, serving.KB().Version, l.Engine().KB().Version)
	assert.Empty(t, l.Status().Problems)
}

func TestReloadWithoutChangeKeepsEngine(t *testing.T) {
	ctx := context.Background()
	l := New(Options{Dir: bottest.KBCopy(t)})
	require.NoError(t, l.Load(ctx))
	serving := l.Engine()
	require.NoError(t, l.Reload(ctx))
	assert.Same(t, serving, l.Engine())
}

// TestWatchReloadsOnSave: a saved change goes live, and a broken save shows its problems while
// the last good version serves. Reloads are waited for with a generous deadline: how fast they
// are belongs in benchmarks, not in a test a busy machine can fail.
func TestWatchReloadsOnSave(t *testing.T) {
	dir := bottest.KBCopy(t)
	l := New(Options{Dir: dir})
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, l.Load(ctx))
	before := l.Engine().KB().Version

	stopped, err := l.Watch(ctx)
	require.NoError(t, err)
	defer func() {
		cancel()
		<-stopped
	}()

	edit(t, dir, "如有疑问，请以发卡行的说明为准。")
	assert.Eventually(t, func() bool { return l.Engine().KB().Version != before },
		reloadDeadline, 20*time.Millisecond, "a saved change goes live")

	breakArticle(t, dir)
	assert.Eventually(t, func() bool { return len(l.Status().Problems) > 0 },
		reloadDeadline, 20*time.Millisecond, "a broken save shows its problems")
	assert.NotEqual(t, before, l.Engine().KB().Version, "and the last good version keeps serving")
}

// reloadDeadline is how long a test waits for a watched reload: far more than it takes.
const reloadDeadline = 60 * time.Second

// TestReloadWhileChatting reloads good and broken edits while many conversations run; under
// -race it also proves the swap is safe. No turn may fail, and every reply names a version that
// was serving.
func TestReloadWhileChatting(t *testing.T) {
	ctx := context.Background()
	dir := bottest.KBCopy(t)
	l := New(Options{Dir: dir})
	require.NoError(t, l.Load(ctx))
	b, err := bot.New(bot.Options{Engines: l})
	require.NoError(t, err)

	var (
		mu       sync.Mutex
		versions = map[string]bool{l.Engine().KB().Version: true} // every version that served
		seen     = map[string]bool{}                              // versions replies came from
	)
	stop := make(chan struct{})
	var chats sync.WaitGroup
	errs := make(chan error, 64)
	for range 6 {
		chats.Go(func() {
			s, err := b.Open(ctx, "")
			if err != nil {
				errs <- err
				return
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond): // leave the reloads some CPU
				}
				out, err := b.Handle(ctx, s.ID, bot.Input{MessageID: fmt.Sprintf("c%d", i),
					Text: []string{"信用卡逾期了怎么跟银行协商", "逾期会影响征信吗", "今天天气怎么样"}[i%3]})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				ok := versions[out.KBVersion]
				seen[out.KBVersion] = true
				mu.Unlock()
				if !ok {
					errs <- assert.AnError
					t.Errorf("reply from unknown version %q", out.KBVersion)
					return
				}
			}
		})
	}

	for i := range 2 {
		edit(t, dir, fmt.Sprintf("补充说明（%c）：请以发卡行的说明为准。", 'A'+i))
		// Register the version before it can serve: load it the same way to learn its hash.
		kb, err := knowledge.LoadDir(dir)
		require.NoError(t, err)
		mu.Lock()
		versions[kb.Version] = true
		mu.Unlock()
		require.NoError(t, l.Reload(ctx))
		require.Equal(t, kb.Version, l.Engine().KB().Version)

		good := readArticle(t, dir)
		breakArticle(t, dir)
		require.Error(t, l.Reload(ctx))
		writeArticle(t, dir, good)
	}
	close(stop)
	chats.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Greater(t, len(seen), 1, "replies came from more than one version")
}

// TestRoutingCheckedAfterTheSwap: an example question routed to another article does not hold
// the edit back; the check runs after the swap and its finding is a warning of the serving
// version, at the editor's file and line.
func TestRoutingCheckedAfterTheSwap(t *testing.T) {
	ctx := context.Background()
	dir := bottest.KBCopy(t)
	l := New(Options{Dir: dir})
	require.NoError(t, l.Load(ctx))
	require.Eventually(t, func() bool { return l.Status().RoutingChecked }, 30*time.Second, 10*time.Millisecond)
	assert.Empty(t, l.Status().Warnings, "the built-in knowledge base routes every example home")

	path := filepath.Join(dir, "articles/grace-period.md")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	misrouted := strings.Replace(string(b), "questions:\n", "questions:\n  - 征信报告一年能免费查几次呀\n", 1)
	require.NoError(t, os.WriteFile(path, []byte(misrouted), 0o644))
	require.NoError(t, l.Reload(ctx), "the edit serves at once")
	st := l.Status()
	assert.Empty(t, st.Problems)
	require.Eventually(t, func() bool { return l.Status().RoutingChecked }, 30*time.Second, 10*time.Millisecond)
	assert.Regexp(t, regexp.QuoteMeta(path)+`:\d+: example question "征信报告一年能免费查几次呀" of grace-period is routed to credit-report`,
		strings.Join(l.Status().Warnings, "\n"))
}
