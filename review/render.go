package review

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
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
// whatever the number of blueprints.
type Writer struct {
	w     *bufio.Writer
	f     report.Format
	h     Header
	opts  Options
	csv   *csv.Writer
	n     int
	close func() error
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
		pw.csv = csv.NewWriter(pw.w)
		if err := pw.csv.Write(csvColumns); err != nil {
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
	defer func() { pw.n++ }()
	switch pw.f {
	case report.Text:
		pw.text(p)
	case report.Markdown:
		pw.markdown(p)
	case report.CSV:
		return pw.csvRows(p)
	case report.JSON:
		if pw.n > 0 {
			pw.w.WriteByte(',')
		}
		data, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("packet of %s: %w", p.Blueprint, err)
		}
		pw.w.Write(data)
	}
	return nil
}

// Close writes what comes after the packets and flushes.
func (pw *Writer) Close() error {
	switch pw.f {
	case report.JSON:
		pw.w.WriteString("]}\n")
	case report.CSV:
		pw.csv.Flush()
		if err := pw.csv.Error(); err != nil {
			return err
		}
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
	pw.say("", "  ", fmt.Sprintf("Access review of %s on %s: %s; %s.", report.TermSafe(pw.h.Source), pw.h.Today, pw.h.summary(), pw.h.policy()))
}

// say writes a line of text, first before it, broken at spaces to the
// terminal's width (Options.Width) when it is longer, rest starting each line
// after the first: an address is never cut.
func (pw *Writer) say(first, rest, text string) {
	if pw.opts.Width <= 0 || utf8.RuneCountInString(first+text) <= pw.opts.Width {
		pw.w.WriteString(first + text + "\n")
		return
	}
	pw.w.WriteString(report.WrapWords(text, pw.opts.Width, first, rest))
}

func (pw *Writer) text(p Packet) {
	w, ts := pw.w, report.TermSafe
	w.WriteByte('\n')
	pw.say("", "  ", fmt.Sprintf("%s: %s (%s)", ts(p.Blueprint), stateLine(p), ts(p.At)))
	owners := "none: add `owners:` to the blueprint"
	if len(p.Owners) > 0 {
		owners = ts(strings.Join(p.Owners, ", "))
	}
	last := "never"
	if p.Reviewed != "" {
		last = p.Reviewed
	}
	pw.say("  ", "    ", fmt.Sprintf("owners: %s; last reviewed: %s", owners, last))
	pw.say("  ", "    ", fmt.Sprintf("audience %d, +%d gained, -%d lost, %d expiring before the next review", p.Counts.Audience, p.Counts.Gained, p.Counts.Lost, p.Counts.Expiring))
	switch s := p.Since; {
	case s == nil:
		pw.say("  ", "    ", "first review: every member below is to confirm")
	case s.Note != "":
		pw.say("  ", "    ", fmt.Sprintf("%s: no comparison: %s", sinceLine(s, shortSHA), ts(s.Note)))
	case len(s.Gained)+len(s.Lost) == 0:
		pw.say("  ", "    ", sinceLine(s, shortSHA)+": nobody gained or lost access")
	default:
		pw.say("  ", "    ", sinceLine(s, shortSHA)+":")
		for _, c := range s.Gained {
			pw.say("    + ", "      ", fmt.Sprintf("%s (%s) %s, via %s", ts(c.Email), c.Role, why(c), ts(strings.Join(c.Via, ", "))))
		}
		for _, c := range s.Lost {
			pw.say("    - ", "      ", fmt.Sprintf("%s (%s) %s, had it via %s", ts(c.Email), c.Role, why(c), ts(strings.Join(c.Via, ", "))))
		}
	}
	pw.say("  ", "    ", "rules as written:")
	for _, r := range p.Rules {
		pw.say("    ", "      ", fmt.Sprintf("%s %s (%s)", r.Kind, ts(r.Value), plural(r.Members, "member")))
	}
	pw.say("  ", "    ", "audience:")
	var b strings.Builder
	for _, m := range p.Audience {
		b.Reset()
		b.WriteString(ts(m.Email))
		b.WriteString("  " + m.Role + "  ")
		b.WriteString(ts(strings.Join(m.Via, ", ")))
		if m.Expires != "" {
			b.WriteString("  expires " + m.Expires)
		}
		if m.Status != "" {
			b.WriteString("  " + m.Status)
		}
		if m.Change != "" {
			b.WriteString("  (new since the last review)")
		}
		pw.say("    ", "      ", b.String())
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
func (pw *Writer) markdown(p Packet) {
	w, code, cell := pw.w, report.Code, report.CellCode
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

func (pw *Writer) csvRows(p Packet) error {
	c := report.CSVCell
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
		if err := pw.csv.Write(rec); err != nil {
			return err
		}
	}
	if p.Since != nil {
		for _, l := range p.Since.Lost {
			rec = append(rec[:0], c(p.Blueprint), string(p.State), p.Reviewed, commit, c(l.Email), l.Role, c(strings.Join(l.Via, ";")), l.Expires, "", "lost", string(l.Reason))
			if err := pw.csv.Write(rec); err != nil {
				return err
			}
		}
	}
	return nil
}
