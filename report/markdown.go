package report

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/qovery/portalctl/reconcile"
)

// PlanMarkdown renders a plan or a preview for a pull-request comment: a summary line
// first, loud warnings for blueprints opened to everyone, a table per changed
// blueprint of who gains and who loses access, member changes, unmanaged blueprints,
// then the rule diff collapsed. Every value from the file or the portal is a code
// span or escaped, so nothing in it can become markup, a link or a mention. When
// MaxLen is set, whole sections that do not fit are cut and a note says so.
func PlanMarkdown(p *reconcile.Plan, o PlanOptions) string {
	var sections []string
	head := ""
	if o.Title != "" {
		head = "### " + o.Title + "\n\n"
	}
	head += "**" + Escape(summaryLine(p)) + "**\n"
	sections = append(sections, head)
	_, _, opened := p.Impact.Counts()
	if len(opened) > 0 {
		var b strings.Builder
		for _, name := range opened {
			fmt.Fprintf(&b, "> [!CAUTION]\n> Blueprint %s becomes **open to every member** of the portal.\n\n", Code(name))
		}
		sections = append(sections, b.String())
	}
	for _, bi := range p.Impact.Blueprints {
		sections = append(sections, impactSection(bi, o.maxEmails()))
	}
	if s := memberSection(p); s != "" {
		sections = append(sections, s)
	}
	if len(p.Unmanaged) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "#### Unmanaged blueprints\n\nIn the portal but not in the file; left alone:\n\n")
		for _, u := range p.Unmanaged {
			if u.Open {
				fmt.Fprintf(&b, "- %s ⚠️ open to every member\n", Code(u.Name))
			} else {
				fmt.Fprintf(&b, "- %s\n", Code(u.Name))
			}
		}
		sections = append(sections, b.String())
	}
	if s := ruleDiffSection(p); s != "" {
		sections = append(sections, s)
	}
	return strings.TrimRight(fit(sections, o.MaxLen), "\n") + "\n"
}

// fit joins sections, dropping the ones that would go over max along with all that
// follow, and says how many were cut.
func fit(sections []string, max int) string {
	if total := len(sections) - 1; max > 0 {
		for _, s := range sections {
			total += len(s)
		}
		if total <= max {
			max = 0 // it all fits: no room is needed for the note
		}
	}
	var b strings.Builder
	for i, s := range sections {
		note := fmt.Sprintf("\n---\n_%s cut to fit the comment size limit; run `portalctl preview` locally or read the job summary for the whole report._\n", plural(len(sections)-i, "more section"))
		if max > 0 && b.Len()+len(s)+1 > max-len(note) {
			b.WriteString(note)
			break
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s)
	}
	return b.String()
}

func impactSection(bi reconcile.BlueprintImpact, maxEmails int) string {
	var b strings.Builder
	title := "#### " + Code(bi.Name)
	switch {
	case bi.BecomesOpen():
		title += " — ⚠️ becomes open to every member"
	case bi.NewlyManaged:
		title += " — newly managed by the file"
	}
	fmt.Fprintf(&b, "%s\n\n", title)
	if len(bi.Gains) == 0 && len(bi.Losses) == 0 {
		b.WriteString("No member's access changes.\n")
		return b.String()
	}
	b.WriteString("| | Members | Why |\n|---|---|---|\n")
	for _, g := range groups(bi.Gains, true) {
		fmt.Fprintf(&b, "| ➕ %s | %s | %s |\n", countWord(len(g.emails), "gains", "gain"), cellEmails(g.emails, maxEmails), cellText(g.label))
	}
	for _, g := range groups(bi.Losses, false) {
		fmt.Fprintf(&b, "| ➖ %s | %s | %s |\n", countWord(len(g.emails), "loses", "lose"), cellEmails(g.emails, maxEmails), cellText(g.label))
	}
	return b.String()
}

// cellEmails lists a few emails and counts the rest: a domain-wide change reads as
// its size, not as thousands of addresses.
func cellEmails(emails []string, max int) string {
	shown := emails
	if len(emails) > max {
		shown = emails[:max]
	}
	parts := make([]string, len(shown))
	for i, e := range shown {
		parts[i] = CellCode(e)
	}
	s := strings.Join(parts, ", ")
	if len(emails) > max {
		s += fmt.Sprintf(" and **%d more**", len(emails)-max)
	}
	return s
}

// cellText renders a reason ("via domain company.com") with its value as a code span.
func cellText(label string) string {
	for _, prefix := range []string{"invited, via domain ", "invited, via email ", "invited, via group ", "via domain ", "via email ", "via group ", "had domain ", "had email ", "had group "} {
		if strings.HasPrefix(label, prefix) {
			return Escape(prefix) + CellCode(strings.TrimPrefix(label, prefix))
		}
	}
	return Escape(label)
}

func memberSection(p *reconcile.Plan) string {
	var b strings.Builder
	list := func(title string, a reconcile.Action, line func(reconcile.Op) string) {
		first := true
		for _, op := range p.Ops {
			if op.Action != a {
				continue
			}
			if first {
				fmt.Fprintf(&b, "**%s**\n\n", title)
				first = false
			}
			b.WriteString("- " + line(op) + "\n")
		}
		if !first {
			b.WriteString("\n")
		}
	}
	list("Invitations", reconcile.Invite, func(op reconcile.Op) string {
		return fmt.Sprintf("%s as %s", Code(op.Email), op.Role)
	})
	roleLine := func(op reconcile.Op) string {
		return fmt.Sprintf("%s: %s → %s", Code(op.Email), op.FromRole, op.Role)
	}
	list("Promotions", reconcile.Promote, roleLine)
	list("Demotions", reconcile.Demote, roleLine)
	list("Removals", reconcile.Remove, func(op reconcile.Op) string {
		return fmt.Sprintf("%s (%s)", Code(op.Email), op.Role)
	})
	if b.Len() == 0 {
		return ""
	}
	return "#### Members\n\n" + b.String()
}

func ruleDiffSection(p *reconcile.Plan) string {
	var body strings.Builder
	for _, op := range p.Ops {
		if op.Action != reconcile.UpdateACL {
			continue
		}
		fmt.Fprintf(&body, " %s\n", plainLine(op.Blueprint))
		for _, r := range op.Added {
			fmt.Fprintf(&body, "+   %s\n", plainLine(ruleText(r)))
		}
		for _, r := range op.Removed {
			fmt.Fprintf(&body, "-   %s\n", plainLine(ruleText(r)))
		}
		if len(op.Rules) == 0 {
			body.WriteString("+   (no rules: open to every member)\n")
		}
	}
	if body.Len() == 0 {
		return ""
	}
	fence := strings.Repeat("`", max(3, longestRun(body.String(), '`')+1))
	return fmt.Sprintf("<details><summary>Rule changes</summary>\n\n%sdiff\n%s%s\n\n</details>\n", fence, body.String(), fence)
}

// plainLine keeps a value on one line inside a code block.
func plainLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return '�'
		}
		return r
	}, s)
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
