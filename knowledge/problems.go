package knowledge

import (
	"cmp"
	"fmt"
	"path"
	"slices"
)

// HasErrors reports whether any problem is an error (not just a warning).
func (ps Problems) HasErrors() bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Severity == SeverityError })
}

// Errors returns the problems that stop the knowledge base from loading.
func (ps Problems) Errors() Problems {
	return ps.filter(SeverityError)
}

// OnlyWarnings returns the problems that do not stop the knowledge base from loading.
func (ps Problems) OnlyWarnings() Problems {
	return ps.filter(SeverityWarning)
}

func (ps Problems) filter(s Severity) Problems {
	var out Problems
	for _, p := range ps {
		if p.Severity == s {
			out = append(out, p)
		}
	}
	return out
}

// WithDir returns a copy whose file names are prefixed with dir, so a tool run on a folder can
// print paths an editor can open ("knowledge/zh-CN/articles/x.md:12: ...").
func (ps Problems) WithDir(dir string) Problems {
	out := make(Problems, len(ps))
	for i, p := range ps {
		p.Pos.File = path.Join(dir, p.Pos.File)
		out[i] = p
	}
	return out
}

// sortProblems orders problems by file, line and severity (errors first) so output is stable and reads top to bottom.
func sortProblems(ps Problems) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Severity, b.Severity))
	})
}

// collector gathers problems while a knowledge base is read; reading never stops at the first one.
type collector struct {
	problems Problems
}

func (c *collector) errorf(pos Pos, format string, args ...any) {
	c.problems = append(c.problems, Problem{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

func (c *collector) warnf(pos Pos, format string, args ...any) {
	c.problems = append(c.problems, Problem{Pos: pos, Message: fmt.Sprintf(format, args...), Severity: SeverityWarning})
}

// also describes where else something was defined, relative to pos: "line 4" in the same file,
// else "articles/x.md:4".
func also(pos, other Pos) string {
	if pos.File == other.File {
		return fmt.Sprintf("line %d", other.Line)
	}
	return fmt.Sprintf("%s:%d", other.File, other.Line)
}
