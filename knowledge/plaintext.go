package knowledge

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// plainText renders a parsed Markdown document for clients that show text only: paragraphs are
// separated by a blank line, list items keep their numbers ("1. ") or get a bullet, and emphasis
// marks disappear.
func plainText(doc ast.Node, source []byte) string {
	return strings.TrimSpace(blocksText(doc, source, "\n\n"))
}

func blocksText(parent ast.Node, source []byte, sep string) string {
	var parts []string
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		if s := blockText(c, source); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}

func blockText(n ast.Node, source []byte) string {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock, *ast.Heading:
		return inlineText(n, source)
	case *ast.List:
		return listText(n, source)
	case *ast.Blockquote:
		return blocksText(n, source, "\n")
	case *ast.FencedCodeBlock, *ast.CodeBlock, *ast.HTMLBlock:
		var b strings.Builder
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			b.Write(s.Value(source))
		}
		return strings.TrimRight(b.String(), "\n")
	case *ast.ThematicBreak:
		return "——"
	case *east.Table:
		return tableText(n, source)
	default:
		return blocksText(n, source, "\n")
	}
}

func listText(l *ast.List, source []byte) string {
	var lines []string
	number := l.Start
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		marker := "• "
		if l.IsOrdered() {
			marker = strconv.Itoa(number) + string(l.Marker) + " "
			number++
		}
		body := blocksText(item, source, "\n")
		// Continuation lines (nested lists, second paragraphs) line up under the item's text.
		indent := strings.Repeat(" ", utf8.RuneCountInString(marker))
		body = strings.ReplaceAll(body, "\n", "\n"+indent)
		lines = append(lines, marker+body)
	}
	return strings.Join(lines, "\n")
}

func tableText(t *east.Table, source []byte) string {
	var rows []string
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		var cells []string
		for cell := row.FirstChild(); cell != nil; cell = cell.NextSibling() {
			cells = append(cells, inlineText(cell, source))
		}
		rows = append(rows, strings.Join(cells, " | "))
	}
	return strings.Join(rows, "\n")
}

// inlineText is the text of a node's inline children.
func inlineText(n ast.Node, source []byte) string {
	var b strings.Builder
	writeInline(&b, n, source)
	return strings.TrimSpace(b.String())
}

func writeInline(b *strings.Builder, parent ast.Node, source []byte) {
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		switch n := c.(type) {
		case *ast.Text:
			v := n.Segment.Value(source)
			if !n.IsRaw() {
				v = unescape(v)
			}
			b.Write(v)
			switch {
			case n.HardLineBreak():
				b.WriteByte('\n')
			case n.SoftLineBreak() && !joinsEastAsian(v, n.NextSibling(), source):
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			b.Write(n.Label(source))
		case *ast.RawHTML:
			for i := 0; i < n.Segments.Len(); i++ {
				s := n.Segments.At(i)
				b.Write(s.Value(source))
			}
		case *ast.Link:
			label := inlineText(n, source)
			b.WriteString(label)
			if dest, ok := safeURL(n.Destination); ok {
				// Text-only clients cannot follow the link, so show where it points.
				shown := strings.TrimPrefix(dest, "tel:")
				if !strings.Contains(label, shown) && !(shown != dest && strings.Contains(digits(label), shown)) {
					b.WriteString("（" + shown + "）")
				}
			}
		default:
			writeInline(b, n, source)
		}
	}
}

// digits keeps only the digits of s: 「400-820-5555」 is the number tel:4008205555 dials.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func unescape(v []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// joinsEastAsian reports whether a soft line break sits between two Chinese characters, where a
// reader expects no space at all (as in the HTML).
func joinsEastAsian(before []byte, next ast.Node, source []byte) bool {
	t, ok := next.(*ast.Text)
	if !ok || len(before) == 0 {
		return false
	}
	after := t.Segment.Value(source)
	if len(after) == 0 {
		return false
	}
	last, _ := utf8.DecodeLastRune(before)
	first, _ := utf8.DecodeRune(after)
	return util.IsEastAsianWideRune(last) && util.IsEastAsianWideRune(first)
}
