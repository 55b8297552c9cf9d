package schema

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// ExpiredEntry is an entry of portal.yaml whose access has expired.
type ExpiredEntry struct {
	Email string
	// Org: an entry of organization_members, else of members.
	Org     bool
	Expires portal.Date
	Pos     portal.Pos // of the email
	// First and Last are the lines the entry takes in the file, its own
	// comments included: what Expire deletes.
	First, Last int
}

// Expiry is what Expire found and did.
type Expiry struct {
	// Entries are the expired entries, in file order.
	Entries []ExpiredEntry
	// Data is the file without them; the input itself when none has expired.
	Data []byte
	// Warnings counts the lint warnings of Data (an email rule that now names
	// nobody, say).
	Warnings int
}

// ErrNoDay says the loader has no day to judge expiry on (see Today).
var ErrNoDay = errors.New("no day to judge expiry on: the loader needs Today")

// Expire finds the entries of a valid portal.yaml whose access has expired on the
// loader's day (see Today) and deletes them from data. It edits the bytes, not
// the YAML: each entry's own lines (the list item, the comments on its lines and
// those directly above it at its indentation) are cut out, with a blank line that
// separated it from the next entry when one also separates it from the one
// before; every other byte stays as it was, comments, blank lines, flow and block
// styles, anchors, quoting and line endings (LF or CRLF) included. In a flow list
// ([{...}, {...}]), the item and one comma go. A members list left empty becomes
// `members: []`.
//
// The result is parsed again and must be valid and hold the same configuration
// less the expired entries; otherwise nothing is returned but the error. A file
// that does not validate is returned as its diagnostics, unchanged. An entry
// Expire cannot cut out safely is an error that names it: an anchor other parts
// of the file use, a list written as an alias, an organization_members list it
// would empty (the owner must stay listed).
func (l *Loader) Expire(file string, data []byte) (*Expiry, diag.List, error) {
	if l.today.IsZero() {
		return nil, nil, ErrNoDay
	}
	cfg, ds := l.Parse(file, data)
	if ds.HasErrors() || cfg == nil {
		return nil, ds, nil
	}
	ex := &Expiry{Data: data}
	expired := map[bool]map[string]portal.Date{false: {}, true: {}}
	for _, m := range cfg.Members {
		if m.Expired(l.today) {
			expired[false][m.Email] = m.Expires
		}
	}
	if cfg.Org != nil {
		for _, m := range cfg.Org.Members {
			if m.Expired(l.today) {
				expired[true][m.Email] = m.Expires
			}
		}
	}
	if len(expired[false])+len(expired[true]) == 0 {
		return ex, nil, nil
	}
	root, ok := parseYAML(file, data, &diag.Collector{})
	if !ok {
		return nil, nil, fmt.Errorf("%s: the file no longer parses", file)
	}
	e := &editor{file: file, data: data, lines: splitLines(data), aliases: aliasTargets(root)}
	for _, p := range pairs(deref(root)) {
		org := false
		switch keyString(p.k) {
		case "members":
		case "organization_members":
			org = true
		default:
			continue
		}
		if len(expired[org]) == 0 {
			continue
		}
		entries, err := e.list(p.k, p.v, org, expired[org])
		if err != nil {
			return nil, nil, err
		}
		ex.Entries = append(ex.Entries, entries...)
	}
	slices.SortFunc(ex.Entries, func(a, b ExpiredEntry) int { return a.Pos.Line - b.Pos.Line })
	out := e.apply()
	if err := l.checkExpired(file, cfg, out, ex); err != nil {
		return nil, nil, err
	}
	ex.Data = out
	return ex, nil, nil
}

// checkExpired parses out and requires it valid and equal to cfg less the expired
// entries.
func (l *Loader) checkExpired(file string, cfg *portal.Config, out []byte, ex *Expiry) error {
	after, ds := l.Parse(file, out)
	if ds.HasErrors() || after == nil {
		msg := "the result does not parse"
		for _, d := range ds {
			if d.Severity == diag.Error {
				msg = fmt.Sprintf("the result would be invalid at line %d: %s", d.Pos.Line, d.Message)
				break
			}
		}
		return fmt.Errorf("%s: cannot delete the expired entries safely (%s); the file is left as it is: delete them by hand", file, msg)
	}
	_, ex.Warnings = ds.Counts()
	want := *cfg
	want.Members = slices.DeleteFunc(slices.Clone(cfg.Members), func(m portal.Member) bool { return m.Expired(l.today) })
	if cfg.Org != nil {
		org := *cfg.Org
		org.Members = slices.DeleteFunc(slices.Clone(cfg.Org.Members), func(m portal.OrgMember) bool { return m.Expired(l.today) })
		want.Org = &org
	}
	if why := SameConfig(&want, after); why != "" {
		return fmt.Errorf("%s: cannot delete the expired entries safely (%s); the file is left as it is: delete them by hand", file, why)
	}
	return nil
}

// SameConfig says how two configurations differ, positions aside, or "" when
// they are the same: members (email, role, expiry), groups, blueprints and their
// rules, the organization's members and the policy.
func SameConfig(a, b *portal.Config) string {
	switch {
	case a.Version != b.Version:
		return "the version differs"
	case a.Organization != b.Organization:
		return "the organization differs"
	case !slices.EqualFunc(a.Members, b.Members, func(x, y portal.Member) bool {
		return x.Email == y.Email && x.Role == y.Role && x.Expires == y.Expires
	}):
		return "the members differ"
	case !maps.EqualFunc(a.Groups, b.Groups, slices.Equal):
		return "the groups differ"
	case !slices.EqualFunc(a.Blueprints, b.Blueprints, func(x, y portal.Blueprint) bool {
		return x.Name == y.Name && x.Open == y.Open && slices.EqualFunc(x.Rules, y.Rules, func(r, s portal.Rule) bool {
			return r.Kind == s.Kind && r.Value == s.Value && r.Group == s.Group
		})
	}):
		return "the blueprints differ"
	case (a.Org == nil) != (b.Org == nil):
		return "organization_members is there in one and not the other"
	case a.Org != nil && !slices.EqualFunc(a.Org.Members, b.Org.Members, func(x, y portal.OrgMember) bool {
		return x.Email == y.Email && x.Role == y.Role && x.Expires == y.Expires
	}):
		return "the organization's members differ"
	case (a.Policy == nil) != (b.Policy == nil):
		return "the policy is there in one and not the other"
	case a.Policy != nil && !samePolicy(a.Policy, b.Policy):
		return "the policy differs"
	}
	return ""
}

func samePolicy(a, b *portal.Policy) bool {
	for _, r := range portal.PolicyRules() {
		if a.Has(r) != b.Has(r) {
			return false
		}
	}
	return slices.Equal(a.AllowedDomains, b.AllowedDomains) && a.MaxOpenBlueprints == b.MaxOpenBlueprints &&
		slices.Equal(a.RequireExpiryOutside, b.RequireExpiryOutside) && a.MaxExpiryDays == b.MaxExpiryDays
}

// editor cuts byte ranges out of a file.
type editor struct {
	file  string
	data  []byte
	lines []int // the offset where each line starts, and len(data) last
	// aliases maps each anchored node an alias refers to, to those aliases.
	aliases map[*yaml.Node][]*yaml.Node
	cuts    []cut
	inserts []insert
}

type cut struct{ from, to int }

type insert struct {
	at   int
	text string
}

// list finds the expired entries of one list (members or organization_members,
// written at key) and plans their deletion.
func (e *editor) list(key, value *yaml.Node, org bool, expired map[string]portal.Date) ([]ExpiredEntry, error) {
	what := "members"
	if org {
		what = "organization_members"
	}
	if value.Kind == yaml.AliasNode {
		return nil, fmt.Errorf("%s:%d:%d: %s is the alias *%s: expire does not edit a list written elsewhere; delete the expired entries by hand", e.file, value.Line, value.Column, what, value.Value)
	}
	seq := deref(value)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil, nil
	}
	var entries []ExpiredEntry
	del := make([]bool, len(seq.Content))
	for i, item := range seq.Content {
		var email *yaml.Node
		for _, p := range pairs(item) {
			if keyString(p.k) == "email" {
				email = deref(p.v)
			}
		}
		if email == nil || email.Kind != yaml.ScalarNode {
			continue
		}
		addr, _ := portal.NormalizeEmail(email.Value)
		d, ok := expired[addr]
		if !ok {
			continue
		}
		if alias := e.usedElsewhere(item); alias != nil {
			return nil, fmt.Errorf("%s:%d:%d: the expired entry of %s defines the anchor &%s, which line %d uses (*%s): delete or rewrite that use first, then run expire again",
				e.file, email.Line, email.Column, addr, alias.Alias.Anchor, alias.Line, alias.Value)
		}
		del[i] = true
		entries = append(entries, ExpiredEntry{Email: addr, Org: org, Expires: d, Pos: nodePos(e.file, email)})
	}
	if len(entries) == 0 {
		return nil, nil
	}
	if !slices.Contains(del, false) {
		if org {
			return nil, fmt.Errorf("%s:%d:%d: every entry of organization_members has expired, and the section cannot be empty: an empty list would remove the organization's owner, who must be listed with `role: Owner` and never expires; list the owner, or delete the section to leave the organization's members alone",
				e.file, key.Line, key.Column)
		}
		if seq.Anchor != "" || seq.Style&yaml.TaggedStyle != 0 {
			return nil, fmt.Errorf("%s:%d:%d: every member has expired and members carries an anchor or a tag: write `members: []` by hand", e.file, key.Line, key.Column)
		}
	}
	var spans [][2]int
	if seq.Style&yaml.FlowStyle != 0 {
		var err error
		if spans, err = e.flow(seq, del); err != nil {
			return nil, err
		}
	} else {
		spans = e.block(seq, del, key)
	}
	for i := range entries {
		entries[i].First, entries[i].Last = spans[i][0], spans[i][1]
	}
	return entries, nil
}

// usedElsewhere returns an alias outside item that refers to a node inside it.
func (e *editor) usedElsewhere(item *yaml.Node) *yaml.Node {
	inside := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		inside[n] = true
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(item)
	for n := range inside {
		if n.Anchor == "" {
			continue
		}
		for _, a := range e.aliases[n] {
			if !inside[a] {
				return a
			}
		}
	}
	return nil
}

// aliasTargets maps every node an alias refers to, to the aliases that do
// (aliases are not followed: each node is visited once).
func aliasTargets(root *yaml.Node) map[*yaml.Node][]*yaml.Node {
	out := map[*yaml.Node][]*yaml.Node{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			out[n.Alias] = append(out[n.Alias], n)
			return
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	return out
}

// block plans the deletion of the items of a block list marked in del, line by
// line, and returns the lines (1-based, first and last) each takes.
func (e *editor) block(seq *yaml.Node, del []bool, key *yaml.Node) [][2]int {
	c := seq.Column // the column of every dash of the list
	n := len(e.lines) - 1
	dash := make([]int, len(seq.Content)) // 0-based line of each item's dash
	for i, item := range seq.Content {
		dash[i] = e.dashLine(item.Line-1, c, seq.Line-1)
	}
	// Where the list ends: the first line after the last dash that holds
	// something less indented than the dashes.
	end := n
	for ln := dash[len(dash)-1] + 1; ln < n; ln++ {
		if !e.blank(ln) && e.comment(ln) == 0 && e.indent(ln) < c {
			end = ln
			break
		}
	}
	var spans [][2]int
	for i := range seq.Content {
		if !del[i] {
			continue
		}
		next := end
		if i+1 < len(dash) {
			next = dash[i+1]
		}
		first, last := dash[i], next-1
		// Lines after the item that belong to what follows: blank lines, and
		// comments no more indented than the dashes.
		for last > first && (e.blank(last) || e.comment(last) != 0 && e.comment(last) <= c) {
			last--
		}
		// Its own comments directly above it, at its dash's column.
		for first > 0 && e.comment(first-1) == c {
			first--
		}
		// The blank line that separated it from the next entry goes with it
		// when one also separates it from what comes before, or when it was
		// the list's first entry left: the list then starts as it did.
		keptBefore := slices.Contains(del[:i], false)
		if first > 0 && (e.blank(first-1) || !keptBefore) && last+1 < n && e.blank(last+1) {
			last++
		}
		e.cuts = append(e.cuts, cut{e.lines[first], e.lines[last+1]})
		spans = append(spans, [2]int{first + 1, last + 1})
	}
	if !slices.Contains(del, false) {
		// Nothing left: the key says the list is empty.
		at := e.afterColon(e.offset(key.Line, key.Column))
		e.inserts = append(e.inserts, insert{at, " []"})
	}
	return spans
}

// dashLine is the 0-based line of the dash of the list item that starts on line
// from: the nearest line at or above it, not above top, with a "-" at column c
// after spaces only.
func (e *editor) dashLine(from, c, top int) int {
	for ln := from; ln > top; ln-- {
		if e.indent(ln) == c-1 && e.at(ln, c-1) == '-' {
			return ln
		}
	}
	return top
}

// flow plans the deletion of the items of a flow list ([a, b, c]) marked in del:
// each run of deleted items goes with the comma after it, or, at the end of the
// list, the comma before it; a list left empty is written []. It returns the
// lines (1-based, first and last) each deleted item takes.
func (e *editor) flow(seq *yaml.Node, del []bool) ([][2]int, error) {
	start := make([]int, len(seq.Content))
	stop := make([]int, len(seq.Content)) // the end of the item, spaces trimmed
	closing := -1
	for i, item := range seq.Content {
		start[i] = e.offset(item.Line, item.Column)
		end, last, err := e.scanFlowItem(start[i])
		if err != nil {
			return nil, fmt.Errorf("%s:%d:%d: %w", e.file, item.Line, item.Column, err)
		}
		stop[i] = end
		if last {
			closing = e.skipToClose(end)
		}
	}
	if closing < 0 {
		return nil, fmt.Errorf("%s:%d:%d: cannot find where the list ends: delete the expired entries by hand", e.file, seq.Line, seq.Column)
	}
	var spans [][2]int
	for i, item := range seq.Content {
		if del[i] {
			spans = append(spans, [2]int{item.Line, e.lineOf(stop[i])})
		}
	}
	if !slices.Contains(del, false) {
		open := e.offset(seq.Line, seq.Column)
		e.cuts = append(e.cuts, cut{open + 1, closing})
		return spans, nil
	}
	for i := 0; i < len(del); {
		if !del[i] {
			i++
			continue
		}
		j := i
		for j+1 < len(del) && del[j+1] {
			j++
		}
		if j+1 < len(del) {
			e.cuts = append(e.cuts, cut{start[i], start[j+1]})
		} else {
			e.cuts = append(e.cuts, cut{stop[i-1], stop[j]})
		}
		i = j + 1
	}
	return spans, nil
}

// lineOf is the 1-based line of the byte just before offset at.
func (e *editor) lineOf(at int) int {
	i, found := slices.BinarySearch(e.lines[:len(e.lines)-1], max(at-1, 0))
	if !found {
		i--
	}
	return i + 1
}

// scanFlowItem reads a flow item from its first byte to the "," or "]" that ends
// it, at depth 0, past quoted strings and comments. It returns where the item's
// text ends (trailing spaces and line breaks trimmed) and whether it is the last
// of its list.
func (e *editor) scanFlowItem(at int) (end int, last bool, err error) {
	d := e.data
	depth := 0
	for i := at; i < len(d); i++ {
		switch c := d[i]; c {
		case '"':
			for i++; i < len(d) && d[i] != '"'; i++ {
				if d[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(d); i++ {
				if d[i] == '\'' {
					if i+1 < len(d) && d[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case '#':
			if i == 0 || isSpace(d[i-1]) {
				for i < len(d) && d[i] != '\n' {
					i++
				}
			}
		case '[', '{':
			depth++
		case ']', '}':
			if depth == 0 {
				return e.trimBack(at, i), true, nil
			}
			depth--
		case ',':
			if depth == 0 {
				return e.trimBack(at, i), false, nil
			}
		}
	}
	return 0, false, errors.New("a flow list never closed")
}

// skipToClose returns the offset of the "]" at or after at, past spaces, line
// breaks, commas and comments.
func (e *editor) skipToClose(at int) int {
	d := e.data
	for i := at; i < len(d); i++ {
		switch {
		case d[i] == ']':
			return i
		case d[i] == '#':
			for i < len(d) && d[i] != '\n' {
				i++
			}
		case isSpace(d[i]) || d[i] == ',':
		default:
			return -1
		}
	}
	return -1
}

// trimBack returns the end of the text in [from, to), trailing spaces and line
// breaks aside.
func (e *editor) trimBack(from, to int) int {
	for to > from && isSpace(e.data[to-1]) {
		to--
	}
	return to
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// afterColon returns the offset just after the ":" that follows the key starting
// at at.
func (e *editor) afterColon(at int) int {
	d := e.data
	i := at
	if i < len(d) && (d[i] == '"' || d[i] == '\'') {
		q := d[i]
		for i++; i < len(d) && d[i] != q; i++ {
			if q == '"' && d[i] == '\\' {
				i++
			}
		}
		i++
	}
	for i < len(d) && d[i] != ':' {
		i++
	}
	return min(i+1, len(d))
}

// apply makes the planned cuts and inserts.
func (e *editor) apply() []byte {
	slices.SortFunc(e.cuts, func(a, b cut) int { return a.from - b.from })
	var out bytes.Buffer
	out.Grow(len(e.data))
	pos := 0
	ins := slices.Clone(e.inserts)
	slices.SortFunc(ins, func(a, b insert) int { return a.at - b.at })
	emit := func(to int) {
		for len(ins) > 0 && ins[0].at <= to {
			if ins[0].at >= pos {
				out.Write(e.data[pos:ins[0].at])
				pos = ins[0].at
			}
			out.WriteString(ins[0].text)
			ins = ins[1:]
		}
		if to > pos {
			out.Write(e.data[pos:to])
			pos = to
		}
	}
	for _, c := range e.cuts {
		if c.from > pos {
			emit(c.from)
		}
		pos = max(pos, c.to)
	}
	emit(len(e.data))
	return out.Bytes()
}

// splitLines returns the offset where each line starts, and len(data) last.
func splitLines(data []byte) []int {
	lines := []int{0}
	for i, c := range data {
		if c == '\n' && i+1 < len(data) {
			lines = append(lines, i+1)
		}
	}
	return append(lines, len(data))
}

// text is line ln (0-based) without its line break.
func (e *editor) text(ln int) []byte {
	s := e.data[e.lines[ln]:e.lines[ln+1]]
	return bytes.TrimRight(s, "\r\n")
}

func (e *editor) blank(ln int) bool { return len(bytes.TrimLeft(e.text(ln), " \t")) == 0 }

// comment is the 1-based column of the "#" of a line holding only a comment, or 0.
func (e *editor) comment(ln int) int {
	t := e.text(ln)
	i := e.indent(ln)
	if i < len(t) && t[i] == '#' {
		return i + 1
	}
	return 0
}

// indent counts the spaces a line starts with.
func (e *editor) indent(ln int) int {
	t := e.text(ln)
	i := 0
	for i < len(t) && t[i] == ' ' {
		i++
	}
	return i
}

// at is the byte at 0-based column col of line ln, or 0.
func (e *editor) at(ln, col int) byte {
	t := e.text(ln)
	if col < len(t) {
		return t[col]
	}
	return 0
}

// offset turns a YAML position (1-based line, and 1-based column counted in
// characters) into a byte offset.
func (e *editor) offset(line, col int) int {
	start := e.lines[line-1]
	t := e.text(line - 1)
	i := 0
	for n := 1; n < col && i < len(t); n++ {
		_, size := utf8.DecodeRune(t[i:])
		i += size
	}
	return start + i
}
