// Package report renders what portalctl found for people and machines: validation
// problems, plans with their access impact, previews and access answers, as text,
// markdown, JSON or GitHub workflow annotations.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// Format is an output format.
type Format string

// The output formats.
const (
	Text     Format = "text"
	JSON     Format = "json"
	Markdown Format = "markdown"
	GitHub   Format = "github"
)

// ParseFormat checks a -o value against the formats a command supports.
func ParseFormat(s string, allowed ...Format) (Format, error) {
	var names []string
	for _, f := range allowed {
		if string(f) == s {
			return f, nil
		}
		names = append(names, string(f))
	}
	return "", fmt.Errorf("unknown output format %q: use one of %s", s, strings.Join(names, ", "))
}

// DefaultMaxProblems is how many diagnostics are printed before the rest are counted.
const DefaultMaxProblems = 100

// DiagOptions tune how diagnostics are shown.
type DiagOptions struct {
	Max   int  // diagnostics shown; the rest are counted; 0 means DefaultMaxProblems
	Color bool // ANSI colours (text only)
	File  string
	// Width is the terminal's width, text lines are broken at, at spaces (0:
	// not broken): a line never breaks inside an address or a word.
	Width int
}

// Diagnostics writes the problems found in a file, sorted as given, in format f.
func Diagnostics(w io.Writer, f Format, ds diag.List, o DiagOptions) error {
	max := o.Max
	if max <= 0 {
		max = DefaultMaxProblems
	}
	shown, rest := ds, diag.List(nil)
	if len(ds) > max {
		shown, rest = ds[:max], ds[max:]
	}
	errs, warns := ds.Counts()
	restErrs, restWarns := rest.Counts()
	switch f {
	case JSON:
		return writeJSON(w, diagJSON(ds, shown, len(rest)))
	case GitHub:
		for _, d := range shown {
			level := "error"
			if d.Severity == diag.Warning {
				level = "warning"
			}
			fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", level,
				escapeProperty(d.Pos.File), d.Pos.Line, d.Pos.Col, escapeProperty("portalctl "+d.Code),
				escapeData(withHint(d)))
		}
		if len(rest) > 0 {
			fmt.Fprintf(w, "::warning::%s\n", escapeData(omitted(restErrs, restWarns)))
		}
		fmt.Fprintln(w, summary(o.File, errs, warns))
		return nil
	case Markdown:
		fmt.Fprintf(w, "**%s**\n\n", Prose(summary(o.File, errs, warns)))
		for _, d := range shown {
			fmt.Fprintf(w, "- %s **%s**: %s", Code(d.Pos.String()), d.Severity, Prose(d.Message))
			if d.Hint != "" {
				fmt.Fprintf(w, " — %s", Prose(d.Hint))
			}
			fmt.Fprintln(w)
		}
		if len(rest) > 0 {
			fmt.Fprintf(w, "- %s\n", Escape(omitted(restErrs, restWarns)))
		}
		return nil
	default:
		for _, d := range shown {
			sev := string(d.Severity)
			if o.Color {
				sev = paint(sev, d.Severity == diag.Error)
			}
			head := termSafe(d.Pos.String()) + ": " + string(d.Severity) + ": "
			text := WrapWords(termSafe(d.Message), o.Width, head, "    ")
			if o.Color {
				text = strings.Replace(text, ": "+string(d.Severity)+": ", ": "+sev+": ", 1)
			}
			io.WriteString(w, text)
			if d.Hint != "" {
				io.WriteString(w, WrapWords(termSafe(d.Hint), o.Width, "    hint: ", "      "))
			}
		}
		if len(rest) > 0 {
			fmt.Fprintln(w, omitted(restErrs, restWarns))
		}
		fmt.Fprintln(w, summary(o.File, errs, warns))
		return nil
	}
}

func withHint(d diag.Diagnostic) string {
	if d.Hint == "" {
		return d.Message
	}
	return d.Message + " — " + d.Hint
}

func omitted(errs, warns int) string {
	return fmt.Sprintf("… and %s not shown (%s, %s)", plural(errs+warns, "more problem"), plural(errs, "error"), plural(warns, "warning"))
}

func summary(file string, errs, warns int) string {
	if file == "" {
		file = "the file"
	}
	if errs > 0 {
		return fmt.Sprintf("%s is invalid: %s, %s", file, plural(errs, "error"), plural(warns, "warning"))
	}
	if warns > 0 {
		return fmt.Sprintf("%s is valid, with %s", file, plural(warns, "warning"))
	}
	return file + " is valid"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func paint(s string, red bool) string {
	if red {
		return "\x1b[1;31m" + s + "\x1b[0m"
	}
	return "\x1b[1;33m" + s + "\x1b[0m"
}

// escapeData escapes a workflow command's message; other control characters and
// hidden controls are shown as escapes.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(visibleControls(s))
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(visibleControls(s))
}

// visibleControls shows hidden characters other than line breaks as \uXXXX.
func visibleControls(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r != '\n' && r != '\r' && hidden(r) }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r != '\n' && r != '\r' && hidden(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// DiagJSON is one problem in the JSON output of validate.
type DiagJSON struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

// ValidationJSON is the JSON output of validate.
type ValidationJSON struct {
	Valid       bool       `json:"valid"`
	Errors      int        `json:"errors"`
	Warnings    int        `json:"warnings"`
	Diagnostics []DiagJSON `json:"diagnostics"`
	Omitted     int        `json:"omitted"`
}

func diagJSON(all, shown diag.List, omitted int) ValidationJSON {
	errs, warns := all.Counts()
	out := ValidationJSON{Valid: errs == 0, Errors: errs, Warnings: warns, Omitted: omitted, Diagnostics: []DiagJSON{}}
	for _, d := range shown {
		out.Diagnostics = append(out.Diagnostics, DiagJSON{
			File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Col,
			Severity: string(d.Severity), Code: d.Code, Message: d.Message, Hint: d.Hint,
		})
	}
	return out
}

// writeJSON writes v indented, with hidden controls escaped (see portal.EscapeHiddenJSON).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(portal.EscapeHiddenJSON(buf.Bytes()))
	return err
}
