package report

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
)

// CSV is comma-separated values, one record a line (RFC 4180), for `access --all`.
const CSV Format = "csv"

// AllAccessVersion is the version of the JSON shape of `access --all -o json`
// (AllAccessJSON). Fields are only added within a version.
const AllAccessVersion = 1

// AllAccessJSON documents the JSON answer of `access --all`. It is written as it
// is produced, a row at a time, never built whole: this type only describes it.
type AllAccessJSON struct {
	Version int    `json:"version"`
	Source  string `json:"source"`
	// Rows are every member and blueprint the member sees, by email then blueprint.
	Rows    []AllAccessRow   `json:"rows"`
	Summary AllAccessSummary `json:"summary"`
}

// AllAccessRow is one member seeing one blueprint.
type AllAccessRow struct {
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Blueprint string    `json:"blueprint"`
	Via       []ViaJSON `json:"via"`
	// Expires is the day the member's access ends (YYYY-MM-DD), when the file
	// gives one.
	Expires string `json:"expires,omitempty"`
}

// ViaJSON is one rule that grants a row: "domain:company.com",
// "email:alice@company.com" (with the group it came from, if any) or "open".
type ViaJSON struct {
	Rule  string `json:"rule"`
	Group string `json:"group,omitempty"`
}

// AllAccessSummary is the summary of `access --all` (see access.Summary).
type AllAccessSummary struct {
	Members             int              `json:"members"`
	Blueprints          int              `json:"blueprints"`
	Rows                int              `json:"rows"`
	MembersPerBlueprint DistributionJSON `json:"members_per_blueprint"`
	BlueprintsPerMember DistributionJSON `json:"blueprints_per_member"`
	UsualDomains        UsualDomainsJSON `json:"usual_domains"`
	Outside             OutsideJSON      `json:"outside_usual_domains"`
}

// DistributionJSON is a count over every blueprint or every member; Top names
// the largest few, largest first.
type DistributionJSON struct {
	Min    int         `json:"min"`
	Median float64     `json:"median"`
	Max    int         `json:"max"`
	Top    []CountJSON `json:"top"`
}

// CountJSON is a number of members or blueprints for one name.
type CountJSON struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// UsualDomainsJSON are the fewest domains, largest first, that hold at least
// Percent of the members (access.UsualPercent), with their member counts.
type UsualDomainsJSON struct {
	Percent int         `json:"percent"`
	Domains []CountJSON `json:"domains"`
}

// OutsideJSON are the other domains with their member counts, and their members.
type OutsideJSON struct {
	Domains []CountJSON `json:"domains"`
	Members []string    `json:"members"`
}

// maxOutsideShown is how many members outside the usual domains text lists, and
// maxDomainsShown how many domains in each of its lists; JSON lists them all.
const (
	maxOutsideShown = 20
	maxDomainsShown = 10
)

// AllAccess writes every member and blueprint the member sees (`access --all`),
// with the rules that grant it, then the summary, in format f: Text and JSON
// write both to w, CSV writes the rows to w and the summary, as text, to side.
// Rows are written as the engine walks them, through a buffer: whatever the
// portal's size, memory holds one row and the summary's counts. Values are
// escaped for the format: hidden controls as escapes in text, \uXXXX in JSON, and
// in CSV both those and cells a spreadsheet would run as a formula (see csvCell).
func AllAccess(ctx context.Context, w, side io.Writer, f Format, ix *access.Index, source string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var rw rowWriter
	switch f {
	case Text:
		rw = newTextRows(bw, ix)
	case JSON:
		rw = &jsonRows{w: bw, source: source}
	case CSV:
		rw = &csvRows{w: csv.NewWriter(bw)}
	default:
		return fmt.Errorf("access --all cannot write %s", f)
	}
	if err := rw.start(); err != nil {
		return fmt.Errorf("write access rows: %w", err)
	}
	n := 0
	s, err := ix.Census(func(g access.Grant) error {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		n++
		return rw.row(g)
	})
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("interrupted after %s: %w", plural(n, "row"), err)
	case err != nil:
		return fmt.Errorf("write access rows: %w", err)
	}
	if err := rw.end(s, source); err != nil {
		return fmt.Errorf("write access summary: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write access rows: %w", err)
	}
	if f == CSV {
		if _, err := io.WriteString(side, allSummaryText(s, source)); err != nil {
			return fmt.Errorf("write access summary: %w", err)
		}
	}
	return nil
}

// rowWriter writes the rows of one format, then what follows them.
type rowWriter interface {
	start() error
	row(g access.Grant) error
	end(s access.Summary, source string) error
}

// refs renders the rules behind a grant as docs/commands.md#access---all-who-can-see-what-and-why writes them:
// "domain:company.com", "email:alice@company.com" or "open". The strings of open
// access and domain rules recur on row after row and are made once.
type refs struct {
	buf   []byte
	known map[string]string
}

func appendRef(b []byte, v access.Via) []byte {
	if v.Open {
		return append(b, "open"...)
	}
	b = append(b, v.Rule.Kind...)
	b = append(b, ':')
	return append(b, v.Rule.Value...)
}

// str returns buf as a string, the one made before when keep says it recurs.
func (r *refs) str(keep bool) string {
	if !keep {
		return string(r.buf)
	}
	if s, ok := r.known[string(r.buf)]; ok { // no allocation for the lookup
		return s
	}
	if r.known == nil {
		r.known = map[string]string{}
	}
	s := string(r.buf)
	r.known[s] = s
	return s
}

// one renders one rule.
func (r *refs) one(v access.Via) string {
	r.buf = appendRef(r.buf[:0], v)
	return r.str(v.Open || v.Rule.Kind != portal.RuleEmail)
}

// joined renders every rule of a grant, joined by sep; text adds the groups.
func (r *refs) joined(vs []access.Via, sep string, groups bool) string {
	r.buf = r.buf[:0]
	keep := true
	for i, v := range vs {
		if i > 0 {
			r.buf = append(r.buf, sep...)
		}
		r.buf = appendRef(r.buf, v)
		if groups && v.Group != "" {
			r.buf = append(r.buf, " (group "...)
			r.buf = append(r.buf, v.Group...)
			r.buf = append(r.buf, ')')
		}
		keep = keep && (v.Open || v.Rule.Kind != portal.RuleEmail)
	}
	return r.str(keep)
}

// joinedRefs renders every rule of a grant as the CSV does, joined by sep: an
// email rule that came from a group is that group (group:G), as the file writes it.
func (r *refs) joinedRefs(vs []access.Via, sep string) string {
	r.buf = r.buf[:0]
	keep := true // no email in it: the string recurs
	for i, v := range vs {
		if i > 0 {
			r.buf = append(r.buf, sep...)
		}
		if v.Group != "" {
			r.buf = append(r.buf, "group:"...)
			r.buf = append(r.buf, v.Group...)
			continue
		}
		r.buf = appendRef(r.buf, v)
		keep = keep && (v.Open || v.Rule.Kind != portal.RuleEmail)
	}
	return r.str(keep)
}

// textRows writes aligned columns: EMAIL ROLE BLUEPRINT VIA.
type textRows struct {
	w           *bufio.Writer
	emailW, bpW int
	line        []byte
	refs        refs
}

// maxTextColumn caps a text column's width: one long name does not push every
// row to the right.
const maxTextColumn = 40

func newTextRows(w *bufio.Writer, ix *access.Index) *textRows {
	t := &textRows{w: w, emailW: len("EMAIL"), bpW: len("BLUEPRINT")}
	// Widths come from the members and blueprints, not the rows: one cheap pass
	// before streaming.
	cfg := ix.Config()
	for _, m := range cfg.Members {
		t.emailW = max(t.emailW, min(maxTextColumn, utf8.RuneCountInString(termSafe(m.Email))))
	}
	for _, b := range cfg.Blueprints {
		t.bpW = max(t.bpW, min(maxTextColumn, utf8.RuneCountInString(termSafe(b.Name))))
	}
	return t
}

func (t *textRows) start() error {
	t.line = t.columns(t.line[:0], "EMAIL", "ROLE", "BLUEPRINT", "VIA")
	_, err := t.w.Write(t.line)
	return err
}

func (t *textRows) columns(b []byte, email, role, blueprint, via string) []byte {
	b = pad(b, email, t.emailW)
	b = pad(b, role, len("admin"))
	b = pad(b, blueprint, t.bpW)
	b = append(b, via...)
	return append(b, '\n')
}

// pad appends s and the spaces that fill it to width, then the two spaces
// between columns.
func pad(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		b = append(b, ' ')
	}
	return append(b, "  "...)
}

func (t *textRows) row(g access.Grant) error {
	via := rowSafe(t.refs.joined(g.Via, ", ", true))
	if !g.Member.Expires.IsZero() {
		via += "  (expires " + g.Member.Expires.String() + ")"
	}
	t.line = t.columns(t.line[:0], rowSafe(g.Member.Email), rowSafe(string(g.Member.Role)), rowSafe(g.Blueprint.Name), via)
	_, err := t.w.Write(t.line)
	return err
}

func (t *textRows) end(s access.Summary, source string) error {
	_, err := io.WriteString(t.w, "\n"+allSummaryText(s, source))
	return err
}

// csvRows writes the columns email,role,blueprint,via,expires with a header
// record. via lists every rule that grants the row, joined by ";": domain:D,
// email:E, group:G (an email rule that came from group G) or open; expires is the
// day the member's access ends, YYYY-MM-DD, or empty.
type csvRows struct {
	w      *csv.Writer
	record [5]string
	refs   refs
}

func (c *csvRows) start() error {
	return c.w.Write([]string{"email", "role", "blueprint", "via", "expires"})
}

func (c *csvRows) row(g access.Grant) error {
	c.record = [5]string{csvCell(g.Member.Email), csvCell(string(g.Member.Role)), csvCell(g.Blueprint.Name), csvCell(c.refs.joinedRefs(g.Via, ";")), g.Member.Expires.String()}
	return c.w.Write(c.record[:])
}

func (c *csvRows) end(access.Summary, string) error {
	c.w.Flush()
	return c.w.Error()
}

// rowSafe is termSafe with a fast path for the plain values almost every row holds.
func rowSafe(s string) string {
	if printableASCII(s) {
		return s
	}
	return termSafe(s)
}

// printableASCII reports whether s holds only printable ASCII (0x20 to 0x7e),
// which needs no escape in any format. It reads eight bytes at a time: every
// row of a large report goes through it.
func printableASCII(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// A byte under 0x20 borrows its high bit in x-0x20 (the first such
		// byte does so exactly: the test says whether there is one, not
		// which); a byte of 0x7f or more has it set in x or in x+1.
		if ((x-0x20*ones)&^x|x|(x+ones))&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// formulaStart are the first characters that make a spreadsheet evaluate a cell
// as a formula (or, for tab and carriage return, hide the ones after them).
const formulaStart = "=+-@\t\r"

// csvCell makes a value from the file or the portal safe in a CSV cell opened by
// a spreadsheet: hidden and control characters other than line breaks are shown
// as \uXXXX escapes (quoting keeps line breaks inside the cell), and a cell that
// would start with =, +, -, @, tab or carriage return gets a leading apostrophe,
// which spreadsheets show as text and do not evaluate (OWASP's advice on CSV
// injection). So does a cell that starts with an apostrophe itself, so that no
// two values share a cell: =1+1 is written '=1+1, and '=1+1 is written with one
// more apostrophe before it. A program reading the CSV strips exactly one leading
// apostrophe from a cell that has one, and gets the value back.
func csvCell(s string) string {
	if !printableASCII(s) {
		s = visibleControls(s)
	}
	if s != "" && (s[0] == csvGuard || strings.IndexByte(formulaStart, s[0]) >= 0) {
		return string(csvGuard) + s
	}
	return s
}

// csvGuard is the apostrophe csvCell puts before a cell.
const csvGuard = '\''

// jsonRows writes AllAccessJSON a row at a time.
type jsonRows struct {
	w      *bufio.Writer
	source string
	buf    bytes.Buffer
	enc    *json.Encoder
	rec    AllAccessRow
	refs   refs
	rows   int
}

func (j *jsonRows) start() error {
	j.enc = json.NewEncoder(&j.buf)
	j.enc.SetEscapeHTML(false)
	if _, err := fmt.Fprintf(j.w, "{\n  \"version\": %d,\n  \"source\": ", AllAccessVersion); err != nil {
		return err
	}
	if err := j.encode(j.source); err != nil {
		return err
	}
	_, err := io.WriteString(j.w, ",\n  \"rows\": [")
	return err
}

// encode writes v as compact JSON with hidden controls escaped (portal.EscapeHiddenJSON).
func (j *jsonRows) encode(v any) error {
	j.buf.Reset()
	if err := j.enc.Encode(v); err != nil {
		return err
	}
	_, err := j.w.Write(portal.EscapeHiddenJSON(bytes.TrimSuffix(j.buf.Bytes(), []byte("\n"))))
	return err
}

func (j *jsonRows) row(g access.Grant) error {
	sep := ",\n    "
	if j.rows == 0 {
		sep = "\n    "
	}
	j.rows++
	if _, err := io.WriteString(j.w, sep); err != nil {
		return err
	}
	j.rec.Email, j.rec.Role, j.rec.Blueprint = g.Member.Email, string(g.Member.Role), g.Blueprint.Name
	j.rec.Expires = g.Member.Expires.String()
	j.rec.Via = j.rec.Via[:0]
	for _, v := range g.Via {
		j.rec.Via = append(j.rec.Via, ViaJSON{Rule: j.refs.one(v), Group: v.Group})
	}
	return j.encode(&j.rec)
}

func (j *jsonRows) end(s access.Summary, _ string) error {
	closing := "\n  ],\n  \"summary\": "
	if j.rows == 0 {
		closing = "],\n  \"summary\": "
	}
	if _, err := io.WriteString(j.w, closing); err != nil {
		return err
	}
	data, err := json.MarshalIndent(summaryJSON(s), "  ", "  ")
	if err != nil {
		return err
	}
	if _, err := j.w.Write(portal.EscapeHiddenJSON(data)); err != nil {
		return err
	}
	_, err = io.WriteString(j.w, "\n}\n")
	return err
}

func summaryJSON(s access.Summary) AllAccessSummary {
	return AllAccessSummary{
		Members:             s.Members,
		Blueprints:          s.Blueprints,
		Rows:                s.Grants,
		MembersPerBlueprint: distributionJSON(s.PerBlueprint),
		BlueprintsPerMember: distributionJSON(s.PerMember),
		UsualDomains:        UsualDomainsJSON{Percent: access.UsualPercent, Domains: countsJSON(s.Usual)},
		Outside:             OutsideJSON{Domains: countsJSON(s.Outside), Members: append([]string{}, s.OutsideMembers...)},
	}
}

func distributionJSON(d access.Distribution) DistributionJSON {
	return DistributionJSON{Min: d.Min, Median: d.Median, Max: d.Max, Top: countsJSON(d.Top)}
}

func countsJSON(cs []access.Count) []CountJSON {
	out := make([]CountJSON, len(cs))
	for i, c := range cs {
		out[i] = CountJSON{Name: c.Name, Count: c.N}
	}
	return out
}

// allSummaryText is the summary of `access --all` for people.
func allSummaryText(s access.Summary, source string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Summary of %s: %s, %s, %s\n", termSafe(source), plural(s.Members, "member"), plural(s.Blueprints, "blueprint"), plural(s.Grants, "row"))
	dist := func(title, topTitle string, d access.Distribution) {
		fmt.Fprintf(&b, "%s: min %d, median %s, max %d\n", title, d.Min, strconv.FormatFloat(d.Median, 'f', -1, 64), d.Max)
		if len(d.Top) > 0 {
			fmt.Fprintf(&b, "  %s: %s\n", topTitle, countsText(d.Top, 0, len(d.Top)))
		}
	}
	dist("Members per blueprint", "most seen", s.PerBlueprint)
	dist("Blueprints per member", "seeing most", s.PerMember)
	if s.Members == 0 {
		b.WriteString("Usual domains: none, there are no members\n")
		return b.String()
	}
	if len(s.Usual) == 0 {
		b.WriteString("Usual domains: none, no domain has more than one member\n")
	} else {
		fmt.Fprintf(&b, "Usual domains (largest first, until they hold %d%% of members; never one of a single member): %s\n", access.UsualPercent, countsText(s.Usual, s.Members, maxDomainsShown))
	}
	if len(s.OutsideMembers) == 0 {
		b.WriteString("Outside the usual domains: no one\n")
		return b.String()
	}
	fmt.Fprintf(&b, "Outside the usual domains: %s in %s: %s\n", plural(len(s.OutsideMembers), "member"), plural(len(s.Outside), "domain"), countsText(s.Outside, s.Members, maxDomainsShown))
	shown := s.OutsideMembers[:min(len(s.OutsideMembers), maxOutsideShown)]
	for _, e := range shown {
		fmt.Fprintf(&b, "  %s\n", termSafe(e))
	}
	if rest := len(s.OutsideMembers) - len(shown); rest > 0 {
		fmt.Fprintf(&b, "  and %d more (-o json lists them all)\n", rest)
	}
	return b.String()
}

// countsText lists up to limit counts as "name 12", with a total as
// "name 12 (40%)", and says how many more there are.
func countsText(cs []access.Count, total, limit int) string {
	var parts []string
	for _, c := range cs[:min(len(cs), limit)] {
		p := fmt.Sprintf("%s %d", termSafe(c.Name), c.N)
		if total > 0 {
			p += " (" + percent(c.N, total) + ")"
		}
		parts = append(parts, p)
	}
	if rest := len(cs) - limit; rest > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", rest))
	}
	return strings.Join(parts, ", ")
}

// percent is n of total as a whole percentage, "<1%" rather than "0%" for some.
func percent(n, total int) string {
	p := int(math.Round(float64(n) * 100 / float64(total)))
	if p == 0 && n > 0 {
		return "<1%"
	}
	return strconv.Itoa(p) + "%"
}
