package dialog

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// EvalRun is an evaluation saved to compare later ones with, question by question: an editor
// saves a run before an edit and compares after it, to see what the edit broke before publishing.
type EvalRun struct {
	KBVersion string      `json:"kb_version"`
	Accuracy  float64     `json:"accuracy"`
	Items     []SavedItem `json:"items"`
}

// SavedItem is what the engine did with one question of a saved run.
type SavedItem struct {
	Line     int    `json:"line"`
	Question string `json:"question"`
	Want     string `json:"want"`
	Got      string `json:"got"`
}

// Run turns a report into a run to save.
func (r EvalReport) Run(kbVersion string) EvalRun {
	run := EvalRun{KBVersion: kbVersion, Accuracy: r.Accuracy(), Items: make([]SavedItem, len(r.Items))}
	for i, it := range r.Items {
		run.Items[i] = SavedItem{Line: it.Line, Question: it.Question, Want: it.Want, Got: it.Got}
	}
	return run
}

// WriteJSON saves the run as indented JSON.
func (run EvalRun) WriteJSON(w io.Writer) error {
	data, err := json.MarshalIndent(run, "", "  ")
	if err != nil {
		return fmt.Errorf("eval run: %w", err)
	}
	if _, err := w.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("eval run: %w", err)
	}
	return nil
}

// ReadRun reads a run saved by WriteJSON.
func ReadRun(r io.Reader) (EvalRun, error) {
	var run EvalRun
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&run); err != nil {
		return run, fmt.Errorf("saved eval run: %w", err)
	}
	return run, nil
}

// EvalChange is one question whose outcome differs between two runs.
type EvalChange struct {
	Line          int
	Question      string
	Want          string
	Before, After string
}

// EvalComparison is a report compared with a saved run.
type EvalComparison struct {
	BeforeVersion          string
	BeforeAcc, AfterAcc    float64
	NewlyRight, NewlyWrong []EvalChange
	// Changed are questions wrong in both runs, but wrong differently.
	Changed []EvalChange
	// Added and Removed count questions found in only one of the runs (the file was edited).
	Added, Removed int
}

// Compare matches the report's questions with the saved run's by question and label (a question
// asked twice is matched in order) and lists what changed.
func Compare(before EvalRun, after EvalReport) EvalComparison {
	c := EvalComparison{BeforeVersion: before.KBVersion, BeforeAcc: before.Accuracy, AfterAcc: after.Accuracy()}
	saved := map[string][]SavedItem{}
	for _, it := range before.Items {
		k := it.Question + "\t" + it.Want
		saved[k] = append(saved[k], it)
	}
	for _, it := range after.Items {
		k := it.Question + "\t" + it.Want
		queue := saved[k]
		if len(queue) == 0 {
			c.Added++
			continue
		}
		old := queue[0]
		saved[k] = queue[1:]
		if old.Got == it.Got {
			continue
		}
		ch := EvalChange{Line: it.Line, Question: it.Question, Want: it.Want, Before: old.Got, After: it.Got}
		switch {
		case it.Got == it.Want:
			c.NewlyRight = append(c.NewlyRight, ch)
		case old.Got == it.Want:
			c.NewlyWrong = append(c.NewlyWrong, ch)
		default:
			c.Changed = append(c.Changed, ch)
		}
	}
	for _, rest := range saved {
		c.Removed += len(rest)
	}
	return c
}

// Write prints the comparison: the accuracy before and after, then every newly right, newly
// wrong and otherwise changed question.
func (c EvalComparison) Write(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "\ncompared with the saved run (kb %s): top-1 %.1f%% -> %.1f%%\n", c.BeforeVersion, 100*c.BeforeAcc, 100*c.AfterAcc)
	fmt.Fprintf(b, "newly right: %d, newly wrong: %d, wrong differently: %d", len(c.NewlyRight), len(c.NewlyWrong), len(c.Changed))
	if c.Added+c.Removed > 0 {
		fmt.Fprintf(b, ", only in this run: %d, only in the saved run: %d", c.Added, c.Removed)
	}
	b.WriteString("\n")
	for _, sec := range []struct {
		title string
		list  []EvalChange
	}{{"newly wrong", c.NewlyWrong}, {"newly right", c.NewlyRight}, {"wrong differently", c.Changed}} {
		if len(sec.list) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s:\n", sec.title)
		for _, ch := range sec.list {
			fmt.Fprintf(b, "  line %d: %s\n    want %s: was %s, now %s\n", ch.Line, ch.Question, ch.Want, ch.Before, ch.After)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
