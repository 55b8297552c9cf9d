package report

import (
	"fmt"
	"html"
	"strings"
)

// MarkdownOptions tune the markdown of a report.
type MarkdownOptions struct {
	// MaxLen bounds the output in bytes (0: no bound), which also bounds it in
	// characters however they are counted. A report over it sheds detail (see
	// view) and a note says exactly what was left out.
	MaxLen int
	// Limit names the bound in that note, e.g. "GitHub's 65,536-character
	// comment limit".
	Limit string
	// Whole says where the whole report can be read, as a sentence of portalctl's
	// (values quoted are code; a markdown link may be given as is), e.g. "The job
	// summary has the whole report." It ends the note.
	Whole string
	// Sample is how many names a list shows before it only counts the rest
	// (default 10).
	Sample int
}

// DefaultSample is how many names a list of a report shows before it counts the rest.
const DefaultSample = 10

// Markdown renders the report for GitHub: a pull-request comment, a job summary or
// `plan -o markdown`. Every value from the file or the portal is a code span or
// escaped, so nothing in it can become markup, a link or a mention.
//
// A report over MaxLen sheds detail, every list capped at one level (the longest
// give way first, the bottom sections sooner, the alerts last), at the most
// detailed level that fits; a note says what was left out. The summary, the alerts,
// the index, the losses and the member changes are never left out, only capped.
func (r *Report) Markdown(o MarkdownOptions) string {
	out, _ := r.fitMarkdown(o)
	return out
}

// fitMarkdown is Markdown, with the view it was rendered at.
func (r *Report) fitMarkdown(o MarkdownOptions) (string, *view) {
	d := r.layout()
	render := func(v *view) string {
		body := renderMarkdown(d, v)
		if n := v.note(o.Limit, o.Whole); n != nil {
			var b strings.Builder
			mdAlert(&b, v, block{kind: bAlert, sev: sevNote, text: n})
			body = insertBeforeProvenance(body, b.String())
		}
		return body
	}
	out, v, ok := fit(d, o.Sample, o.MaxLen, render)
	if !ok {
		return hardCut(out, o.MaxLen), v
	}
	return out, v
}

// provenanceMark starts the provenance, the last part of a report.
const provenanceMark = "\n---\n\n"

func insertBeforeProvenance(body, note string) string {
	if i := strings.LastIndex(body, provenanceMark); i >= 0 {
		return body[:i+1] + "\n" + note + body[i:]
	}
	return body + "\n" + note
}

// hardCut is the last resort for a report that does not fit even with every list
// down to one item (values of enormous length): it cuts at a line boundary, closes
// a <details> left open and says so.
func hardCut(s string, max int) string {
	const note = "\n\n> [!WARNING]\n> This report was cut at a line to fit the size limit: run `portalctl preview` for all of it.\n"
	const closeDetails = "\n</details>\n"
	limit := max - len(note) - len(closeDetails) - 4
	if limit <= 0 {
		return ""
	}
	s = s[:min(limit, len(s))]
	// At the end of a block, else of a line.
	if i := strings.LastIndex(s, "\n\n"); i >= 0 {
		s = s[:i]
	} else if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	// Do not end inside a fenced code block.
	if strings.Count(s, "\n```")%2 == 1 {
		if i := strings.LastIndex(s, "\n```"); i >= 0 {
			s = s[:i]
		}
	}
	if strings.LastIndex(s, "<details>") > strings.LastIndex(s, "</details>") {
		s += closeDetails
	}
	return s + note
}

// renderMarkdown draws the document at one level of detail.
func renderMarkdown(d *doc, v *view) string {
	var b strings.Builder
	for i, bl := range d.blocks {
		if i > 0 {
			b.WriteString("\n")
		}
		mdBlock(&b, v, bl)
	}
	return b.String()
}

func mdBlock(b *strings.Builder, v *view, bl block) {
	switch bl.kind {
	case bHeading:
		b.WriteString(strings.Repeat("#", bl.level) + " " + mdLine(v, bl.text, false) + "\n")
	case bSummary:
		b.WriteString("**" + mdLine(v, bl.text, false) + "**\n")
	case bPara:
		b.WriteString(mdLine(v, bl.text, false) + "\n")
	case bAlert:
		mdAlert(b, v, bl)
	case bList:
		mdList(b, v, bl.list, "")
	case bTable:
		mdTableBlock(b, v, bl.table)
	case bDetails:
		body := make([]string, 0, len(bl.body))
		for _, c := range bl.body {
			var cb strings.Builder
			mdBlock(&cb, v, c)
			if cb.Len() > 0 {
				body = append(body, cb.String())
			}
		}
		if len(body) == 0 {
			return
		}
		fmt.Fprintf(b, "<details><summary>%s</summary>\n\n%s\n</details>\n", html.EscapeString(textLine(v, bl.text, false)), strings.Join(body, "\n"))
	case bDiff:
		mdDiff(b, v, bl.diff)
	case bRule:
		b.WriteString("---\n")
	}
}

// mdAlert draws a callout: GitHub renders "> [!CAUTION]" blockquotes as coloured
// alerts.
func mdAlert(b *strings.Builder, v *view, bl block) {
	b.WriteString("> [!" + string(bl.sev) + "]\n")
	if len(bl.text) > 0 {
		b.WriteString("> " + mdLine(v, bl.text, false) + "\n")
	}
	if bl.list != nil && len(bl.list.items) > 0 {
		if len(bl.text) > 0 {
			b.WriteString(">\n")
		}
		mdList(b, v, bl.list, "> ")
	}
}

func mdList(b *strings.Builder, v *view, l *list, prefix string) {
	shown := v.take(l.id, len(l.items), l.weight, l.shed, l.name)
	if shown == 0 && l.shed {
		return // left out, title and all
	}
	if len(l.title) > 0 {
		b.WriteString(prefix + "#### " + mdLine(v, l.title, false) + "\n\n")
	}
	for _, it := range l.items[:shown] {
		// An item's mark is for the text form, where it is the bullet.
		b.WriteString(prefix + "- " + mdLine(v, it.text, false) + "\n")
		for _, s := range it.sub {
			b.WriteString(prefix + "  - " + mdLine(v, s, false) + "\n")
		}
	}
	if rest := len(l.items) - shown; rest > 0 && l.more != nil && shown > 0 {
		b.WriteString(prefix + "- " + mdLine(v, l.more(rest), false) + "\n")
	}
}

func mdTableBlock(b *strings.Builder, v *view, t *table) {
	b.WriteString("|")
	for _, h := range t.head {
		b.WriteString(" " + Escape(h) + " |")
	}
	b.WriteString("\n|")
	for i := range t.head {
		if i < len(t.right) && t.right[i] {
			b.WriteString("--:|")
		} else {
			b.WriteString(":--|")
		}
	}
	b.WriteString("\n")
	shown := v.take(t.id, len(t.rows), t.weight, false, t.name)
	for _, row := range t.rows[:shown] {
		b.WriteString("|")
		for _, c := range row {
			b.WriteString(" " + mdLine(v, c, true) + " |")
		}
		b.WriteString("\n")
	}
	if rest := len(t.rows) - shown; rest > 0 && t.more != nil {
		b.WriteString("\n" + mdLine(v, t.more(rest), false) + "\n")
	}
}

func mdDiff(b *strings.Builder, v *view, d *diff) {
	shown := v.take(d.id, len(d.entries), d.weight, d.shed, d.name)
	if shown == 0 {
		return
	}
	var body strings.Builder
	for _, e := range d.entries[:shown] {
		for _, l := range e {
			body.WriteByte(l.mark)
			body.WriteString(plainLine(l.text) + "\n")
		}
	}
	if rest := len(d.entries) - shown; rest > 0 {
		fmt.Fprintf(&body, " … and %s more\n", v.count(rest, "blueprint"))
	}
	fence := strings.Repeat("`", max(3, longestRun(body.String(), '`')+1))
	fmt.Fprintf(b, "%sdiff\n%s%s\n", fence, body.String(), fence)
}

// mdLine draws a line's spans; cell says it is in a table cell, where "|" must be
// escaped even in code.
func mdLine(v *view, l line, cell bool) string {
	code := Code
	if cell {
		code = CellCode
	}
	var b strings.Builder
	// A run of emphasised spans is one emphasis, its values code inside it, the
	// spaces around it outside its markers, where markdown needs them.
	emphasised := func(s span) bool {
		return s.kind == sStrong || s.kind == sAlarm || s.kind == sValue && s.strong
	}
	for i := 0; i < len(l); {
		if !emphasised(l[i]) {
			mdSpan(&b, v, l[i], code, cell)
			i++
			continue
		}
		var inner strings.Builder
		for ; i < len(l) && emphasised(l[i]); i++ {
			switch {
			case l[i].kind == sValue:
				inner.WriteString(code(l[i].text))
			case l[i].keep && cell:
				inner.WriteString(strings.ReplaceAll(escapeMD(strings.TrimSpace(l[i].text), false), " ", "\u00a0"))
			default:
				inner.WriteString(escapeMD(l[i].text, false))
			}
		}
		run := inner.String()
		core := strings.TrimSpace(run)
		if core == "" {
			b.WriteString(run)
			continue
		}
		lead := run[:strings.Index(run, core)]
		b.WriteString(lead + "**" + core + "**" + run[len(lead)+len(core):])
	}
	return b.String()
}

// mdSpan draws one span that is not emphasised.
func mdSpan(b *strings.Builder, v *view, s span, code func(string) string, cell bool) {
	{
		switch s.kind {
		case sText, sAdd, sDel:
			// A table cell cannot start a list or a heading. Text kept whole
			// ("1 → all 19") is kept on one line of a narrow column with
			// no-break spaces.
			t := escapeMD(s.text, !cell && b.Len() == 0)
			if s.keep && cell {
				t = strings.ReplaceAll(t, " ", "\u00a0")
			}
			b.WriteString(t)
		case sValue:
			b.WriteString(code(s.text))
		case sNames:
			shown := v.sampleOf(len(s.names))
			for i, n := range s.names[:shown] {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(code(n))
			}
			if rest := len(s.names) - shown; rest > 0 {
				b.WriteString(" and " + v.num(rest) + " more")
			}
		case sItems:
			shown := v.sampleOf(len(s.items))
			for i, it := range s.items[:shown] {
				if i > 0 {
					b.WriteString(", ")
				}
				part := mdLine(v, it, cell)
				if i > 0 && strings.HasPrefix(part, "\\") {
					part = part[1:] // mid-line, a leading "+" or "-" is plain
				}
				b.WriteString(part)
			}
			if rest := len(s.items) - shown; rest > 0 {
				b.WriteString(" and " + v.num(rest) + " more")
			}
		case sProse:
			p := proseMD(s.text, !cell && b.Len() == 0)
			if cell {
				p = strings.ReplaceAll(p, "|", "\\|")
			}
			b.WriteString(p)
		case sRaw:
			b.WriteString(s.text)
		case sLink:
			text := escapeMD(s.text, false)
			if s.strong {
				text = code(s.text)
			}
			b.WriteString(mdLink(text, s.url))
		}
	}
}

// Link is a markdown link with text (markdown) to a URL portalctl built; the
// destination is in angle brackets, with the characters that could end it
// percent-encoded.
func Link(text, url string) string { return mdLink(text, url) }

func mdLink(text, url string) string {
	url = strings.NewReplacer("<", "%3C", ">", "%3E", " ", "%20", "\n", "", "\r", "").Replace(url)
	return "[" + text + "](<" + url + ">)"
}

// plainLine keeps a value on one line inside a code block, hidden controls shown
// as escapes.
func plainLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func longestRun(s string, c rune) int {
	longest, run := 0, 0
	for _, r := range s {
		if r == c {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
