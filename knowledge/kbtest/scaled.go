// Package kbtest builds knowledge bases for tests and benchmarks. It is imported by tests only.
package kbtest

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing/fstest"

	"chatbot/knowledge"
)

// Scaled returns the built-in knowledge base grown to n times its articles: besides the
// originals, n-1 copies of every article, each copy's id, title, example questions and keywords
// marked with a tag of its own (Chinese characters before and after) so that the copy, not the
// original, is the best match for its questions. Copies start no flow; everything else (flows,
// rules, vocabulary, links to other articles) is the built-in one's. For measuring how the engine
// and a reload scale with the size of the knowledge base.
func Scaled(n int) (fstest.MapFS, error) {
	if n < 1 || n > maxCopies {
		return nil, fmt.Errorf("scaled knowledge base: n must be 1-%d, got %d", maxCopies, n)
	}
	src := knowledge.Embedded()
	out := fstest.MapFS{}
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		out[p] = &fstest.MapFile{Data: data}
		if path.Dir(p) != "articles" || path.Ext(p) != ".md" {
			return nil
		}
		for k := 1; k < n; k++ {
			id := strings.TrimSuffix(path.Base(p), ".md") + fmt.Sprintf("-copy%d", k)
			out["articles/"+id+".md"] = &fstest.MapFile{Data: []byte(copyArticle(string(data), id, tag(k)))}
		}
		return nil
	})
	return out, err
}

// Tags are a heavenly stem and an earthly branch: 120 of them.
const (
	stems     = "甲乙丙丁戊己庚辛壬癸"
	branches  = "子丑寅卯辰巳午未申酉戌亥"
	maxCopies = 120
)

func tag(k int) string {
	s, b := []rune(stems), []rune(branches)
	return string(s[k%len(s)]) + string(b[k%len(b)])
}

// copyArticle rewrites an article's front matter for a copy: its id, and the tag before its
// title, every example question and every keyword.
func copyArticle(src, id, tag string) string {
	lines := strings.Split(src, "\n")
	inQuestions, fences := false, 0
	for i, l := range lines {
		if l == "---" {
			fences++
			continue
		}
		if fences != 1 {
			continue // the body, or before the front matter
		}
		key, value, isKey := strings.Cut(l, ":")
		if isKey && !strings.HasPrefix(l, " ") {
			inQuestions = key == "questions"
			switch key {
			case "flow":
				lines[i] = "" // one article starts each flow
			case "id":
				lines[i] = "id: " + id
			case "title":
				lines[i] = "title: " + tag + strings.TrimSpace(value)
			case "keywords":
				words := strings.Split(strings.Trim(strings.TrimSpace(value), "[]"), ",")
				for j, w := range words {
					words[j] = tag + strings.TrimSpace(w)
				}
				lines[i] = "keywords: [" + strings.Join(words, ", ") + "]"
			}
			continue
		}
		if q, ok := strings.CutPrefix(l, "  - "); ok && inQuestions {
			lines[i] = "  - " + tag + q + tag
		}
	}
	return strings.Join(lines, "\n")
}
