package report

import (
	"fmt"
	"html"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// MarkdownOptions tune the markdown of a report.
type MarkdownOptions struct {
	// MaxLen bounds the output in bytes (0: no bound), which also bounds it in
	// characters however they are counted. A report over it is shortened by
	// priority (see Markdown) and a note says exactly what was left out.
	MaxLen int
	// Limit names the bound in that note, as markdown, e.g. "GitHub's
	// 65,536-character comment limit".
	Limit string
	// Whole says, as markdown, where the whole report can be read, e.g.
	// "the [job summary](…)". It ends the note.
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
// When the report is over MaxLen it is shortened by priority, least useful detail
// first: the effects of member changes on blueprints whose rules stay (one line per
// member), then the collapsed rule diff, then the unmanaged blueprints; then the
// samples of names get shorter; last, the longest of the lists that are never left
// out (blueprints opened, new admins, the index, the losses, the member changes)
// are capped, each with a count of the rest. The summary, the alerts and the
// provenance always stay.
func (r *Report) Markdown(o MarkdownOptions) string {
	out, _ := r.fitMarkdown(o)
	return out
}

// mdSection is one part of the markdown, in the order it appears.
type mdSection struct {
	id string
	// shed > 0 lets the section be left out to fit, lowest first; 0 keeps it.
	shed int
	// what names the section in the note when it is left out ("" when empty).
	what   func(m *md) string
	render func(m *md) string
}

// sections lists the parts of the markdown in order. A new kind of content is a new
// entry here: keep it (shed 0) if a reviewer must always see it, with its lists
// capped through m.take, or give it a shedding order.
func (r *Report) sections() []mdSection {
	return []mdSection{
		{id: "policy", render: (*md).policy},
		{id: "summary", render: (*md).summary},
		{id: "validation", render: (*md).validation},
		{id: "organization-id", render: (*md).organizationAlert},
		{id: "alert", render: (*md).alert},
		{id: "warning", render: (*md).warning},
		{id: "index", render: (*md).index},
		{id: "losses", render: (*md).losses},
		{id: "members", render: (*md).members},
		{id: "organization", render: (*md).organization},
		{id: "effects", shed: 1, render: (*md).effects, what: func(m *md) string {
			return m.what(len(m.r.Effects), "the effects of member changes on blueprints whose rules stay (%s)", "member")
		}},
		{id: "rules", shed: 2, render: (*md).ruleDiff, what: func(m *md) string {
			return m.what(len(m.r.Rules), "the rule diff (%s)", "blueprint")
		}},
		{id: "unmanaged", shed: 3, render: (*md).unmanaged, what: func(m *md) string {
			return m.what(len(m.r.Unmanaged), "the list of blueprints the file leaves alone (%s)", "blueprint")
		}},
		{id: "note", render: (*md).note},
		{id: "provenance", render: (*md).provenance},
	}
}

// what names a section left out, or is "" when the section is empty.
func (m *md) what(n int, format, word string) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(format, m.count(n, word))
}

// md renders a report at one level of detail.
type md struct {
	r *Report
	o MarkdownOptions
	p *message.Printer
	// sample is how many names a sample shows.
	sample int
	// caps bounds the items a list shows; lists absent are whole.
	caps map[string]int
	// shed holds the sections left out.
	shed map[string]bool
	// Filled while rendering: lists shown in part (shown, total) and whether a
	// sample was shortened below o.Sample.
	cut       map[string][2]int
	sampleCut bool
}

// capList is a list that is never left out but may be capped.
type capList struct {
	id    string
	total int
	// weight makes a list give way sooner: the fitting caps the list with the most
	// items shown times weight. The alert's blueprints, the new admins and the
	// removals weigh least, so they are the last to be capped.
	weight int
}

// capLists names the lists that may be capped, in the order of the report.
func (r *Report) capLists() []capList {
	out := []capList{
		{"opened", len(r.Opened), 1},
		{"admins", len(r.NewAdmins), 1},
		{"index", len(r.Index), 4},
		{"losses", len(r.Losses), 4},
		{"invitations", len(r.Members.Invitations), 4},
		{"promotions", len(r.Members.Promotions), 4},
		{"demotions", len(r.Members.Demotions), 4},
		{"removals", len(r.Members.Removals), 1},
		{"expiries", len(r.Expiries), 4},
		{"effects", len(r.Effects), 4},
		{"unmanaged", len(r.Unmanaged), 4},
	}
	if o := r.Organization; o != nil {
		out = append(out, capList{"org-admins", len(o.NewAdmins), 1})
		for _, l := range o.lists() {
			weight := 4
			if l.id == "org-removals" {
				weight = 1
			}
			out = append(out, capList{l.id, len(l.items), weight})
		}
	}
	if r.Validation != nil {
		out = append(out, capList{"problems", min(len(r.Validation.Problems), DefaultMaxProblems), 4})
	}
	if r.Policy != nil {
		out = append(out, capList{"policy", min(len(r.Policy.Violations), DefaultMaxProblems), 1})
	}
	return out
}

func newMD(r *Report, o MarkdownOptions) *md {
	if o.Sample <= 0 {
		o.Sample = DefaultSample
	}
	return &md{r: r, o: o, p: message.NewPrinter(language.English), sample: o.Sample, caps: map[string]int{}, shed: map[string]bool{}}
}

func (m *md) render() string {
	m.cut, m.sampleCut = map[string][2]int{}, false
	var parts []string
	for _, s := range m.r.sections() {
		if m.shed[s.id] {
			continue
		}
		if out := s.render(m); out != "" {
			parts = append(parts, strings.TrimRight(out, "\n")+"\n")
		}
	}
	return strings.Join(parts, "\n")
}

func (m *md) capOr(id string, def int) int {
	if c, ok := m.caps[id]; ok {
		return c
	}
	return def
}

// fitMarkdown renders the report within o.MaxLen, shortening it step by step.
func (r *Report) fitMarkdown(o MarkdownOptions) (string, *md) {
	m := newMD(r, o)
	out := m.render()
	if o.MaxLen <= 0 || len(out) <= o.MaxLen {
		return out, m
	}
	// A list with more items than bytes allowed cannot fit: start it capped, so
	// that no step renders megabytes only to throw them away.
	for _, l := range r.capLists() {
		if l.total > o.MaxLen/16 {
			m.caps[l.id] = max(1, o.MaxLen/16)
		}
	}
	fits := func() bool {
		out = m.render()
		return len(out) <= o.MaxLen
	}
	sections := r.sections()
	for order := 1; ; order++ {
		found := false
		for _, s := range sections {
			if s.shed == order {
				found = true
				m.shed[s.id] = true
			}
		}
		if !found {
			break
		}
		if fits() {
			return out, m
		}
	}
	for _, n := range []int{5, 3, 1} {
		if n < m.sample {
			m.sample = n
			if fits() {
				return out, m
			}
		}
	}
	for {
		// Halve the longest list shown (by weight); once that fits, give back what
		// room is left.
		best, shown, score := "", 0, 0
		for _, l := range r.capLists() {
			if m.shed[l.id] {
				continue
			}
			if n := min(l.total, m.capOr(l.id, l.total)); n > 1 && n*l.weight > score {
				best, shown, score = l.id, n, n*l.weight
			}
		}
		if best == "" {
			break
		}
		lo, hi := shown/2, shown
		m.caps[best] = lo
		if !fits() {
			continue
		}
		for hi-lo > 1 {
			mid := lo + (hi-lo)/2
			m.caps[best] = mid
			if fits() {
				lo = mid
			} else {
				hi = mid
			}
		}
		m.caps[best] = lo
		out = m.render()
		return out, m
	}
	return hardCut(out, o.MaxLen), m
}

// hardCut is the last resort for a report that does not fit even with every list
// down to one item (values of enormous length): it cuts at a line boundary, closes
// a <details> left open and says so.
func hardCut(s string, max int) string {
	const note = "\n\n> [!WARNING]\n> This report was cut at a line to fit the size limit: run `portalctl preview` for all of it.\n"
	const closeDetails = "\n</details>\n"
	limit := max - len(note) - len(closeDetails)
	if limit <= 0 {
		return ""
	}
	s = s[:limit]
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
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

// take says how many of a list's total items to show, and records a cut.
func (m *md) take(id string, total int) int {
	c, ok := m.caps[id]
	if !ok || c >= total {
		return total
	}
	m.cut[id] = [2]int{c, total}
	return c
}

// sampleOf says how many of n names a sample shows.
func (m *md) sampleOf(n int) int {
	if n > m.sample {
		if m.sample < m.o.Sample {
			m.sampleCut = true
		}
		return m.sample
	}
	return n
}

func (m *md) num(n int) string { return m.p.Sprintf("%d", n) }

// count is "1 member", "1,830 members".
func (m *md) count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return m.num(n) + " " + word + "s"
}

// codes renders names as code spans, the first of a sample, with a count of the rest.
func (m *md) codes(names []string, cell bool) string {
	shown := m.sampleOf(len(names))
	return m.codeList(names, shown, cell)
}

func (m *md) codeList(names []string, shown int, cell bool) string {
	parts := make([]string, 0, shown+1)
	for _, n := range names[:shown] {
		if cell {
			parts = append(parts, CellCode(n))
		} else {
			parts = append(parts, Code(n))
		}
	}
	s := strings.Join(parts, ", ")
	if rest := len(names) - shown; rest > 0 {
		s += " and " + m.num(rest) + " more"
	}
	return s
}

// summaryLine counts the changes, numbers with thousands separators.
func (m *md) summaryLine() string {
	s := m.r.Summary
	if s.NoChanges {
		return "No changes: the portal matches the file."
	}
	parts := []string{
		m.count(s.Gain, "member") + " gain access",
		m.num(s.Lose) + " lose access",
	}
	if s.Gain == 1 {
		parts[0] = "1 member gains access"
	}
	if s.Lose == 1 {
		parts[1] = "1 loses access"
	}
	if s.Opened > 0 {
		verb := "becomes"
		if s.Opened > 1 {
			verb = "become"
		}
		parts = append(parts, fmt.Sprintf("%s %s open to everyone", m.count(s.Opened, "blueprint"), verb))
	}
	if s.RuleChanges > 0 {
		parts = append(parts, "rules change on "+m.count(s.RuleChanges, "blueprint"))
	}
	for _, c := range []struct {
		n    int
		word string
	}{{s.Invitations, "invitation"}, {s.Promotions, "promotion"}, {s.Demotions, "demotion"}, {s.Removals, "removal"}, {s.OrgChanges, "organization change"}, {s.ExpiryChanges, "expiry change"}, {s.PolicyViolations, "policy violation"}} {
		if c.n > 0 {
			parts = append(parts, m.count(c.n, c.word))
		}
	}
	if o := m.r.Organization; o.scopeChanged() {
		parts = append(parts, "organization members "+o.Scope)
	}
	if m.r.OrganizationID != nil {
		parts = append(parts, "the organization changes")
	}
	return strings.Join(parts, " · ")
}

func (m *md) title() string {
	switch p := m.r.Provenance; {
	case m.r.Title != "":
		return Prose(m.r.Title)
	case p != nil:
		return fmt.Sprintf("Access preview of %s: %s → this change", Code(p.File), Code(p.Base.Ref))
	}
	return ""
}

func (m *md) summary() string {
	var b strings.Builder
	if m.r.Validation != nil {
		v := m.r.Validation
		fmt.Fprintf(&b, "### ❌ %s is invalid: nothing can be previewed until it is fixed\n\n", Code(v.File))
		fmt.Fprintf(&b, "**%s, %s**\n", m.count(v.Errors, "error"), m.count(v.Warnings, "warning"))
		return b.String()
	}
	if t := m.title(); t != "" {
		fmt.Fprintf(&b, "### %s\n\n", t)
	}
	fmt.Fprintf(&b, "**%s**\n", Escape(m.summaryLine()))
	if p := m.r.Provenance; p != nil && p.Base.Note != "" {
		fmt.Fprintf(&b, "\nAt %s, %s.\n", Code(p.Base.Ref), Prose(p.Base.Note))
	}
	return b.String()
}

func (m *md) alert() string {
	if len(m.r.Opened) == 0 {
		return ""
	}
	verb := "becomes"
	if len(m.r.Opened) > 1 {
		verb = "become"
	}
	return fmt.Sprintf("> [!CAUTION]\n> **%s %s open to every member of the portal:** %s\n",
		m.count(len(m.r.Opened), "blueprint"), verb, m.codeList(m.r.Opened, m.take("opened", len(m.r.Opened)), false))
}

// policy is the first thing a reviewer reads when the change breaks the file's
// policy: every violation, at its line. Never left out; past DefaultMaxProblems
// the violations are counted.
func (m *md) policy() string {
	p := m.r.Policy
	if p == nil || len(p.Violations) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "> [!CAUTION]\n> **This change breaks the policy of %s (%s): it cannot be planned or applied until the file keeps to it.** Each violation names the rule it breaks:\n>\n",
		Code(p.File), m.count(len(p.Violations), "violation"))
	shown := m.take("policy", min(len(p.Violations), DefaultMaxProblems))
	for _, v := range p.Violations[:shown] {
		b.WriteString("> - " + problemText(v) + "\n")
	}
	if rest := len(p.Violations) - shown; rest > 0 {
		fmt.Fprintf(&b, "> - … and %s more: %s lists them all\n", m.count(rest, "violation"), Code("portalctl validate -f "+p.File))
	}
	return b.String()
}

// policyChanges is the warning line of a change to the policy: section itself.
func (m *md) policyChanges() string {
	p := m.r.Policy
	if p == nil || len(p.Changes) == 0 {
		return ""
	}
	parts := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		parts[i] = c.line(Code)
	}
	return fmt.Sprintf("> - **The %s section changes** (the guardrails of this file: a change for its owners to review): %s\n", Code("policy:"), strings.Join(parts, "; "))
}

func (m *md) warning() string {
	admins, removals := m.r.NewAdmins, m.r.Members.Removals
	org := m.r.Organization
	policy := m.policyChanges()
	if len(admins) == 0 && len(removals) == 0 && (org == nil || len(org.NewAdmins)+len(org.Removals) == 0) && policy == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("> [!WARNING]\n")
	b.WriteString(policy)
	if len(admins) > 0 {
		shown := m.take("admins", len(admins))
		parts := make([]string, shown)
		for i, a := range admins[:shown] {
			parts[i] = Code(a.Email) + " (" + a.How + ")"
		}
		s := strings.Join(parts, ", ")
		if rest := len(admins) - shown; rest > 0 {
			s += " and " + m.num(rest) + " more"
		}
		fmt.Fprintf(&b, "> - **%s:** %s\n", m.count(len(admins), "new admin"), s)
	}
	if len(removals) > 0 {
		emails := make([]string, len(removals))
		for i, r := range removals {
			emails[i] = r.Email
		}
		word := "members removed"
		if len(removals) == 1 {
			word = "member removed"
		}
		fmt.Fprintf(&b, "> - **%s %s** from the portal: %s\n", m.num(len(removals)), word, m.codes(emails, false))
	}
	if org != nil && len(org.NewAdmins) > 0 {
		shown := m.take("org-admins", len(org.NewAdmins))
		parts := make([]string, shown)
		for i, a := range org.NewAdmins[:shown] {
			parts[i] = Code(a.Email) + " (" + Escape(a.How) + ")"
		}
		s := strings.Join(parts, ", ")
		if rest := len(org.NewAdmins) - shown; rest > 0 {
			s += " and " + m.num(rest) + " more"
		}
		fmt.Fprintf(&b, "> - **New Admins or Owners of the Qovery organization (%s):** %s\n", m.num(len(org.NewAdmins)), s)
	}
	if org != nil && len(org.Removals) > 0 {
		emails := make([]string, len(org.Removals))
		for i, r := range org.Removals {
			emails[i] = r.Email
		}
		fmt.Fprintf(&b, "> - **%s** from the Qovery organization (members and invitations): %s\n", m.count(len(org.Removals), "removal"), m.codes(emails, false))
	}
	return b.String()
}

func (m *md) index() string {
	rows := m.r.Index
	if len(rows) == 0 {
		return ""
	}
	audience := false
	for _, r := range rows {
		audience = audience || r.After != nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#### Blueprints whose rules change (%s)\n\n", m.num(len(rows)))
	if audience {
		b.WriteString("| Blueprint | Audience | Gain | Loss | Rule changes |\n|:--|--:|--:|--:|:--|\n")
	} else {
		b.WriteString("| Blueprint | Gain | Loss | Rule changes |\n|:--|--:|--:|:--|\n")
	}
	shown := m.take("index", len(rows))
	for _, r := range rows[:shown] {
		name := CellCode(r.Blueprint)
		if r.BecomesOpen {
			name = "⚠️ " + name + " **opens to everyone**"
		}
		b.WriteString("| " + name + " | ")
		if audience {
			b.WriteString(m.audience(r) + " | ")
		}
		gain, loss := "", ""
		if r.Gain > 0 {
			gain = "+" + m.num(r.Gain)
		}
		if r.Loss > 0 {
			loss = "−" + m.num(r.Loss)
		}
		b.WriteString(gain + " | " + loss + " | " + m.ruleCell(r) + " |\n")
	}
	if rest := len(rows) - shown; rest > 0 {
		fmt.Fprintf(&b, "\n… and %s more %s, ranked lower.\n", m.num(rest), plural2(rest, "blueprint"))
	}
	return b.String()
}

func (m *md) audience(r IndexRow) string {
	side := func(n *int, open bool) string {
		switch {
		case n == nil:
			return "?"
		case open:
			return "**all " + m.num(*n) + "**"
		}
		return m.num(*n)
	}
	before := side(r.Before, r.WasOpen)
	if r.NewlyManaged {
		before = "new"
	}
	// No-break spaces keep "1 → all 19" on one line in a narrow column.
	return strings.ReplaceAll(before+" → "+side(r.After, r.Open), " ", "\u00a0")
}

// ruleCell sums up a blueprint's rule changes in the index.
func (m *md) ruleCell(r IndexRow) string {
	var items []string
	for _, x := range r.RulesAdded {
		items = append(items, "+ "+ruleMD(x, true))
	}
	for _, x := range r.RulesRemoved {
		items = append(items, "− "+ruleMD(x, true))
	}
	shown := m.sampleOf(len(items))
	s := strings.Join(items[:shown], ", ")
	if rest := len(items) - shown; rest > 0 {
		s += " and " + m.num(rest) + " more"
	}
	if r.Open && !r.WasOpen {
		if s != "" {
			s += "; "
		}
		s += "**no rules left**"
	}
	if r.NewlyManaged {
		s = "newly managed: " + s
	}
	return s
}

// ruleMD renders a rule as its kind and its value in a code span.
func ruleMD(r Rule, cell bool) string {
	code := Code
	if cell {
		code = CellCode
	}
	s := string(r.Type) + " " + code(r.Value)
	if r.Group != "" {
		s += " (group " + code(r.Group) + ")"
	}
	return s
}

// viaMD renders a reason ("domain company.com", "group contractors", "open access")
// with its value as a code span.
func viaMD(via string) string {
	for _, kind := range []string{"domain ", "email ", "group "} {
		if v, ok := strings.CutPrefix(via, kind); ok {
			return kind + Code(v)
		}
	}
	return Escape(via)
}

func (m *md) losses() string {
	if len(m.r.Losses) == 0 {
		return ""
	}
	people := 0
	for _, l := range m.r.Losses {
		people += len(l.Emails)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#### Who loses access through rule changes (%s)\n\n", m.count(people, "member"))
	shown := m.take("losses", len(m.r.Losses))
	for _, l := range m.r.Losses[:shown] {
		had := make([]string, len(l.Had))
		for i, h := range l.Had {
			had[i] = viaMD(h)
		}
		what := m.codes(l.Blueprints, false)
		if len(l.Emails) == 1 {
			fmt.Fprintf(&b, "- %s loses %s (had %s)\n", Code(l.Emails[0]), what, strings.Join(had, ", "))
			continue
		}
		fmt.Fprintf(&b, "- **%s** lose %s (had %s): %s\n", m.count(len(l.Emails), "member"), what, strings.Join(had, ", "), m.codes(l.Emails, false))
	}
	if rest := len(m.r.Losses) - shown; rest > 0 {
		n := 0
		for _, l := range m.r.Losses[shown:] {
			n += len(l.Emails)
		}
		fmt.Fprintf(&b, "- … and %s more %s, who lose less\n", m.num(n), plural2(n, "member"))
	}
	return b.String()
}

func (m *md) members() string {
	mc := m.r.Members
	var b strings.Builder
	list := func(id, title string, n int, line func(i int) string) {
		if n == 0 {
			return
		}
		fmt.Fprintf(&b, "**%s (%s)**\n\n", title, m.num(n))
		shown := m.take(id, n)
		for i := range shown {
			b.WriteString("- " + line(i) + "\n")
		}
		if rest := n - shown; rest > 0 {
			fmt.Fprintf(&b, "- … and %s more\n", m.num(rest))
		}
		b.WriteString("\n")
	}
	list("invitations", "Invitations", len(mc.Invitations), func(i int) string {
		inv := mc.Invitations[i]
		role := inv.Role
		if role == "admin" {
			role = "**admin**"
		}
		if inv.Expires != "" {
			role += " (expires " + inv.Expires + ")"
		}
		return fmt.Sprintf("%s as %s, will see %s", Code(inv.Email), role, m.count(inv.Sees, "blueprint"))
	})
	role := func(rc RoleChange) string { return fmt.Sprintf("%s: %s → %s", Code(rc.Email), rc.From, rc.To) }
	list("promotions", "Promotions", len(mc.Promotions), func(i int) string { return role(mc.Promotions[i]) })
	list("demotions", "Demotions", len(mc.Demotions), func(i int) string { return role(mc.Demotions[i]) })
	list("removals", "Removals", len(mc.Removals), func(i int) string {
		rm := mc.Removals[i]
		line := fmt.Sprintf("%s (%s), loses access to %s", Code(rm.Email), rm.Role, m.count(rm.Loses, "blueprint"))
		if rm.ExpiredOn != "" {
			line += ": expired on " + rm.ExpiredOn
		}
		return line
	})
	list("expiries", "Expiry dates", len(m.r.Expiries), func(i int) string {
		return m.r.Expiries[i].line(Code)
	})
	if b.Len() == 0 {
		return ""
	}
	return "#### Member changes\n\n" + b.String()
}

// organization lists the changes of the Qovery organization's own members, apart
// from the portal's. Never left out; its lists are capped with a count.
func (m *md) organization() string {
	o := m.r.Organization
	if o == nil {
		return ""
	}
	var b strings.Builder
	if note := o.scopeNote(); note != "" {
		b.WriteString(Prose(note) + "\n\n")
	}
	for _, l := range o.lists() {
		if len(l.items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "**%s (%s)**\n\n", l.title, m.num(len(l.items)))
		shown := m.take(l.id, len(l.items))
		for _, c := range l.items[:shown] {
			role := func(r string) string {
				if r == c.Role && l.kind != "removals" && adminRole(r) {
					return "**" + Code(r) + "**"
				}
				return Code(r)
			}
			b.WriteString("- " + c.line(l.kind, Code, role) + "\n")
		}
		if rest := len(l.items) - shown; rest > 0 {
			fmt.Fprintf(&b, "- … and %s more\n", m.num(rest))
		}
		b.WriteString("\n")
	}
	if b.Len() == 0 {
		return ""
	}
	title := "#### Organization members"
	if n := o.count(); n > 0 {
		title += " (" + m.count(n, "change") + ")"
	}
	return title + "\n\n" + orgAccess + ".\n\n" + b.String()
}

func (m *md) effects() string {
	es := m.r.Effects
	if len(es) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary>%s</summary>\n\n", html.EscapeString(fmt.Sprintf("Effects of member changes on blueprints whose rules stay (%s)", m.count(len(es), "member"))))
	shown := m.take("effects", len(es))
	for _, e := range es[:shown] {
		verb := "joins"
		if e.Change == "removed" {
			verb = "leaves"
		}
		fmt.Fprintf(&b, "- %s (%s) %s %s through existing rules: %s\n", Code(e.Email), e.Change, verb, m.count(len(e.Blueprints), "blueprint"), m.codes(e.Blueprints, false))
	}
	if rest := len(es) - shown; rest > 0 {
		fmt.Fprintf(&b, "- … and %s more %s\n", m.num(rest), plural2(rest, "member"))
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

func (m *md) ruleDiff() string {
	var body strings.Builder
	for _, rc := range m.r.Rules {
		head := rc.Blueprint
		if rc.NewlyManaged {
			head += " (newly managed)"
		}
		fmt.Fprintf(&body, " %s\n", plainLine(head))
		for _, r := range rc.Added {
			fmt.Fprintf(&body, "+   %s\n", plainLine(r.String()))
		}
		for _, r := range rc.Removed {
			fmt.Fprintf(&body, "-   %s\n", plainLine(r.String()))
		}
		if rc.Open {
			body.WriteString("+   (no rules: open to every member)\n")
		}
	}
	if body.Len() == 0 {
		return ""
	}
	fence := strings.Repeat("`", max(3, longestRun(body.String(), '`')+1))
	return fmt.Sprintf("<details><summary>%s</summary>\n\n%sdiff\n%s%s\n\n</details>\n",
		html.EscapeString("Rule changes ("+m.count(len(m.r.Rules), "blueprint")+")"), fence, body.String(), fence)
}

func (m *md) unmanaged() string {
	us := m.r.Unmanaged
	if len(us) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#### Blueprints the file leaves alone (%s)\n\n", m.num(len(us)))
	shown := m.take("unmanaged", len(us))
	for _, u := range us[:shown] {
		if u.Open {
			fmt.Fprintf(&b, "- %s ⚠️ open to every member\n", Code(u.Name))
		} else {
			fmt.Fprintf(&b, "- %s\n", Code(u.Name))
		}
	}
	if rest := len(us) - shown; rest > 0 {
		fmt.Fprintf(&b, "- … and %s more\n", m.num(rest))
	}
	return b.String()
}

func (m *md) validation() string {
	v := m.r.Validation
	if v == nil {
		return ""
	}
	var b strings.Builder
	// Past DefaultMaxProblems, problems are counted whatever the room: validate
	// lists them all.
	shown := m.take("problems", min(len(v.Problems), DefaultMaxProblems))
	sev := ""
	for _, p := range v.Problems[:shown] {
		if p.Severity != sev {
			sev = p.Severity
			title := "Errors"
			if sev != "error" {
				title = "Warnings"
			}
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "**%s**\n\n", title)
		}
		b.WriteString("- " + problemText(p) + "\n")
	}
	if rest := len(v.Problems) - shown; rest > 0 {
		fmt.Fprintf(&b, "- … and %s more: %s lists them all\n", m.count(rest, "problem"), Code("portalctl validate -f "+v.File))
	}
	return b.String()
}

// problemText is a problem as a list item's text: its position as a code span,
// linked to the line when there is a link, the message, then the hint.
func problemText(p Problem) string {
	pos := Code(fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column))
	if p.URL != "" {
		pos = mdLink(pos, p.URL)
	}
	s := pos + " " + Prose(p.Message)
	if p.Hint != "" {
		s += " — " + Prose(p.Hint)
	}
	return s
}

// note says what was left out or shortened, when anything was.
func (m *md) note() string {
	var parts []string
	var left []string
	for _, s := range m.r.sections() {
		if m.shed[s.id] && s.what != nil {
			if w := s.what(m); w != "" {
				left = append(left, w)
			}
		}
	}
	if len(left) > 0 {
		parts = append(parts, "left out "+joinAnd(left))
	}
	if m.sampleCut {
		parts = append(parts, fmt.Sprintf("lists of names show at most %s", m.count(m.sample, "name")))
	}
	var capped []string
	for _, l := range m.r.capLists() {
		if c, ok := m.cut[l.id]; ok {
			capped = append(capped, fmt.Sprintf("%s shows %s of %s", listName(l.id), m.num(c[0]), m.num(c[1])))
		}
	}
	if len(capped) > 0 {
		parts = append(parts, joinAnd(capped))
	}
	if len(parts) == 0 {
		return ""
	}
	limit := m.o.Limit
	if limit == "" {
		limit = "the size limit"
	}
	s := "> [!NOTE]\n> Shortened to fit " + limit + ": " + strings.Join(parts, "; ") + "."
	if m.o.Whole != "" {
		s += " " + m.o.Whole
	}
	return s + "\n"
}

func listName(id string) string {
	switch id {
	case "opened":
		return "the list of blueprints opened"
	case "admins":
		return "the list of new admins"
	case "index":
		return "the index"
	case "losses":
		return "who loses access"
	case "problems":
		return "the list of problems"
	case "unmanaged":
		return "the list of blueprints left alone"
	case "effects":
		return "the effects of member changes"
	case "org-admins":
		return "the list of new organization Admins and Owners"
	case "org-invitations":
		return "the organization's invitations"
	case "org-reinvitations":
		return "the organization's invitations sent again"
	case "org-role-changes":
		return "the organization's role changes"
	case "org-removals":
		return "the organization's removals"
	case "policy":
		return "the list of policy violations"
	case "expiries":
		return "the list of expiry dates"
	}
	return "the list of " + id
}

// plural2 is word, in the plural unless n is 1.
func plural2(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func joinAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func (m *md) provenance() string {
	p := m.r.Provenance
	if p == nil {
		return ""
	}
	commit := func(r Revision) string {
		if r.Commit == "" {
			return ""
		}
		c := Code(r.Short())
		if u := p.CommitURL(r.Commit); u != "" {
			c = mdLink(c, u)
		}
		return c
	}
	var b strings.Builder
	b.WriteString("---\n\nCompared " + Code(p.File) + " at " + Code(p.Base.Ref))
	if c := commit(p.Base); c != "" {
		b.WriteString(" (" + c + ")")
	}
	switch c := commit(p.Head); {
	case p.Head.Uncommitted && c != "":
		b.WriteString(" with the working tree (uncommitted changes on " + c + ")")
	case p.Head.Uncommitted || c == "":
		b.WriteString(" with the working tree")
	default:
		b.WriteString(" with " + c)
	}
	if p.RunURL != "" {
		b.WriteString(" · " + mdLink("workflow run", p.RunURL))
	}
	b.WriteString(".\n")
	return b.String()
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
