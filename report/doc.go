package report

import ()

// The laid-out report. What a reviewer reads, in which order, what folds and what
// gives way first when the report must fit a size limit is decided once, in
// layout.go, as a document of blocks; the markdown and text renderers only draw
// those blocks. A renderer never decides content: a new kind of content is a new
// block in the layout, and both renderers show it.

// spanKind says what a piece of a line is, so that each renderer can draw it safely:
// words portalctl wrote are escaped in markdown, values from the file or the portal
// are code spans there and terminal-safe in text.
type spanKind uint8

const (
	sText   spanKind = iota // words written by portalctl
	sStrong                 // words written by portalctl, emphasised
	sValue                  // one value from the file or the portal
	sNames                  // values, of which a sample is shown and the rest counted
	sItems                  // lines, of which a sample is shown and the rest counted
	sProse                  // a sentence of portalctl's that quotes values (a diagnostic)
	sLink                   // text linked to a URL portalctl built
	sRaw                    // markdown portalctl built (a link in a note); text as is
	sAdd                    // the "+" of something gained or added
	sDel                    // the "−" of something lost or removed
	sAlarm                  // words that must not be missed (a blueprint opening)
)

// span is one piece of a line.
type span struct {
	kind  spanKind
	text  string
	names []string // sNames
	items []line   // sItems
	url   string   // sLink
	// strong emphasises a value (sValue), or shows a link's text as a value.
	strong bool
	// keep makes the text one piece that text output never breaks.
	keep bool
}

// line is a run of spans, drawn on one line in markdown and wrapped between words
// and list items in text.
type line []span

func txt(s string) span                { return span{kind: sText, text: s} }
func strong(s string) span             { return span{kind: sStrong, text: s} }
func val(s string) span                { return span{kind: sValue, text: s} }
func boldVal(s string) span            { return span{kind: sValue, text: s, strong: true} }
func names(vs []string) span           { return span{kind: sNames, names: vs} }
func prose(s string) span              { return span{kind: sProse, text: s} }
func link(text, url string) span       { return span{kind: sLink, text: text, url: url} }
func add() span                        { return span{kind: sAdd, text: "+"} }
func del() span                        { return span{kind: sDel, text: "−"} }
func alarm(s string) span              { return span{kind: sAlarm, text: s} }
func ln(spans ...span) line            { return line(spans) }
func (l line) then(spans ...span) line { return append(l, spans...) }

// severity is the kind of a callout, GitHub's alert kinds.
type severity string

const (
	sevCaution   severity = "CAUTION"
	sevWarning   severity = "WARNING"
	sevImportant severity = "IMPORTANT"
	sevNote      severity = "NOTE"
)

type blockKind uint8

const (
	bHeading blockKind = iota // a section title
	bPara                     // a paragraph
	bSummary                  // the summary line, emphasised
	bAlert                    // a callout: a title and its items
	bList                     // a bulleted list
	bTable                    // a table
	bDetails                  // a collapsed section: a summary and blocks
	bDiff                     // a diff, in a code block
	bRule                     // a horizontal rule, before the provenance
)

// block is one part of the document.
type block struct {
	kind  blockKind
	level int // bHeading: 3 is the title, 4 a section
	sev   severity
	text  line   // heading, paragraph, alert title, details summary
	list  *list  // bAlert, bList
	table *table // bTable
	body  []block
	diff  *diff // bDiff
}

// list is a list of items that may be capped to fit, with a line that counts the
// rest.
type list struct {
	// id names the list when it may be capped; "" keeps it whole.
	id string
	// weight is how much of the room the list keeps when the report must shrink,
	// relative to the others (see fitter): 4 is a section's list, more for the
	// lists that must stay longest (alerts), less for those that go first.
	weight int
	// shed lets the list (and its section) go entirely.
	shed  bool
	items []item
	// more is the last item when some are not shown ("… and 3 more members").
	more func(rest int) line
	// name is the list's name in the note ("the index").
	name string
	// title heads a list that may go entirely, and goes with it.
	title line
}

// item is one entry of a list, with sub-entries (a refusal's violations). Its mark
// ('+', '-', '~' or 0) is the text form's bullet, in colour; markdown, whose lists
// have their titles, shows a plain bullet.
type item struct {
	mark byte
	text line
	sub  []line
}

// table is a table whose rows may be capped, like a list.
type table struct {
	id     string
	weight int
	name   string
	head   []string
	right  []bool // columns aligned right
	rows   [][]line
	more   func(rest int) line
}

// diff is a diff in a code block, of entries (a blueprint's rule changes) that may
// be capped like a list's items.
type diff struct {
	id      string
	weight  int
	shed    bool
	name    string
	entries [][]diffLine
}

// diffLine is one line of a diff.
type diffLine struct {
	mark byte // ' ', '+' or '-'
	text string
}

// doc is the whole laid-out report.
type doc struct {
	blocks []block
}

// each calls f on every list, table and diff of the document that may be capped.
func (d *doc) each(f func(id string, total, weight int, shed bool, name string)) {
	var walk func(bs []block)
	walk = func(bs []block) {
		for _, b := range bs {
			switch {
			case b.list != nil && b.list.id != "":
				f(b.list.id, len(b.list.items), b.list.weight, b.list.shed, b.list.name)
			case b.table != nil && b.table.id != "":
				f(b.table.id, len(b.table.rows), b.table.weight, false, b.table.name)
			case b.diff != nil && b.diff.id != "":
				f(b.diff.id, len(b.diff.entries), b.diff.weight, b.diff.shed, b.diff.name)
			}
			walk(b.body)
		}
	}
	walk(d.blocks)
}
