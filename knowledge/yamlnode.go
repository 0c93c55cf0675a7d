package knowledge

import (
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// yamlFile reads one YAML document through yaml.Node, so that every problem can name the line of
// the key or list item it is about, counted in the file the YAML came from.
type yamlFile struct {
	c      *collector
	name   string // file path relative to the knowledge-base root
	offset int    // lines in the file before the YAML starts (front matter starts on line 2)
}

// field is one key: value pair of a mapping.
type field struct {
	key, value *yaml.Node
}

// fields are a mapping's pairs by key, plus the mapping node itself for "missing field" problems.
type fields struct {
	at    *yaml.Node
	byKey map[string]field
	bad   bool // the node was not a mapping (already reported)
}

// item is one text of a list, with its position.
type item struct {
	text string
	pos  Pos
}

// pos is where n is in the file. Without a node (an empty document) it is the line before the
// YAML: the opening "---" of front matter, or line 1 of a YAML file.
func (f *yamlFile) pos(n *yaml.Node) Pos {
	if n == nil || n.Line == 0 {
		return Pos{File: f.name, Line: max(f.offset, 1)}
	}
	return Pos{File: f.name, Line: n.Line + f.offset}
}

func (f *yamlFile) errorf(n *yaml.Node, format string, args ...any) {
	f.c.errorf(f.pos(n), format, args...)
}

func (f *yamlFile) warnf(n *yaml.Node, format string, args ...any) {
	f.c.warnf(f.pos(n), format, args...)
}

// parse returns the document's top node; nil with ok=true for an empty document, ok=false when
// the YAML is invalid (the problem is recorded).
func (f *yamlFile) parse(data []byte) (top *yaml.Node, ok bool) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlErrorLine(err)
		f.c.errorf(Pos{File: f.name, Line: line + f.offset}, "invalid YAML: %s", msg)
		return nil, false
	}
	if len(doc.Content) == 0 {
		return nil, true
	}
	return resolve(doc.Content[0]), true
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the YAML library's parser (not scanner) messages. The library reports their
// line counted from 0 while scanner errors are counted from 1, and leaves the line out when it is
// 0; the message is the only way to tell them apart.
var parserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// yamlErrorLine splits a YAML error into the 1-based line it is about and its message.
func yamlErrorLine(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if containsString(parserProblems, msg) {
		return line + 1, msg
	}
	return max(line, 1), msg
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// mapping reads a mapping's pairs. It reports a node that is not a mapping, duplicate keys, and
// keys not in known (as warnings: most likely a typo the editor wants to hear about). With no
// known keys, any key is accepted.
func (f *yamlFile) mapping(n *yaml.Node, what string, known ...string) fields {
	fs := fields{at: n, byKey: map[string]field{}}
	if isNull(n) {
		return fs
	}
	if n.Kind != yaml.MappingNode {
		f.errorf(n, "%s must be a mapping (key: value lines)", what)
		fs.bad = true
		return fs
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if prev, dup := fs.byKey[k.Value]; dup {
			f.errorf(k, "duplicate key %q (also on line %d)", k.Value, f.pos(prev.key).Line)
			continue
		}
		if known != nil && !containsString(known, k.Value) {
			f.warnf(k, "unknown field %q in %s (known: %s)", k.Value, what, strings.Join(known, ", "))
		}
		fs.byKey[k.Value] = field{key: k, value: v}
	}
	return fs
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// has reports whether key is present with a non-empty value.
func (fs fields) has(key string) bool {
	fd, ok := fs.byKey[key]
	if !ok || isNull(fd.value) {
		return false
	}
	switch fd.value.Kind {
	case yaml.ScalarNode:
		return strings.TrimSpace(fd.value.Value) != ""
	default:
		return len(fd.value.Content) > 0
	}
}

// require reports each key that is absent or empty; it returns false if any was.
func (f *yamlFile) require(fs fields, keys ...string) bool {
	if fs.bad {
		return false
	}
	ok := true
	for _, k := range keys {
		if !fs.has(k) {
			f.errorf(fs.at, "missing required field %q", k)
			ok = false
		}
	}
	return ok
}

// line is the position of key if present, else of the mapping.
func (f *yamlFile) line(fs fields, key string) Pos {
	if fd, ok := fs.byKey[key]; ok {
		return f.pos(fd.key)
	}
	return f.pos(fs.at)
}

// text returns a scalar field, trimmed; "" when absent.
func (f *yamlFile) text(fs fields, key string) string {
	fd, ok := fs.byKey[key]
	if !ok || isNull(fd.value) {
		return ""
	}
	if fd.value.Kind != yaml.ScalarNode {
		f.errorf(fd.key, "%q must be a single text, not a list or mapping", key)
		return ""
	}
	return strings.TrimSpace(fd.value.Value)
}

// rawText is text without trimming, for Markdown where trailing newlines of a block are harmless
// and leading spaces may matter.
func (f *yamlFile) rawText(fs fields, key string) (string, Pos) {
	fd, ok := fs.byKey[key]
	if !ok || isNull(fd.value) {
		return "", f.line(fs, key)
	}
	if fd.value.Kind != yaml.ScalarNode {
		f.errorf(fd.key, "%q must be a single text, not a list or mapping", key)
		return "", f.pos(fd.key)
	}
	p := f.pos(fd.value)
	if fd.value.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		p.Line++ // a block scalar's text starts on the line after "|"
	}
	return fd.value.Value, p
}

// list returns a list field's texts with positions. A single text counts as a one-item list.
func (f *yamlFile) list(fs fields, key string) []item {
	fd, ok := fs.byKey[key]
	if !ok {
		return nil
	}
	return f.items(fd.value, key)
}

func (f *yamlFile) items(n *yaml.Node, what string) []item {
	n = resolve(n)
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.ScalarNode:
		return []item{{text: strings.TrimSpace(n.Value), pos: f.pos(n)}}
	case n.Kind != yaml.SequenceNode:
		f.errorf(n, "%q must be a list ([a, b] or one \"- item\" per line)", what)
		return nil
	}
	out := make([]item, 0, len(n.Content))
	for _, c := range n.Content {
		c = resolve(c)
		if c.Kind != yaml.ScalarNode || isNull(c) {
			f.errorf(c, "each item of %q must be a single text", what)
			continue
		}
		out = append(out, item{text: strings.TrimSpace(c.Value), pos: f.pos(c)})
	}
	return out
}

// sequence returns the nodes of a list field, reporting a field that is not a list.
func (f *yamlFile) sequence(n *yaml.Node, what string) []*yaml.Node {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		f.errorf(n, "%s must be a list (one \"- item\" per entry)", what)
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out
}

func texts(items []item) []string {
	if len(items) == 0 {
		return nil
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.text
	}
	return out
}

// flag reads a true/false field; absent means false.
func (f *yamlFile) flag(fs fields, key string) bool {
	switch v := f.text(fs, key); v {
	case "", "false":
		return false
	case "true":
		return true
	default:
		f.errorf(fs.byKey[key].key, "%s must be true or false, not %q", key, v)
		return false
	}
}
