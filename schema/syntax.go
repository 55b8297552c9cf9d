package schema

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/guard"
	"github.com/qovery/portalctl/portal"
)

// syntaxError turns an error of the YAML library into a diagnostic at the line
// and column where the fix goes. The library knows the position of most errors;
// for the others (bytes it cannot read) it gives an offset, and for a bracket or
// a quote left open it points where it noticed, lines later: there the source
// around the error is read to find the right place.
func syntaxError(file string, data []byte, err error, tooDeep bool) diag.Diagnostic {
	d := diag.Diagnostic{
		Pos: portal.Pos{File: file, Line: 1, Col: 1}, Severity: diag.Error, Code: "yaml-syntax",
		Message: "invalid YAML: " + err.Error(),
		Hint:    "fix the YAML syntax: indent with spaces (not tabs) and quote values that contain ': ' or start with '@', '*', '&' or '!'",
	}
	var le *yaml.LoadError
	if !errors.As(err, &le) {
		return d
	}
	mark := le.Mark
	if mark.Line == 0 {
		mark.Line, mark.Column = position(data, mark.Index)
	} else if mark.Column == 0 {
		mark.Column = firstColumn(data, mark.Line)
	}
	d.Pos.Line, d.Pos.Col = mark.Line, mark.Column
	d.Message = "invalid YAML: " + le.Message
	if tooDeep {
		d.Code = "too-complex"
		d.Message = "the document is too complex: " + le.Message
		d.Hint = guard.TooComplexHint
		return d
	}
	if hint := syntaxHint(le.Message); hint != "" {
		d.Hint = hint
	}
	at := fmt.Sprintf("%d:%d", mark.Line, mark.Column)
	ctx := le.ContextMark
	switch {
	case strings.Contains(le.ContextMsg, "an anchor") || strings.Contains(le.ContextMsg, "an alias"):
		if ctx.Line > 0 {
			d.Pos.Line, d.Pos.Col = ctx.Line, ctx.Column // the "&" or "*" itself
		}
	case strings.Contains(le.ContextMsg, "quoted scalar") && ctx.Line > 0 && ctx.Line < mark.Line:
		d.Pos.Line, d.Pos.Col = ctx.Line, ctx.Column
		d.Message = fmt.Sprintf("invalid YAML: this quoted string is never closed (at %s: %s)", at, le.Message)
		d.Hint = "end the string with the quote it starts with, on the same line"
	case strings.Contains(le.ContextMsg, "flow sequence") || strings.Contains(le.ContextMsg, "flow mapping"):
		if ctx.Line > 0 && ctx.Line < mark.Line {
			d.Pos.Line, d.Pos.Col = ctx.Line, ctx.Column
			open := byte('[')
			if strings.Contains(le.ContextMsg, "mapping") {
				open = '{'
			}
			d.Message, d.Hint = unclosed(open, at, le.Message)
		}
	default:
		if line, col, open, ok := guard.UnclosedFlow(data, offset(data, mark)); ok && line < mark.Line {
			d.Pos.Line, d.Pos.Col = line, col
			d.Message, d.Hint = unclosed(open, at, le.Message)
		}
	}
	return d
}

func unclosed(open byte, at, found string) (msg, hint string) {
	closer, example := "]", "`domains: [company.com, partner.org]`"
	if open == '{' {
		closer, example = "}", "`{email: alice@company.com, role: admin}`"
	}
	return fmt.Sprintf("invalid YAML: this `%c` is never closed with `%s` (at %s: %s)", open, closer, at, found),
		fmt.Sprintf("close it with `%s` on the same line, e.g. %s", closer, example)
}

// syntaxHint says what to write instead for the library's messages users meet.
func syntaxHint(msg string) string {
	switch {
	case strings.Contains(msg, "tab character"):
		return "indent with spaces: YAML does not allow tabs in indentation"
	case strings.Contains(msg, "did not find expected key"):
		return "indent this line like the keys above it (the same number of spaces), or quote a value that contains ': '"
	case strings.Contains(msg, "did not find expected '-' indicator"):
		return "start every item of the list with `- `, at the same indentation"
	case strings.Contains(msg, "mapping values are not allowed"):
		return "quote a value that contains ': ', or indent this line under the key it belongs to"
	case strings.HasPrefix(msg, "unknown anchor"):
		return "define the anchor with `&name` before using it as `*name`, or fix the name"
	case strings.Contains(msg, "alphabetic or numeric character"):
		return "an anchor or alias is `&name` or `*name`, with letters or digits right after the `&` or `*`"
	case strings.Contains(msg, "control characters"):
		return "remove the control character (most editors do not show it)"
	case strings.Contains(msg, "UTF-8"), strings.Contains(msg, "Unicode"):
		return "save the file as UTF-8"
	}
	return ""
}

// position returns the line and column of byte offset off in data, both from 1;
// columns count characters, as the YAML library's do.
func position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(data[start:off])
}

// offset returns the byte offset of a mark, from its index when the library set
// it, else from its line and column.
func offset(data []byte, m yaml.Mark) int {
	if m.Index > 0 || m.Line <= 1 && m.Column <= 1 {
		return m.Index
	}
	i := lineStart(data, m.Line)
	for c := 1; c < m.Column && i < len(data) && data[i] != '\n'; c++ {
		_, size := utf8.DecodeRune(data[i:])
		i += size
	}
	return i
}

// lineStart returns the offset where line (from 1) starts.
func lineStart(data []byte, line int) int {
	i := 0
	for l := 1; l < line; l++ {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return len(data)
		}
		i += j + 1
	}
	return i
}

// firstColumn returns the column of the first non-blank character of line.
func firstColumn(data []byte, line int) int {
	i := lineStart(data, line)
	col := 1
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
		col++
	}
	return col
}
