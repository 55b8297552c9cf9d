package report

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// TextOptions tune the text of a report.
type TextOptions struct {
	// Color paints the report with ANSI colours (on a terminal, without NO_COLOR).
	Color bool
	// Width is the terminal's width in columns (COLUMNS); lines are broken
	// between words and list items to fit it. 0 means DefaultWidth.
	Width int
	// Sample is how many names a list shows before it counts the rest (default 10).
	Sample int
}

// DefaultWidth is the width text is laid out for when the terminal's is unknown.
const DefaultWidth = 80

// Text writes the report for a terminal: the blocks of the markdown, in its order,
// broken to the width between words and list items, numbers grouped by thousands,
// values with control characters and hidden controls escaped.
func (r *Report) Text(w io.Writer, o TextOptions) error {
	d := r.layout()
	v := newView(-1, o.Sample)
	t := &textOut{v: v, c: painter{o.Color}, width: o.Width}
	if t.width <= 0 {
		t.width = DefaultWidth
	}
	t.width = max(t.width, 40)
	for i, bl := range d.blocks {
		if i > 0 && bl.kind != bRule {
			t.b.WriteString("\n")
		}
		t.block(bl, "")
	}
	_, err := io.WriteString(w, t.b.String())
	return err
}

// JSON writes the report as JSON, version ReportVersion, hidden controls escaped.
func (r *Report) JSON(w io.Writer) error { return writeJSON(w, r) }

type textOut struct {
	b     strings.Builder
	v     *view
	c     painter
	width int
}

// painter colours text for a terminal, or leaves it alone.
type painter struct{ on bool }

func (p painter) c(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p painter) green(s string) string  { return p.c("32", s) }
func (p painter) red(s string) string    { return p.c("31", s) }
func (p painter) yellow(s string) string { return p.c("33", s) }
func (p painter) bold(s string) string   { return p.c("1", s) }
func (p painter) alarm(s string) string  { return p.c("1;31", s) }
func (p painter) dim(s string) string    { return p.c("2", s) }

func (t *textOut) block(bl block, indent string) {
	switch bl.kind {
	case bHeading:
		t.wrap(bl.text, indent, indent, t.c.bold)
	case bSummary, bPara:
		t.wrap(bl.text, indent, indent, nil)
	case bAlert:
		mark, paint := "!  ", t.c.yellow
		switch bl.sev {
		case sevCaution:
			mark, paint = "!! ", t.c.alarm
		case sevNote:
			mark, paint = "i  ", nil
		}
		if len(bl.text) > 0 {
			t.wrap(bl.text, indent+mark, indent+"   ", paint)
		}
		if bl.list != nil {
			t.list(bl.list, indent+"   ")
		}
	case bList:
		t.list(bl.list, indent+"  ")
	case bTable:
		t.table(bl.table, indent+"  ")
	case bDetails:
		t.wrap(bl.text, indent, indent, t.c.bold)
		for _, c := range bl.body {
			t.b.WriteString("\n")
			t.block(c, indent)
		}
	case bDiff:
		for _, e := range bl.diff.entries {
			for _, l := range e {
				text := strings.TrimLeft(l.text, " ")
				depth := len(l.text) - len(text) // 0: the blueprint; 3: a rule; 5: a group's email
				pad := indent + "  " + strings.Repeat(" ", max(0, depth-1))
				switch l.mark {
				case '+':
					t.wrap(ln(val(text)), pad+t.c.green("+")+" ", pad+"  ", t.c.green)
				case '-':
					t.wrap(ln(val(text)), pad+t.c.red("-")+" ", pad+"  ", t.c.red)
				default:
					if depth > 0 {
						pad += "  "
					}
					t.wrap(ln(val(text)), pad, pad, nil)
				}
			}
		}
	case bRule:
		// The provenance follows, after the blank line between blocks.
	}
}

func (t *textOut) list(l *list, indent string) {
	if len(l.title) > 0 {
		t.wrap(l.title, "", "", t.c.bold)
		t.b.WriteString("\n")
	}
	for _, it := range l.items {
		bullet := "- "
		switch it.mark {
		case '+':
			bullet = t.c.green("+") + " "
		case '-':
			bullet = t.c.red("-") + " "
		case '~':
			bullet = t.c.yellow("~") + " "
		}
		t.wrapWidth(it.text, indent+bullet, indent+"  ", nil, len(indent)+2)
		for _, s := range it.sub {
			t.wrap(s, indent+"  - ", indent+"    ", nil)
		}
	}
}

// table lays a table out in columns, its last column broken under itself when it
// has room at the end of the line, else on lines of its own below the row.
func (t *textOut) table(tb *table, indent string) {
	if len(tb.rows) == 0 {
		return
	}
	cols := len(tb.head)
	widths := make([]int, cols)
	cells := make([][]string, len(tb.rows))
	for i, h := range tb.head[:cols-1] {
		widths[i] = textWidth(strings.ToUpper(h))
	}
	for r, row := range tb.rows {
		cells[r] = make([]string, cols)
		for c := 0; c < cols-1 && c < len(row); c++ {
			cells[r][c] = t.plainCell(row[c])
			widths[c] = max(widths[c], textWidth(cells[r][c]))
		}
	}
	fixed := textWidth(indent)
	for c := 0; c < cols-1; c++ {
		fixed += widths[c] + 2
	}
	pad := func(s string, w int, right bool) string {
		gap := strings.Repeat(" ", max(0, w-textWidth(s)))
		if right {
			return gap + s
		}
		return s + gap
	}
	right := func(c int) bool { return c < len(tb.right) && tb.right[c] }
	inline := t.width-fixed >= 30
	var head strings.Builder
	head.WriteString(indent)
	for c, h := range tb.head {
		if c == cols-1 {
			if inline {
				head.WriteString(strings.ToUpper(h))
			}
			break
		}
		head.WriteString(pad(strings.ToUpper(h), widths[c], right(c)) + "  ")
	}
	t.b.WriteString(t.c.dim(strings.TrimRight(head.String(), " ")) + "\n")
	for r, row := range tb.rows {
		var first strings.Builder
		first.WriteString(indent)
		for c := 0; c < cols-1; c++ {
			first.WriteString(t.paintCell(row[c], pad(cells[r][c], widths[c], right(c))) + "  ")
		}
		lead := first.String()
		switch {
		case len(row) < cols || len(row[cols-1]) == 0:
			t.b.WriteString(strings.TrimRight(lead, " ") + "\n")
		case inline && t.fits(row[cols-1], t.width-fixed):
			t.wrapWidth(row[cols-1], lead, strings.Repeat(" ", fixed), nil, fixed)
		default:
			t.b.WriteString(strings.TrimRight(lead, " ") + "\n")
			t.wrap(row[cols-1], indent+"    ", indent+"    ", nil)
		}
	}
}

// fits reports whether every word of l fits in width columns: a row whose
// last cell holds a longer one (a long address) is laid out with that cell
// under the row, where the terminal does not break it in the middle.
func (t *textOut) fits(l line, width int) bool {
	for _, a := range t.atoms(l) {
		if textWidth(a.s) > width {
			return false
		}
	}
	return true
}

// plainCell is a short cell as text, uncoloured (to measure it).
func (t *textOut) plainCell(l line) string { return t.plainAtoms(t.atoms(l)) }

// plainAtoms joins atoms as they read on one line, uncoloured.
func (t *textOut) plainAtoms(as []atom) string {
	var b strings.Builder
	for _, a := range as {
		if a.space && b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString(a.s)
	}
	return b.String()
}

// paintAtoms joins atoms as they read on one line, coloured.
func (t *textOut) paintAtoms(as []atom) string {
	var b strings.Builder
	for i, a := range as {
		if a.space && i > 0 {
			b.WriteString(" ")
		}
		switch {
		case a.painted != "":
			b.WriteString(a.painted)
		case a.paint != nil:
			b.WriteString(a.paint(a.s))
		default:
			b.WriteString(a.s)
		}
	}
	return b.String()
}

// paintCell colours a cell already padded, by the kind of its first span.
func (t *textOut) paintCell(l line, s string) string {
	if len(l) == 0 {
		return s
	}
	switch l[0].kind {
	case sAdd:
		return t.c.green(s)
	case sDel:
		return t.c.red(s)
	case sAlarm:
		return t.c.alarm(s)
	case sStrong:
		return t.c.bold(s)
	}
	return s
}

// atom is a piece of text that is never broken: a word, a value, a list item with
// its comma.
type atom struct {
	s     string
	space bool // a space (a place to break) comes before it
	paint func(string) string
	// painted is s already coloured, piece by piece (a short list item kept
	// whole); s is then its plain text, for its width.
	painted string
}

// shortItem is the width under which a list item of a line is kept whole.
const shortItem = 32

// atoms cuts a line into what wrapping keeps whole.
func (t *textOut) atoms(l line) []atom {
	var out []atom
	pending := false // the next atom follows a space
	words := func(s string, paint func(string) string) {
		// A terminal gives the warning sign one column or two: "!!" takes two
		// everywhere.
		s = strings.ReplaceAll(s, "⚠️", "!!")
		for s != "" {
			i := strings.IndexFunc(s, unicode.IsSpace)
			if i == 0 {
				pending = true
				s = s[1:]
				continue
			}
			if i < 0 {
				i = len(s)
			}
			out = append(out, atom{s: s[:i], space: pending, paint: paint})
			pending = false
			s = s[i:]
		}
	}
	for _, sp := range l {
		switch sp.kind {
		case sText, sProse, sRaw, sStrong:
			var paint func(string) string
			if sp.kind == sStrong {
				paint = t.c.bold
			}
			if sp.keep {
				core := strings.TrimSpace(sp.text)
				if strings.HasPrefix(sp.text, " ") {
					pending = true
				}
				out = append(out, atom{s: termSafe(core), space: pending, paint: paint})
				pending = strings.HasSuffix(sp.text, " ")
				continue
			}
			words(termSafe(sp.text), paint)
		case sAlarm:
			words(termSafe(sp.text), t.c.alarm)
		case sAdd:
			words(sp.text, t.c.green)
		case sDel:
			words(sp.text, t.c.red)
		case sValue:
			var paint func(string) string
			if sp.strong {
				paint = t.c.bold
			}
			out = append(out, atom{s: termSafe(sp.text), space: pending, paint: paint})
			pending = false
		case sNames:
			shown := t.v.sampleOf(len(sp.names))
			for i, n := range sp.names[:shown] {
				s := termSafe(n)
				if i < shown-1 {
					s += ","
				}
				out = append(out, atom{s: s, space: pending || i > 0})
				pending = false
			}
			if rest := len(sp.names) - shown; rest > 0 {
				words(" and "+t.v.num(rest)+" more", nil)
			}
		case sItems:
			shown := t.v.sampleOf(len(sp.items))
			for i, it := range sp.items[:shown] {
				as := t.atoms(it)
				if len(as) == 0 {
					continue
				}
				if i < shown-1 {
					as[len(as)-1].s += ","
				}
				if w := textWidth(t.plainAtoms(as)); w <= shortItem {
					as = []atom{{s: t.plainAtoms(as), painted: t.paintAtoms(as)}}
				}
				as[0].space = pending || i > 0
				out = append(out, as...)
				pending = false
			}
			if rest := len(sp.items) - shown; rest > 0 {
				words(" and "+t.v.num(rest)+" more", nil)
			}
		case sLink:
			words(termSafe(sp.text), nil)
			if !sp.strong { // a commit's link shows its SHA only
				out = append(out, atom{s: termSafe(sp.url), space: true})
				pending = false
			}
		}
	}
	return out
}

// wrap writes l broken to the width: first starts the first line, rest the others.
func (t *textOut) wrap(l line, first, rest string, paint func(string) string) {
	t.wrapWidth(l, first, rest, paint, textWidth(first))
}

// wrapWidth is wrap where the first line's lead already takes lead columns (it may
// hold colour codes).
func (t *textOut) wrapWidth(l line, first, rest string, paint func(string) string, lead int) {
	atoms := t.atoms(l)
	var b strings.Builder
	b.WriteString(first)
	col, start := lead, true
	for _, a := range atoms {
		w := textWidth(a.s)
		if !start && a.space && col+1+w > t.width {
			b.WriteString("\n" + rest)
			col, start = textWidth(rest), true
		}
		if !start && a.space {
			b.WriteString(" ")
			col++
		}
		s := a.s
		switch {
		case a.painted != "":
			s = a.painted
		case a.paint != nil:
			s = a.paint(s)
		case paint != nil:
			s = paint(s)
		}
		b.WriteString(s)
		col += w
		start = false
	}
	t.b.WriteString(strings.TrimRight(b.String(), " ") + "\n")
}

// textLine is a line as plain text on one line (a summary in HTML).
func textLine(v *view, l line, _ bool) string {
	t := &textOut{v: v}
	return t.plainCell(l)
}

// textWidth is how many columns s takes in a terminal: East Asian wide and
// full-width characters take two, combining marks none.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r < 0x300:
			n++
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}

// WrapWords breaks text at spaces into lines of at most width columns (a
// word longer than that stays whole): first starts the first line, rest the
// others. An email or a file name is never cut, and nothing but the space a
// line breaks at changes: a value written with two spaces keeps them. width 0,
// or a text that fits: one line, as it is.
func WrapWords(text string, width int, first, rest string) string {
	col := utf8.RuneCountInString(first)
	if width <= 0 || col+utf8.RuneCountInString(text) <= width {
		return first + text + "\n"
	}
	var b strings.Builder
	b.WriteString(first)
	start := true
	for _, w := range strings.Split(text, " ") {
		n := utf8.RuneCountInString(w)
		if !start && n > 0 && col+1+n > width {
			b.WriteString("\n" + rest)
			col, start = utf8.RuneCountInString(rest), true
		}
		if !start {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += n
		start = false
	}
	b.WriteByte('\n')
	return b.String()
}
