package knowledge

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzParseArticle: whatever an editor writes in an article, parsing never panics, every
// problem points at a file, and an article that loads renders no raw HTML. Seeds are in
// testdata/fuzz/FuzzParseArticle; .ci/run fuzzes it for a few seconds.
func FuzzParseArticle(f *testing.F) {
	base := fstest.MapFS{}
	root := os.DirFS("testdata/minimal")
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, p)
		base[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	const article = "articles/smalltalk-greeting.md"
	f.Add(base[article].Data)
	f.Add([]byte("---\nid: smalltalk-greeting\ntitle: 你好\n---\n<script>alert(1)</script>\n[点我](javascript:alert(1))"))
	f.Add([]byte("---\n: [\n---\n"))
	f.Add([]byte("no front matter at all"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		fsys[article] = &fstest.MapFile{Data: data}
		kb, problems := Parse(fsys)
		for _, p := range problems {
			if p.Pos.File == "" || p.Message == "" {
				t.Fatalf("problem without a file or message: %+v", p)
			}
		}
		if problems.HasErrors() {
			return
		}
		for _, a := range kb.Articles {
			html := strings.ToLower(a.Body.HTML)
			if strings.Contains(html, "<script") || strings.Contains(html, "javascript:") {
				t.Fatalf("article %s renders raw HTML: %s", a.ID, a.Body.HTML)
			}
		}
	})
}
