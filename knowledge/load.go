package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// Files and folders of a knowledge base (see docs/kb-format.md).
const (
	articlesDir      = "articles"
	flowsDir         = "flows"
	conversationsDir = "conversations"
	vocabularyFile   = "vocabulary.yaml"
	banksFile        = "banks.yaml"
	rulesFile        = "rules.yaml"
	outOfScopeFile   = "out-of-scope.yaml"
	topicsFile       = "topics.yaml"
	unconfirmedFile  = "unconfirmed.yaml"
)

// Load reads, checks and renders the knowledge base in fsys (rooted at the knowledge-base folder,
// e.g. Embedded() or os.DirFS("knowledge/zh-CN")). If anything is wrong it returns a nil KB and a
// Problems error listing every problem found, so a broken edit never replaces a working knowledge
// base. Warnings alone do not stop loading; they are kept in KB.Warnings.
func Load(fsys fs.FS) (*KB, error) {
	kb, problems := Parse(fsys)
	if problems.HasErrors() {
		return nil, problems
	}
	return kb, nil
}

// Parse reads and checks the knowledge base like Load, but returns whatever could be read even
// when there are errors, together with every problem (errors and warnings). It is for tools that
// report on a broken knowledge base (lint, stats); never serve a KB that came with errors.
func Parse(fsys fs.FS) (*KB, Problems) {
	l := &loader{
		fsys:           fsys,
		kb:             &KB{},
		files:          map[string][]byte{},
		requiredTopics: map[string]bool{},
		questionAt:     map[string]questionOwner{},
		broken:         map[refKind]map[string]bool{refArticle: {}, refFlow: {}},
		noneRead:       map[refKind]bool{},
		unreadable:     map[string]bool{},
	}
	l.loadAll()
	sortProblems(l.problems)
	l.kb.Warnings = l.problems.OnlyWarnings()
	return l.kb, l.problems
}

// DirError says a knowledge-base folder cannot be read at all, as opposed to Problems in its files.
type DirError struct {
	Dir    string
	Reason string // "no such directory", "not a directory", ...
	Err    error
}

// Error names the folder and why it cannot be read.
func (e *DirError) Error() string { return "kb.dir: " + e.Dir + ": " + e.Reason }

// Unwrap returns the underlying file-system error.
func (e *DirError) Unwrap() error { return e.Err }

// LoadDir loads the knowledge base in an editor's folder: Load(os.DirFS(dir)), with a DirError
// when the folder itself is missing or unreadable. An empty dir means the embedded knowledge
// base, as kb.dir does in the configuration.
func LoadDir(dir string) (*KB, error) {
	fsys, err := dirFS(dir)
	if err != nil {
		return nil, err
	}
	return Load(fsys)
}

// ParseDir is Parse for a folder, with a DirError when the folder itself is missing or
// unreadable; an empty dir means the embedded knowledge base.
func ParseDir(dir string) (*KB, Problems, error) {
	fsys, err := dirFS(dir)
	if err != nil {
		return nil, nil, err
	}
	kb, problems := Parse(fsys)
	return kb, problems, nil
}

// dirFS opens an editor's folder, or the embedded knowledge base when dir is empty.
func dirFS(dir string) (fs.FS, error) {
	if dir == "" {
		return Embedded(), nil
	}
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	return os.DirFS(dir), nil
}

func checkDir(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &DirError{Dir: dir, Reason: "no such directory", Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &DirError{Dir: dir, Reason: "permission denied", Err: err}
	case err != nil:
		return &DirError{Dir: dir, Reason: "cannot read: " + err.Error(), Err: err}
	case !info.IsDir():
		return &DirError{Dir: dir, Reason: "not a directory"}
	}
	if _, err := os.ReadDir(dir); err != nil {
		return &DirError{Dir: dir, Reason: "cannot read: " + err.Error(), Err: err}
	}
	return nil
}

// loader reads one knowledge base. It keeps going after a problem so an editor sees them all.
type loader struct {
	collector
	fsys  fs.FS
	kb    *KB
	files map[string][]byte // every file read, for the version hash

	// Checked once everything is read: articles and flows point at each other.
	refs     []ref
	slotRefs []slotRef

	requiredTopics map[string]bool          // topics.yaml ids: their articles must be complete
	questionAt     map[string]questionOwner // example question -> where it was first seen

	// broken holds the ids (from their file names) of article and flow files that exist but could
	// not be read, and noneRead the kinds of which nothing could be read (no articles, or their
	// folder unreadable); unreadable holds folders that could not be listed. The broken file or
	// folder is the one problem to fix: references to what it holds are not reported one by one.
	broken     map[refKind]map[string]bool
	noneRead   map[refKind]bool
	unreadable map[string]bool

	answers []located // every text the bot may show (bodies, titles, flow texts, numbers)

	legalWords []string // facts.yaml: words that make a line a legal statement (see legalStatement)
}

type questionOwner struct {
	owner string // article id, or "" for out-of-scope
	pos   Pos
}

func (l *loader) loadAll() {
	l.checkRoot()
	// Facts first: banks, articles and flows cite them.
	l.kb.Facts = l.loadFacts()
	l.kb.indexFacts()
	l.kb.Topics = l.loadTopics()
	l.kb.Vocabulary = l.loadVocabulary()
	l.kb.Banks = l.loadBanks()
	l.kb.Articles = l.loadArticles()
	l.kb.Flows = l.loadFlows()
	l.kb.Rules = l.loadRules()
	l.kb.Crisis = l.loadCrisis()
	l.kb.Conversations = l.loadConversations()
	l.kb.OutOfScope = l.loadOutOfScope()
	l.kb.Unconfirmed = l.loadUnconfirmed()
	l.kb.Index()
	l.checkRefs()
	l.checkSlotRefs()
	l.checkTopics()
	l.checkUnconfirmed()
	l.kb.Version = l.version()
}

// read returns a file's contents; a missing file is not a problem (the caller decides).
func (l *loader) read(name string) ([]byte, bool) {
	data, err := fs.ReadFile(l.fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	if err != nil {
		l.errorf(Pos{File: name}, "cannot read: %s", reason(err))
		return nil, false
	}
	l.files[name] = data
	return data, true
}

// reason is why a file could not be read, without the path the problem already names.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// markBroken records that the file name, which should hold the article or flow with the id of
// its base name, could not be read.
func (l *loader) markBroken(kind refKind, name string) {
	base := path.Base(name)
	l.broken[kind][strings.TrimSuffix(base, path.Ext(base))] = true
}

// list returns the files in dir with one of the extensions, sorted. Editor leftovers (hidden
// files, backups) are skipped silently; anything else unexpected gets a warning.
func (l *loader) list(dir string, exts ...string) []string {
	entries, err := fs.ReadDir(l.fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		l.errorf(Pos{File: dir}, "cannot read folder: %s", reason(err))
		l.unreadable[dir] = true
		return nil
	}
	var names []string
	for _, e := range entries {
		name := path.Join(dir, e.Name())
		switch {
		case editorLeftover(e.Name()):
		case e.IsDir():
			l.warnf(Pos{File: name}, "folder ignored: files must be directly in %s/", dir)
		case hasExt(e.Name(), exts):
			names = append(names, name)
		default:
			l.warnf(Pos{File: name}, "file ignored: only %s files are read in %s/", strings.Join(exts, " or "), dir)
		}
	}
	return names
}

func hasExt(name string, exts []string) bool {
	return slices.ContainsFunc(exts, func(ext string) bool { return strings.HasSuffix(name, ext) })
}

// editorLeftover reports files editors leave next to the ones they edit (swap files, backups,
// lock files), which are never content.
func editorLeftover(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~")
}

// checkRoot warns about YAML or Markdown files at the top that are not part of the format, which
// are most likely misnamed (vocab.yaml) or misplaced (an article outside articles/).
func (l *loader) checkRoot() {
	entries, err := fs.ReadDir(l.fsys, ".")
	if err != nil {
		l.errorf(Pos{File: "."}, "cannot read the knowledge-base folder: %v", err)
		return
	}
	known := []string{vocabularyFile, banksFile, rulesFile, outOfScopeFile, topicsFile, unconfirmedFile, crisisFile, factsFile}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || editorLeftover(name) || slices.Contains(known, name) || strings.EqualFold(name, "README.md") {
			continue
		}
		if hasExt(name, []string{".yaml", ".yml", ".md"}) {
			l.warnf(Pos{File: name}, "file ignored: not part of the knowledge-base format (see docs/kb-format.md)")
		}
	}
}

// version is a short hash of every file read, in path order, so the same content always gets the
// same version whatever the file system.
func (l *loader) version() string {
	names := make([]string, 0, len(l.files))
	for name := range l.files {
		names = append(names, name)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(l.files[name]))
		h.Write(l.files[name])
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
