package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// PlanOptions tune how a plan is shown.
type PlanOptions struct {
	Color bool
	// Title heads markdown output, e.g. "portal.yaml: HEAD^1 → working tree".
	Title string
	// MaxEmails is how many emails a group of gains or losses lists before it only
	// counts the rest (default 10).
	MaxEmails int
	// MaxLen bounds markdown output, which is shortened by priority with a note
	// (0: no limit); see Report.Markdown.
	MaxLen int
	// Now stamps JSON output.
	Now time.Time
}

func (o PlanOptions) maxEmails() int {
	if o.MaxEmails <= 0 {
		return 10
	}
	return o.MaxEmails
}

// Plan writes p in format f: JSON is the plan format of reconcile (`plan -o json`),
// markdown the reviewer's report (see Report.Markdown), and text the listing of
// SPEC §4 that a terminal shows before apply.
func Plan(w io.Writer, f Format, p *reconcile.Plan, o PlanOptions) error {
	switch f {
	case JSON:
		return reconcile.WritePlan(w, p.ToJSON(o.Now))
	case Markdown:
		_, err := io.WriteString(w, PlanMarkdown(p, o))
		return err
	default:
		return planText(w, p, o)
	}
}

// PlanMarkdown renders the report of p as markdown.
func PlanMarkdown(p *reconcile.Plan, o PlanOptions) string {
	r := New(p, Options{Title: o.Title})
	return r.Markdown(MarkdownOptions{MaxLen: o.MaxLen, Sample: o.MaxEmails})
}

// group is gains or losses of one blueprint that share a reason.
type group struct {
	label  string
	emails []string
}

// groups gathers accesses by their first reason, largest group first, so that a
// domain-wide change reads as one line with a count.
func groups(as []access.Change, gain bool) []group {
	idx := map[string]int{}
	var out []group
	for _, a := range as {
		label := reason(a, gain)
		i, ok := idx[label]
		if !ok {
			i = len(out)
			idx[label] = i
			out = append(out, group{label: label})
		}
		out[i].emails = append(out[i].emails, a.Email)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if len(out[i].emails) != len(out[j].emails) {
			return len(out[i].emails) > len(out[j].emails)
		}
		return out[i].label < out[j].label
	})
	return out
}

func reason(a access.Change, gain bool) string {
	via := "?"
	if len(a.Via) > 0 {
		via = a.Via[0].String()
	}
	switch {
	case gain && a.Member:
		return "invited, via " + via
	case gain:
		return "via " + via
	case a.Member:
		return "member removed"
	default:
		return "had " + via
	}
}

func summaryLine(p *reconcile.Plan) string {
	if p.Empty() {
		return "No changes: the portal matches the file."
	}
	gain, lose, opened := p.Impact.Counts()
	parts := []string{
		countWord(gain, "member gains access", "members gain access"),
		countWord(lose, "member loses access", "members lose access"),
	}
	if len(opened) > 0 {
		parts = append(parts, fmt.Sprintf("%s opened to everyone", plural(len(opened), "blueprint")))
	}
	for _, c := range []struct {
		n    int
		word string
	}{
		{p.Count(reconcile.Invite), "invite"},
		{p.Count(reconcile.Promote) + p.Count(reconcile.Demote), "role change"},
		{p.Count(reconcile.Remove), "removal"},
		{p.Count(reconcile.UpdateACL), "ACL update"},
		{orgCount(p), "organization change"},
	} {
		if c.n > 0 {
			parts = append(parts, plural(c.n, c.word))
		}
	}
	return strings.Join(parts, ", ")
}

type painter struct{ on bool }

func (p painter) c(code, s string) string {
	if !p.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}
func (p painter) green(s string) string  { return p.c("32", s) }
func (p painter) red(s string) string    { return p.c("31", s) }
func (p painter) yellow(s string) string { return p.c("33", s) }
func (p painter) bold(s string) string   { return p.c("1", s) }
func (p painter) alarm(s string) string  { return p.c("1;31", s) }

func planText(w io.Writer, p *reconcile.Plan, o PlanOptions) error {
	c := painter{o.Color}
	var b strings.Builder
	title := o.Title
	if title == "" {
		org := p.Organization
		if org == "" {
			org = "(none)"
		}
		title = "Plan for organization " + org
	}
	fmt.Fprintf(&b, "%s\n", c.bold(termSafe(title)+": "+summaryLine(p)))
	_, _, opened := p.Impact.Counts()
	for _, name := range opened {
		fmt.Fprintf(&b, "%s\n", c.alarm(fmt.Sprintf("!! blueprint %s becomes OPEN TO EVERY MEMBER", termSafe(name))))
	}
	// Listed in the order of SPEC §4 (invites, role changes, ACL changes,
	// removals), which is not quite the apply order: promotions and demotions read
	// best together.
	section := func(title string, actions []reconcile.Action, line func(reconcile.Op) string) {
		var ops []reconcile.Op
		for _, op := range p.Ops {
			if slices.Contains(actions, op.Action) {
				ops = append(ops, op)
			}
		}
		if len(ops) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(ops))
		for _, op := range ops {
			b.WriteString(line(op))
		}
	}
	expires := desiredExpiries(p.Desired)
	section("Members to invite", []reconcile.Action{reconcile.Invite}, func(op reconcile.Op) string {
		if d := expires.portal[op.Email]; d != "" {
			return fmt.Sprintf("  %s %s (%s, expires %s)\n", c.green("+"), termSafe(op.Email), op.Role, d)
		}
		return fmt.Sprintf("  %s %s (%s)\n", c.green("+"), termSafe(op.Email), op.Role)
	})
	section("Role changes", []reconcile.Action{reconcile.Promote, reconcile.Demote}, func(op reconcile.Op) string {
		return fmt.Sprintf("  %s %s: %s → %s\n", c.yellow("~"), termSafe(op.Email), op.FromRole, op.Role)
	})
	section("Blueprint ACL changes", []reconcile.Action{reconcile.UpdateACL}, func(op reconcile.Op) string {
		s := fmt.Sprintf("  %s %s\n", c.yellow("~"), termSafe(op.Blueprint))
		for _, r := range op.Added {
			s += fmt.Sprintf("      %s %s\n", c.green("+"), termSafe(ruleText(r)))
		}
		for _, r := range op.Removed {
			s += fmt.Sprintf("      %s %s\n", c.red("-"), termSafe(ruleText(r)))
		}
		if len(op.Rules) == 0 {
			s += "      " + c.alarm("(no rules left: open to every member)") + "\n"
		}
		return s
	})
	section("Members to remove", []reconcile.Action{reconcile.Remove}, func(op reconcile.Op) string {
		return fmt.Sprintf("  %s %s (%s)%s\n", c.red("-"), termSafe(op.Email), op.Role, op.Reason())
	})
	if n := orgCount(p); n > 0 {
		// Listed apart: the Qovery organization's own members, in apply order.
		fmt.Fprintf(&b, "\nOrganization members (%d; %s):\n", n, orgAccess)
		for _, op := range p.Ops {
			if !reconcile.IsOrg(op.Action) {
				continue
			}
			mark := c.yellow("~")
			switch op.Action {
			case reconcile.OrgInvite:
				mark = c.green("+")
			case reconcile.OrgRemove, reconcile.OrgCancelInvite:
				mark = c.red("-")
			}
			line := op.String()
			if d := expires.org[op.Email]; d != "" && op.Action == reconcile.OrgInvite {
				line += " (expires " + d + ")"
			}
			fmt.Fprintf(&b, "  %s %s\n", mark, termSafe(line))
		}
	}
	if len(p.Impact.Blueprints) > 0 {
		b.WriteString("\nAccess impact:\n")
		for _, bi := range p.Impact.Blueprints {
			head := "  " + termSafe(bi.Name)
			if bi.BecomesOpen() {
				head += "  " + c.alarm("!! BECOMES OPEN TO EVERY MEMBER")
			}
			if bi.NewlyManaged {
				head += "  (newly managed by the file)"
			}
			b.WriteString(head + "\n")
			for _, g := range groups(bi.Gains, true) {
				fmt.Fprintf(&b, "    %s %s %s: %s\n", c.green("+"), countWord(len(g.emails), "gains", "gain"), termSafe(g.label), termSafe(emailList(g.emails, o.maxEmails())))
			}
			for _, g := range groups(bi.Losses, false) {
				fmt.Fprintf(&b, "    %s %s %s: %s\n", c.red("-"), countWord(len(g.emails), "loses", "lose"), termSafe(g.label), termSafe(emailList(g.emails, o.maxEmails())))
			}
			if len(bi.Gains) == 0 && len(bi.Losses) == 0 {
				b.WriteString("    no member's access changes\n")
			}
		}
	}
	if len(p.Unmanaged) > 0 {
		fmt.Fprintf(&b, "\nUnmanaged blueprints (in the portal, not in the file; left alone) (%d):\n", len(p.Unmanaged))
		for _, u := range p.Unmanaged {
			line := "  " + termSafe(u.Name)
			if u.Open {
				line += "  " + c.yellow("warning: open to every member")
			}
			b.WriteString(line + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// orgCount is how many of p's operations change the organization's members.
func orgCount(p *reconcile.Plan) int {
	n := 0
	for _, op := range p.Ops {
		if reconcile.IsOrg(op.Action) {
			n++
		}
	}
	return n
}

func countWord(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func ruleText(r portal.Rule) string {
	s := r.Key().String()
	if r.Group != "" {
		s += " (group " + r.Group + ")"
	}
	return s
}

func emailList(emails []string, max int) string {
	if len(emails) <= max {
		return strings.Join(emails, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(emails[:max], ", "), len(emails)-max)
}
