package main

import (
	"errors"
	"fmt"

	"chatbot/knowledge"
)

// embeddedKBDir is where the embedded knowledge base lives in the repository; lint output names
// files under it so an editor can open them.
const embeddedKBDir = "knowledge/zh-CN"

// kbSource is the knowledge base a command works on: an editor's folder, or the embedded one
// when dir is empty.
type kbSource struct{ dir string }

// kbSourceFor picks the folder given as an argument, else kb.dir from the configuration.
func kbSourceFor(args []string, configured string) kbSource {
	if len(args) > 0 {
		return kbSource{dir: args[0]}
	}
	return kbSource{dir: configured}
}

// String names the source for messages.
func (s kbSource) String() string {
	if s.dir == "" {
		return embeddedKBDir + " (embedded)"
	}
	return s.dir
}

// load returns the knowledge base, or every problem that keeps it from loading.
func (s kbSource) load() (*knowledge.KB, error) {
	kb, err := knowledge.LoadDir(s.dir)
	if err != nil {
		var ps knowledge.Problems
		if errors.As(err, &ps) {
			return nil, fmt.Errorf("knowledge base %s has errors (run chatbot kb lint):\n%w", s, ps.WithDir(s.pathPrefix()))
		}
		return nil, dirError(err)
	}
	return kb, nil
}

// parse reads the knowledge base as far as it can, for tools that report on a broken one.
func (s kbSource) parse() (*knowledge.KB, knowledge.Problems, error) {
	kb, ps, err := knowledge.ParseDir(s.dir)
	if err != nil {
		return nil, nil, dirError(err)
	}
	return kb, ps.WithDir(s.pathPrefix()), nil
}

// pathPrefix is prefixed to problem positions so they name files from the working directory.
func (s kbSource) pathPrefix() string {
	if s.dir == "" {
		return embeddedKBDir
	}
	return s.dir
}

// dirError reports a knowledge-base folder that cannot be read at all. Naming a folder that does
// not exist is a usage error (exit 2), not a problem found in the knowledge base.
func dirError(err error) error {
	err = fmt.Errorf("knowledge base: %w", err)
	var de *knowledge.DirError
	if errors.As(err, &de) {
		return &usageError{err: err}
	}
	return err
}
