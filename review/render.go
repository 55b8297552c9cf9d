package review

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/report"
)

// Version is the version of the JSON shape of `review -o json` (see Packet);
// fields are only added within a version.
const Version = 1

// DefaultMaxRows is how many rows markdown shows of a packet's audience and of
// each list of changes: a pull request body holds 65,536 characters. CSV and
// JSON list every row.
const DefaultMaxRows = 200

// detailsOver is the audience size above which markdown folds the list.
const detailsOver = 10

// Header is what comes before the packets: the day, the policy's period, the
// file, and how many blueprints are in each state.
type Header struct {
	Today  portal.Date
	Every  int
	Source string
	// Owner is the owner the packets were selected for, if any.
	Owner  string
	States map[State]int
	Total  int
}

// Header describes the packets of bps.
func (bk *Book) Header(bps []*portal.Blueprint, source, owner string) Header {
	h := Header{Today: bk.today, Every: bk.every, Source: source, Owner: owner, States: map[State]int{}, Total: len(bps)}
	for _, b := range bps {
		st, _ := StateOf(b, bk.every, bk.today)
		h.States[st]++
	}
	return h
}

// Options tune the layout.
type Options struct {
	// MaxRows bounds the rows of each markdown table (0: DefaultMaxRows).
	MaxRows int
	// Width is the terminal's width that text lines are broken at, at
	// spaces (0: not broken).
	Width int
}

// Writer writes packets one at a time, so that memory holds one packet
// whatever the number of blueprints. Packets can also be laid out on several
// goroutines at once (Render) and written in order (WriteRendered).
type Writer struct {
	w    *bufio.Writer
	f    report.Format
	h    Header
	opts Options
	n    int
	// bufs are the buffers of packets written, for Render to lay out others in.
	bufs sync.Pool
}

// sink is where a packet or a header is laid out: the output, or a packet's
// own buffer.
type sink interface {
	io.Writer
	io.StringWriter
	io.ByteWriter
}

// NewWriter starts writing packets to w in format f (text, markdown, csv or
// json) and writes what comes before them.
func NewWriter(w io.Writer, f report.Format, h Header, opts Options) (*Writer, error) {
	if opts.MaxRows <= 0 {
		opts.MaxRows = DefaultMaxRows
	}
	pw := &Writer{w: bufio.NewWriterSize(w, 64<<10), f: f, h: h, opts: opts}
	switch f {
	case report.Text:
		pw.textHeader()
	case report.Markdown:
		pw.markdownHeader()
	case report.CSV:
		c := csv.NewWriter(pw.w)
		c.Write(csvColumns)
		c.Flush()
		if err := c.Error(); err != nil {
			return nil, err
		}
	case report.JSON:
		states := map[string]int{}
		for s, n := range h.States {
			states[string(s)] = n
		}
		head, err := json.Marshal(struct {
			Version int            `json:"version"`
			Today   string         `json:"today"`
			Every   int            `json:"review_every_days"`
			Source  string         `json:"source"`
			Owner   string         `json:"owner,omitempty"`
			States  map[string]int `json:"states"`
		}{Version, h.Today.String(), h.Every, h.Source, h.Owner, states})
		if err != nil {
			return nil, err
		}
		pw.w.Write(head[:len(head)-1])
		pw.w.WriteString(`,"packets":[`)
	default:
		return nil, fmt.Errorf("review cannot write %s: use text, markdown, csv or json", f)
	}
	return pw, nil
}

// Write writes one packet.
func (pw *Writer) Write(p Packet) error {
	r, err := pw.Render(p)
	if err != nil {
		return err
	}
	return pw.WriteRendered(r)
}

// Rendered is a packet laid out by Render, for WriteRendered.
type Rendered struct{ b *bytes.Buffer }

// Render lays out one packet as Write would write it, without writing it. It
// may be called from several goroutines at once: packets are laid out on every
// core, then written in order with WriteRendered.
func (pw *Writer) Render(p Packet) (Rendered, error) {
	b, _ := pw.bufs.Get().(*bytes.Buffer)
	if b == nil {
		b = new(bytes.Buffer)
	}
	b.Reset()
	switch pw.f {
	case report.Text:
		pw.text(b, p)
	case report.Markdown:
		pw.markdown(b, p)
	case report.CSV:
		if err := csvRows(b, p); err != nil {
			return Rendered{}, fmt.Errorf("packet of %s: %w", p.Blueprint, err)
		}
	case report.JSON:
		// As json.Marshal writes it, less the line break an Encoder ends with.
		if err := json.NewEncoder(b).Encode(p); err != nil {
			return Rendered{}, fmt.Errorf("packet of %s: %w", p.Blueprint, err)
		}
		b.Truncate(b.Len() - 1)
	}
	return Rendered{b}, nil
}

// WriteRendered writes a packet Render laid out, after those written before.
func (pw *Writer) WriteRendered(r Rendered) error {
	if pw.f == report.JSON && pw.n > 0 {
		pw.w.WriteByte(',')
	}
	pw.n++
	_, err := pw.w.Write(r.b.Bytes())
	pw.bufs.Put(r.b)
	return err
}

// Close writes what comes after the packets and flushes.
func (pw *Writer) Close() error {
	switch pw.f {
	case report.JSON:
		pw.w.WriteString("]}\n")
	case report.Text:
		if pw.n == 0 {
			pw.w.WriteString("Nothing to review.\n")
		}
	}
	return pw.w.Flush()
}

// summary says how many blueprints are to review, and why.
func (h Header) summary() string {
	if h.Total == 0 {
		return "no blueprint to review"
	}
	s := plural(h.Total, "blueprint") + " to review"
	var parts []string
	for _, st := range []State{Overdue, Never, Due, NotDue} {
		if n := h.States[st]; n > 0 {
			what := string(st)
			if st == Due {
				what = fmt.Sprintf("due within %d days", Window)
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	return s + " (" + strings.Join(parts, ", ") + ")"
}

func (h Header) policy() string {
	if h.Every <= 0 {
		return "the policy sets no review_every_days"
	}
	return fmt.Sprintf("a review every %d days", h.Every)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// stateLine says where a packet stands: "overdue since D", "due on D", ...
func stateLine(p Packet) string {
	switch p.State {
	case Overdue:
		return "overdue since " + p.Due
	case Due:
		return "due on " + p.Due
	case Never:
		return "never reviewed"
	}
	if p.Due != "" {
		return "next due on " + p.Due
	}
	return "not due"
}

// why says why a member gained or lost access, in words.
func why(c Change) string {
	switch c.Reason {
	case Joined:
		return "joined the portal"
	case Left:
		return "left the portal"
	case Expired:
		return "access expired on " + c.Expires
	}
	return "rules changed"
}

// sinceLine introduces the changes since the last review.
func sinceLine(s *Since, short func(string) string) string {
	out := "since the review of " + s.Reviewed
	if s.Commit != "" {
		out += " (file as of commit " + short(s.Commit) + ")"
	}
	return out
}

// shortCode is a commit's short SHA as a code span.
func shortCode(c string) string { return report.Code(shortSHA(c)) }

func shortSHA(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// text writes a packet for a terminal.
func (pw *Writer) textHeader() {
	pw.say(pw.w, "", "  ", fmt.Sprintf("Access review of %s on %s: %s; %s.", report.TermSafe(pw.h.Source), pw.h.Today, pw.h.summary(), pw.h.policy()))
}

// say writes a line of text, first before it, broken at spaces to the
// terminal's width (Options.Width) when it is longer, rest starting each line
// after the first: an address is never cut.
func (pw *Writer) say(w sink, first, rest, text string) {
	if pw.opts.Width <= 0 || utf8.RuneCountInString(first)+utf8.RuneCountInString(text) <= pw.opts.Width {
		w.WriteString(first)
		w.WriteString(text)
		w.WriteByte('\n')
		return
	}
	w.WriteString(report.WrapWords(text, pw.opts.Width, first, rest))
}

func (pw *Writer) text(w sink, p Packet) {
	ts := report.TermSafe
	w.WriteByte('\n')
	pw.say(w, "", "  ", fmt.Sprintf("%s: %s (%s)", ts(p.Blueprint), stateLine(p), ts(p.At)))
	owners := "none: add `owners:` to the blueprint"
	if len(p.Owners) > 0 {
		owners = ts(strings.Join(p.Owners, ", "))
	}
	last := "never"
	if p.Reviewed != "" {
		last = p.Reviewed
	}
	pw.say(w, "  ", "    ", fmt.Sprintf("owners: %s; last reviewed: %s", owners, last))
	pw.say(w, "  ", "    ", fmt.Sprintf("audience %d, +%d gained, -%d lost, %d expiring before the next review", p.Counts.Audience, p.Counts.Gained, p.Counts.Lost, p.Counts.Expiring))
	switch s := p.Since; {
	case s == nil:
		pw.say(w, "  ", "    ", "first review: every member below is to confirm")
	case s.Note != "":
		pw.say(w, "  ", "    ", fmt.Sprintf("%s: no comparison: %s", sinceLine(s, shortSHA), ts(s.Note)))
	case len(s.Gained)+len(s.Lost) == 0:
		pw.say(w, "  ", "    ", sinceLine(s, shortSHA)+": nobody gained or lost access")
	default:
		pw.say(w, "  ", "    ", sinceLine(s, shortSHA)+":")
		for _, c := range s.Gained {
			pw.say(w, "    + ", "      ", fmt.Sprintf("%s (%s) %s, via %s", ts(c.Email), c.Role, why(c), ts(strings.Join(c.Via, ", "))))
		}
		for _, c := range s.Lost {
			pw.say(w, "    - ", "      ", fmt.Sprintf("%s (%s) %s, had it via %s", ts(c.Email), c.Role, why(c), ts(strings.Join(c.Via, ", "))))
		}
	}
	pw.say(w, "  ", "    ", "rules as written:")
	for _, r := range p.Rules {
		pw.say(w, "    ", "      ", fmt.Sprintf("%s %s (%s)", r.Kind, ts(r.Value), plural(r.Members, "member")))
	}
	pw.say(w, "  ", "    ", "audience:")
	// One line a member, laid out in one buffer: an audience holds up to
	// every member of the portal.
	const first = "    "
	var b []byte
	for _, m := range p.Audience {
		b = append(append(b[:0], first...), ts(m.Email)...)
		b = append(append(append(b, "  "...), m.Role...), "  "...)
		b = append(b, ts(strings.Join(m.Via, ", "))...)
		if m.Expires != "" {
			b = append(append(b, "  expires "...), m.Expires...)
		}
		if m.Status != "" {
			b = append(append(b, "  "...), m.Status...)
		}
		if m.Change != "" {
			b = append(b, "  (new since the last review)"...)
		}
		if pw.opts.Width > 0 && utf8.RuneCount(b) > pw.opts.Width {
			pw.say(w, first, "      ", string(b[len(first):]))
			continue
		}
		w.Write(append(b, '\n'))
	}
}

// markdownHeader writes the title of a pull request body.
func (pw *Writer) markdownHeader() {
	h := pw.h
	title := "# Access review"
	if h.Owner != "" {
		title += " for " + report.Code(h.Owner)
	}
	fmt.Fprintf(pw.w, "%s, %s\n\n", title, h.Today)
	fmt.Fprintf(pw.w, "**%s** in %s; %s.\n", firstUpper(h.summary()), report.Code(h.Source), h.policy())
	if h.Total > 0 {
		pw.w.WriteString("\nEach owner reads who sees each blueprint, and who gained or lost access since its last review. Approving this pull request, which sets `reviewed:` to today, confirms the audience; a member who should not see a blueprint is removed by another change first.\n")
	}
}

func firstUpper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// markdown writes a packet for a pull request body: counts, then the changes
// since the last review, then the rules, then the whole audience.
func (pw *Writer) markdown(w sink, p Packet) {
	code, cell := report.Code, report.CellCode
	fmt.Fprintf(w, "\n## %s\n\n", code(p.Blueprint))
	owners := "**none**: add `owners:` to the blueprint"
	if len(p.Owners) > 0 {
		cs := make([]string, len(p.Owners))
		for i, o := range p.Owners {
			cs[i] = code(o)
		}
		owners = strings.Join(cs, ", ")
	}
	last := "never"
	if p.Reviewed != "" {
		last = p.Reviewed
	}
	fmt.Fprintf(w, "**%s** · owners: %s · last reviewed: %s · written at %s\n\n", firstUpper(stateLine(p)), owners, last, code(p.At))
	fmt.Fprintf(w, "| Audience | Gained | Lost | Expiring before the next review |\n|---:|---:|---:|---:|\n| %d | +%d | −%d | %d |\n",
		p.Counts.Audience, p.Counts.Gained, p.Counts.Lost, p.Counts.Expiring)

	switch s := p.Since; {
	case s == nil:
		w.WriteString("\n### Changes since the last review\n\nFirst review: every member below is to confirm.\n")
	case s.Note != "":
		fmt.Fprintf(w, "\n### Changes %s\n\nNo comparison: %s\n", sinceLine(s, shortCode), report.Escape(s.Note))
	case len(s.Gained)+len(s.Lost) == 0:
		fmt.Fprintf(w, "\n### Changes %s\n\nNobody gained or lost access.\n", sinceLine(s, shortCode))
	default:
		fmt.Fprintf(w, "\n### Changes %s\n\n| | Member | Role | Why | Via |\n|---|---|---|---|---|\n", sinceLine(s, shortCode))
		rows := func(sign string, cs []Change) {
			for i, c := range cs {
				if i == pw.opts.MaxRows {
					fmt.Fprintf(w, "| %s | … and %d more | | | |\n", sign, len(cs)-i)
					break
				}
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", sign, cell(c.Email), c.Role, why(c), cell(strings.Join(c.Via, ", ")))
			}
		}
		rows("+", s.Gained)
		rows("−", s.Lost)
	}

	w.WriteString("\n### Rules as written\n\n| Rule | Members |\n|---|---:|\n")
	for _, r := range p.Rules {
		fmt.Fprintf(w, "| %s %s | %d |\n", r.Kind, cell(r.Value), r.Members)
	}

	fmt.Fprintf(w, "\n### Audience (%d)\n\n", len(p.Audience))
	if len(p.Audience) == 0 {
		w.WriteString("Nobody sees this blueprint.\n")
		return
	}
	fold := len(p.Audience) > detailsOver
	if fold {
		fmt.Fprintf(w, "<details><summary>All %s</summary>\n\n", plural(len(p.Audience), "member"))
	}
	live := p.Audience[0].Status != ""
	w.WriteString("| Member | Role | Via | Expires |")
	sep := "|---|---|---|---|"
	if live {
		w.WriteString(" Status |")
		sep += "---|"
	}
	w.WriteString("\n" + sep + "\n")
	for i, m := range p.Audience {
		if i == pw.opts.MaxRows {
			fmt.Fprintf(w, "| … and %d more: %s lists them all | | | |", len(p.Audience)-i, cell("portalctl review --blueprint "+p.Blueprint+" -o csv"))
			if live {
				w.WriteString(" |")
			}
			w.WriteByte('\n')
			break
		}
		email := cell(m.Email)
		if m.Change != "" {
			email += " (new)"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |", email, m.Role, cell(strings.Join(m.Via, ", ")), m.Expires)
		if live {
			fmt.Fprintf(w, " %s |", m.Status)
		}
		w.WriteByte('\n')
	}
	if fold {
		w.WriteString("\n</details>\n")
	}
}

// csvColumns are the columns of `review -o csv`: one row per member of each
// audience, then one per member who lost access since the last review.
var csvColumns = []string{"blueprint", "state", "reviewed", "since_commit", "email", "role", "via", "expires", "status", "change", "reason"}

// csvRows lays out the rows of a packet.
func csvRows(b *bytes.Buffer, p Packet) error {
	c, out := report.CSVCell, csv.NewWriter(b)
	commit := ""
	reasons := map[string]Reason{}
	if p.Since != nil {
		commit = p.Since.Commit
		for _, g := range p.Since.Gained {
			reasons[g.Email] = g.Reason
		}
	}
	rec := make([]string, len(csvColumns))
	for _, m := range p.Audience {
		rec = append(rec[:0], c(p.Blueprint), string(p.State), p.Reviewed, commit, c(m.Email), m.Role, c(strings.Join(m.Via, ";")), m.Expires, m.Status, m.Change, string(reasons[m.Email]))
		if err := out.Write(rec); err != nil {
			return err
		}
	}
	if p.Since != nil {
		for _, l := range p.Since.Lost {
			rec = append(rec[:0], c(p.Blueprint), string(p.State), p.Reviewed, commit, c(l.Email), l.Role, c(strings.Join(l.Via, ";")), l.Expires, "", "lost", string(l.Reason))
			if err := out.Write(rec); err != nil {
				return err
			}
		}
	}
	out.Flush()
	return out.Error()
}
