package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// TextOptions tune the text of a report.
type TextOptions struct {
	Color bool
	// Sample is how many names a list shows before it counts the rest (default 10).
	Sample int
}

// Text writes the report for a terminal, in the order of the markdown. Values are
// shown with control characters and hidden controls escaped.
func (r *Report) Text(w io.Writer, o TextOptions) error {
	if o.Sample <= 0 {
		o.Sample = DefaultSample
	}
	t := &textReport{r: r, c: painter{o.Color}, sample: o.Sample, p: message.NewPrinter(language.English)}
	var b strings.Builder
	if r.Validation != nil {
		t.validation(&b)
	} else {
		t.policy(&b)
		t.changes(&b)
	}
	t.provenance(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

// JSON writes the report as JSON, version ReportVersion, hidden controls escaped.
func (r *Report) JSON(w io.Writer) error { return writeJSON(w, r) }

type textReport struct {
	r      *Report
	c      painter
	sample int
	p      *message.Printer
}

func (t *textReport) num(n int) string { return t.p.Sprintf("%d", n) }

func (t *textReport) count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return t.num(n) + " " + word + "s"
}

func (t *textReport) names(names []string) string {
	shown := min(len(names), t.sample)
	safe := make([]string, shown)
	for i, n := range names[:shown] {
		safe[i] = termSafe(n)
	}
	s := strings.Join(safe, ", ")
	if rest := len(names) - shown; rest > 0 {
		s += " and " + t.num(rest) + " more"
	}
	return s
}

func (t *textReport) changes(b *strings.Builder) {
	r, c := t.r, t.c
	m := &md{r: r, p: t.p}
	title := r.Title
	if title == "" && r.Provenance != nil {
		title = fmt.Sprintf("Access preview of %s: %s → this change", r.Provenance.File, r.Provenance.Base.Ref)
	}
	if title != "" {
		b.WriteString(c.bold(termSafe(title)) + "\n")
	}
	b.WriteString(m.summaryLine() + "\n")
	if p := r.Provenance; p != nil && p.Base.Note != "" {
		b.WriteString("Note: at " + termSafe(p.Base.Ref) + ", " + termSafe(p.Base.Note) + ".\n")
	}

	org := r.Organization
	orgWarn := org != nil && len(org.NewAdmins)+len(org.Removals) > 0
	policyWarn := r.Policy != nil && len(r.Policy.Changes) > 0
	if len(r.Opened) > 0 || len(r.NewAdmins) > 0 || len(r.Members.Removals) > 0 || orgWarn || policyWarn || r.OrganizationID != nil {
		b.WriteString("\n")
	}
	b.WriteString(t.organizationAlert())
	if policyWarn {
		parts := make([]string, len(r.Policy.Changes))
		for i, ch := range r.Policy.Changes {
			parts[i] = ch.line(termSafe)
		}
		b.WriteString(c.yellow("!  the policy: section changes (the guardrails of this file: a change for its owners to review): "+strings.Join(parts, "; ")) + "\n")
	}
	if len(r.Opened) > 0 {
		verb := "becomes"
		if len(r.Opened) > 1 {
			verb = "become"
		}
		// Every blueprint opened is named: this is the line nobody may miss.
		all := make([]string, len(r.Opened))
		for i, n := range r.Opened {
			all[i] = termSafe(n)
		}
		b.WriteString(c.alarm(fmt.Sprintf("!! %s %s OPEN TO EVERY MEMBER: %s", t.count(len(r.Opened), "blueprint"), verb, strings.Join(all, ", "))) + "\n")
	}
	if len(r.NewAdmins) > 0 {
		parts := make([]string, len(r.NewAdmins))
		for i, a := range r.NewAdmins {
			parts[i] = termSafe(a.Email) + " (" + a.How + ")"
		}
		b.WriteString(c.yellow(fmt.Sprintf("!  %s: %s", t.count(len(r.NewAdmins), "new admin"), strings.Join(parts, ", "))) + "\n")
	}
	if rm := r.Members.Removals; len(rm) > 0 {
		emails := make([]string, len(rm))
		for i, x := range rm {
			emails[i] = x.Email
		}
		word := "members removed"
		if len(rm) == 1 {
			word = "member removed"
		}
		b.WriteString(c.yellow(fmt.Sprintf("!  %s %s from the portal: %s", t.num(len(rm)), word, t.names(emails))) + "\n")
	}
	if org != nil && len(org.NewAdmins) > 0 {
		parts := make([]string, len(org.NewAdmins))
		for i, a := range org.NewAdmins {
			parts[i] = termSafe(a.Email) + " (" + termSafe(a.How) + ")"
		}
		b.WriteString(c.yellow(fmt.Sprintf("!  new Admins or Owners of the Qovery organization (%s): %s", t.num(len(org.NewAdmins)), strings.Join(parts, ", "))) + "\n")
	}
	if org != nil && len(org.Removals) > 0 {
		emails := make([]string, len(org.Removals))
		for i, x := range org.Removals {
			emails[i] = x.Email
		}
		b.WriteString(c.yellow(fmt.Sprintf("!  %s from the Qovery organization (members and invitations): %s", t.count(len(org.Removals), "removal"), t.names(emails))) + "\n")
	}

	if len(r.Index) > 0 {
		fmt.Fprintf(b, "\nBlueprints whose rules change (%s), riskiest first:\n", t.num(len(r.Index)))
		var tb strings.Builder
		tw := tabwriter.NewWriter(&tb, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  BLUEPRINT\tAUDIENCE\tGAIN\tLOSS\tRULE CHANGES")
		for _, row := range r.Index {
			name := termSafe(row.Blueprint)
			if row.BecomesOpen {
				name += " (OPENS TO EVERYONE)"
			}
			gain, loss := "", ""
			if row.Gain > 0 {
				gain = "+" + t.num(row.Gain)
			}
			if row.Loss > 0 {
				loss = "-" + t.num(row.Loss)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", name, t.audience(row), gain, loss, t.ruleCell(row))
		}
		_ = tw.Flush()
		b.WriteString(tb.String())
	}

	if len(r.Losses) > 0 {
		people := 0
		for _, l := range r.Losses {
			people += len(l.Emails)
		}
		fmt.Fprintf(b, "\nWho loses access through rule changes (%s):\n", t.count(people, "member"))
		for _, l := range r.Losses {
			had := make([]string, len(l.Had))
			for i, h := range l.Had {
				had[i] = termSafe(h)
			}
			if len(l.Emails) == 1 {
				fmt.Fprintf(b, "  %s %s loses %s (had %s)\n", c.red("-"), termSafe(l.Emails[0]), t.names(l.Blueprints), strings.Join(had, ", "))
				continue
			}
			fmt.Fprintf(b, "  %s %s lose %s (had %s): %s\n", c.red("-"), t.count(len(l.Emails), "member"), t.names(l.Blueprints), strings.Join(had, ", "), t.names(l.Emails))
		}
	}

	mc := r.Members
	if len(mc.Invitations)+len(mc.Promotions)+len(mc.Demotions)+len(mc.Removals)+len(r.Expiries) > 0 {
		b.WriteString("\nMember changes:\n")
		for _, inv := range mc.Invitations {
			role := inv.Role
			if inv.Expires != "" {
				role += " (expires " + inv.Expires + ")"
			}
			fmt.Fprintf(b, "  %s invite %s as %s, will see %s\n", c.green("+"), termSafe(inv.Email), role, t.count(inv.Sees, "blueprint"))
		}
		for _, rc := range mc.Promotions {
			fmt.Fprintf(b, "  %s promote %s: %s → %s\n", c.yellow("~"), termSafe(rc.Email), rc.From, rc.To)
		}
		for _, rc := range mc.Demotions {
			fmt.Fprintf(b, "  %s demote %s: %s → %s\n", c.yellow("~"), termSafe(rc.Email), rc.From, rc.To)
		}
		for _, rm := range mc.Removals {
			why := ""
			if rm.ExpiredOn != "" {
				why = ": expired on " + rm.ExpiredOn
			}
			fmt.Fprintf(b, "  %s remove %s (%s), loses access to %s%s\n", c.red("-"), termSafe(rm.Email), rm.Role, t.count(rm.Loses, "blueprint"), why)
		}
		for _, x := range r.Expiries {
			fmt.Fprintf(b, "  %s %s\n", c.yellow("~"), x.line(termSafe))
		}
	}

	t.organization(b)

	if len(r.Effects) > 0 {
		fmt.Fprintf(b, "\nEffects of member changes on blueprints whose rules stay (%s):\n", t.count(len(r.Effects), "member"))
		for _, e := range r.Effects {
			verb := "joins"
			if e.Change == "removed" {
				verb = "leaves"
			}
			fmt.Fprintf(b, "  %s (%s) %s %s through existing rules: %s\n", termSafe(e.Email), e.Change, verb, t.count(len(e.Blueprints), "blueprint"), t.names(e.Blueprints))
		}
	}

	if len(r.Rules) > 0 {
		fmt.Fprintf(b, "\nRule changes (%s):\n", t.count(len(r.Rules), "blueprint"))
		for _, rc := range r.Rules {
			head := termSafe(rc.Blueprint)
			if rc.NewlyManaged {
				head += " (newly managed)"
			}
			b.WriteString("  " + head + "\n")
			for _, x := range rc.Added {
				fmt.Fprintf(b, "    %s %s\n", c.green("+"), termSafe(x.String()))
			}
			for _, x := range rc.Removed {
				fmt.Fprintf(b, "    %s %s\n", c.red("-"), termSafe(x.String()))
			}
			if rc.Open {
				b.WriteString("    " + c.alarm("(no rules left: open to every member)") + "\n")
			}
		}
	}

	if len(r.Unmanaged) > 0 {
		fmt.Fprintf(b, "\nBlueprints the file leaves alone (%s):\n", t.num(len(r.Unmanaged)))
		for _, u := range r.Unmanaged {
			line := "  " + termSafe(u.Name)
			if u.Open {
				line += "  " + c.yellow("warning: open to every member")
			}
			b.WriteString(line + "\n")
		}
	}
}

// organization lists the changes of the organization's own members.
func (t *textReport) organization(b *strings.Builder) {
	o := t.r.Organization
	if o == nil {
		return
	}
	if note := o.scopeNote(); note != "" {
		b.WriteString("\n" + termSafe(strings.ReplaceAll(note, "`", "")) + "\n")
	}
	if o.count() == 0 {
		return
	}
	fmt.Fprintf(b, "\nOrganization members (%s; %s):\n", t.count(o.count(), "change"), orgAccess)
	marks := map[string]string{"invitations": t.c.green("+"), "reinvitations": t.c.yellow("~"), "role changes": t.c.yellow("~"), "removals": t.c.red("-")}
	verbs := map[string]string{"invitations": "invite ", "reinvitations": "", "role changes": "", "removals": "remove "}
	for _, l := range o.lists() {
		for _, c := range l.items {
			verb := verbs[l.kind]
			if c.Invitation {
				verb = ""
			}
			fmt.Fprintf(b, "  %s %s%s\n", marks[l.kind], verb, c.line(l.kind, termSafe, termSafe))
		}
	}
}

func (t *textReport) audience(r IndexRow) string {
	side := func(n *int, open bool) string {
		switch {
		case n == nil:
			return "?"
		case open:
			return "all " + t.num(*n)
		}
		return t.num(*n)
	}
	if r.After == nil && r.Before == nil {
		return "?"
	}
	before := side(r.Before, r.WasOpen)
	if r.NewlyManaged {
		before = "new"
	}
	return before + " → " + side(r.After, r.Open)
}

func (t *textReport) ruleCell(r IndexRow) string {
	var items []string
	for _, x := range r.RulesAdded {
		items = append(items, "+"+termSafe(x.String()))
	}
	for _, x := range r.RulesRemoved {
		items = append(items, "-"+termSafe(x.String()))
	}
	shown := min(len(items), t.sample)
	s := strings.Join(items[:shown], ", ")
	if rest := len(items) - shown; rest > 0 {
		s += " and " + t.num(rest) + " more"
	}
	if r.Open && !r.WasOpen {
		if s != "" {
			s += "; "
		}
		s += "no rules left"
	}
	return s
}

// policy lists the file's violations of its policy first, every one (to
// DefaultMaxProblems).
func (t *textReport) policy(b *strings.Builder) {
	p := t.r.Policy
	if p == nil || len(p.Violations) == 0 {
		return
	}
	b.WriteString(t.c.alarm(fmt.Sprintf("!! This change breaks the policy of %s (%s): it cannot be planned or applied until the file keeps to it.",
		termSafe(p.File), t.count(len(p.Violations), "violation"))) + "\n")
	shown := min(len(p.Violations), DefaultMaxProblems)
	for _, v := range p.Violations[:shown] {
		fmt.Fprintf(b, "   %s:%d:%d: %s\n", termSafe(v.File), v.Line, v.Column, termSafe(v.Message))
		if v.Hint != "" {
			fmt.Fprintf(b, "       hint: %s\n", termSafe(v.Hint))
		}
	}
	if rest := len(p.Violations) - shown; rest > 0 {
		fmt.Fprintf(b, "   … and %s more: `portalctl validate -f %s` lists them all\n", t.count(rest, "violation"), termSafe(p.File))
	}
	b.WriteString("\n")
}

func (t *textReport) validation(b *strings.Builder) {
	v := t.r.Validation
	fmt.Fprintf(b, "%s\n", t.c.bold(fmt.Sprintf("%s is invalid: %s, %s; nothing can be previewed until it is fixed",
		termSafe(v.File), t.count(v.Errors, "error"), t.count(v.Warnings, "warning"))))
	shown := min(len(v.Problems), DefaultMaxProblems)
	for _, p := range v.Problems[:shown] {
		sev := p.Severity
		if t.c.on {
			sev = paint(sev, sev == "error")
		}
		fmt.Fprintf(b, "%s:%d:%d: %s: %s\n", termSafe(p.File), p.Line, p.Column, sev, termSafe(p.Message))
		if p.Hint != "" {
			fmt.Fprintf(b, "    hint: %s\n", termSafe(p.Hint))
		}
	}
	if rest := len(v.Problems) - shown; rest > 0 {
		fmt.Fprintf(b, "… and %s more: `portalctl validate -f %s` lists them all\n", t.count(rest, "problem"), termSafe(v.File))
	}
}

func (t *textReport) provenance(b *strings.Builder) {
	p := t.r.Provenance
	if p == nil {
		return
	}
	s := "\nCompared " + termSafe(p.File) + " at " + termSafe(p.Base.Ref)
	if p.Base.Commit != "" {
		s += " (" + p.Base.Short() + ")"
	}
	switch {
	case p.Head.Uncommitted && p.Head.Commit != "":
		s += " with the working tree (uncommitted changes on " + p.Head.Short() + ")"
	case p.Head.Uncommitted || p.Head.Commit == "":
		s += " with the working tree"
	default:
		s += " with " + p.Head.Short()
	}
	if p.RunURL != "" {
		s += "; run " + termSafe(p.RunURL)
	}
	b.WriteString(s + ".\n")
}
