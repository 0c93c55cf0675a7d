package knowledge

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown is configured once and reused: goldmark's parser and renderer are safe for concurrent
// use. Tables are on because editors write the bank-hotline table as one. Linkify stays off so
// only links the editor wrote on purpose become links. Raw HTML is never passed through: the
// safe renderer below escapes it, and only allowed link schemes get an href.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough),
	goldmark.WithRendererOptions(
		// Chinese text wrapped in the source must not get spaces where the lines were joined.
		html.WithEastAsianLineBreaks(html.EastAsianLineBreaksSimple),
		renderer.WithNodeRenderers(util.Prioritized(safeRenderer{}, 100)),
	),
)

// finding is something wrong in a Markdown fragment, at a byte offset into it.
type finding struct {
	offset  int
	message string
}

// render parses a Markdown fragment once and returns its safe HTML, its plain text, and what in
// it is not allowed (raw HTML, unsafe links).
func render(src string) (Content, []finding) {
	source := []byte(src)
	doc := markdown.Parser().Parse(text.NewReader(source))
	var buf bytes.Buffer
	if err := markdown.Renderer().Render(&buf, source, doc); err != nil {
		// Rendering into a bytes.Buffer has no I/O to fail; keep the text usable anyway.
		return Content{Markdown: src, Text: src}, []finding{{0, fmt.Sprintf("cannot render Markdown: %v", err)}}
	}
	return Content{
		Markdown: src,
		HTML:     strings.TrimSpace(buf.String()),
		Text:     plainText(doc, source),
	}, inspect(doc, source)
}

// safeURL returns the decoded destination and whether it may become an href: only https://,
// http:// and tel: are allowed. Checking an allowlist on the decoded form leaves no way to sneak
// "java&#115;cript:" through.
func safeURL(dest []byte) (string, bool) {
	d := util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(dest)))
	s := string(d)
	lower := strings.ToLower(s)
	for _, prefix := range []string{"https://", "http://", "tel:"} {
		if strings.HasPrefix(lower, prefix) && len(s) > len(prefix) && !strings.ContainsAny(s, " \t\r\n\"'<>`") {
			return s, true
		}
	}
	return s, false
}

// safeRenderer overrides goldmark's HTML for the nodes where content could carry markup or script.
type safeRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (safeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindLink, renderLink)
	reg.Register(ast.KindAutoLink, renderAutoLink)
	reg.Register(ast.KindImage, renderImage)
	reg.Register(ast.KindRawHTML, renderRawHTML)
	reg.Register(ast.KindHTMLBlock, renderHTMLBlock)
}

func writeAnchor(w util.BufWriter, href string) {
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(href), false)))
	if !strings.HasPrefix(strings.ToLower(href), "tel:") {
		// Leave the chat open when the user follows an outside link.
		_, _ = w.WriteString(`" target="_blank" rel="noopener noreferrer`)
	}
	_, _ = w.WriteString(`">`)
}

// renderLink writes an anchor for an allowed link; an unsafe one keeps only its text.
func renderLink(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	href, ok := safeURL(node.(*ast.Link).Destination)
	if !ok {
		return ast.WalkContinue, nil
	}
	if entering {
		writeAnchor(w, href)
	} else {
		_, _ = w.WriteString("</a>")
	}
	return ast.WalkContinue, nil
}

func autoLinkURL(n *ast.AutoLink, source []byte) []byte {
	if n.AutoLinkType == ast.AutoLinkEmail {
		return append([]byte("mailto:"), n.URL(source)...)
	}
	return n.URL(source)
}

func renderAutoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	label := util.EscapeHTML(n.Label(source))
	if href, ok := safeURL(autoLinkURL(n, source)); ok {
		writeAnchor(w, href)
		_, _ = w.Write(label)
		_, _ = w.WriteString("</a>")
	} else {
		_, _ = w.Write(label)
	}
	return ast.WalkContinue, nil
}

// renderImage writes an <img> for an allowed source, else only the alt text.
func renderImage(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.Image)
	alt := util.EscapeHTML([]byte(inlineText(n, source)))
	src, ok := safeURL(n.Destination)
	if ok && !strings.HasPrefix(strings.ToLower(src), "tel:") {
		_, _ = w.WriteString(`<img src="`)
		_, _ = w.Write(util.EscapeHTML(util.URLEscape([]byte(src), false)))
		_, _ = w.WriteString(`" alt="`)
		_, _ = w.Write(alt)
		_, _ = w.WriteString(`">`)
	} else {
		_, _ = w.Write(alt)
	}
	return ast.WalkSkipChildren, nil
}

// renderRawHTML shows inline HTML as the text the editor typed, never as markup.
func renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		segs := node.(*ast.RawHTML).Segments
		for i := 0; i < segs.Len(); i++ {
			s := segs.At(i)
			_, _ = w.Write(util.EscapeHTML(s.Value(source)))
		}
	}
	return ast.WalkSkipChildren, nil
}

func renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.HTMLBlock)
	_, _ = w.WriteString("<p>")
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		_, _ = w.Write(util.EscapeHTML(s.Value(source)))
	}
	if n.HasClosure() {
		_, _ = w.Write(util.EscapeHTML(n.ClosureLine.Value(source)))
	}
	_, _ = w.WriteString("</p>\n")
	return ast.WalkSkipChildren, nil
}

// inspect lists raw HTML and unsafe links, each at the offset of where it was written.
func inspect(doc ast.Node, source []byte) []finding {
	var out []finding
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.RawHTML:
			if n.Segments.Len() == 0 {
				break
			}
			var raw []byte
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				raw = append(raw, seg.Value(source)...)
			}
			out = append(out, finding{n.Segments.At(0).Start, rawHTMLMessage(raw)})
		case *ast.HTMLBlock:
			if n.Lines().Len() > 0 {
				first := n.Lines().At(0)
				out = append(out, finding{first.Start, rawHTMLMessage(first.Value(source))})
			}
		case *ast.Link:
			if dest, ok := safeURL(n.Destination); !ok {
				out = append(out, finding{offsetOf(n, n.Destination, source), unsafeLinkMessage(dest)})
			}
		case *ast.Image:
			if dest, ok := safeURL(n.Destination); !ok || strings.HasPrefix(strings.ToLower(dest), "tel:") {
				out = append(out, finding{offsetOf(n, n.Destination, source), unsafeLinkMessage(dest)})
			}
		case *ast.AutoLink:
			if dest, ok := safeURL(autoLinkURL(n, source)); !ok {
				out = append(out, finding{offsetOf(n, n.Label(source), source), unsafeLinkMessage(dest)})
			}
		}
		return ast.WalkContinue, nil
	})
	return out
}

func rawHTMLMessage(raw []byte) string {
	return fmt.Sprintf("raw HTML is not allowed: %q; use Markdown", snippet(string(bytes.TrimSpace(raw)), 40))
}

func unsafeLinkMessage(dest string) string {
	return fmt.Sprintf("unsafe link %q: only https://, http:// and tel: links are allowed", snippet(dest, 60))
}

// snippet shortens s to at most n bytes without cutting a character in half.
func snippet(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// offsetOf finds where an inline node was written: inline nodes carry no position, so search for
// needle from the start of the enclosing block.
func offsetOf(n ast.Node, needle, source []byte) int {
	start := 0
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			start = p.Lines().At(0).Start
			break
		}
	}
	if len(needle) > 0 {
		if i := bytes.Index(source[start:], needle); i >= 0 {
			return start + i
		}
	}
	return start
}
