package report

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// layout decides what the report shows and in which order: every content decision
// of the markdown and the text is here, once (see doc.go).
//
// The weights say what gives way first when the report must fit a size limit
// (see view): the bottom sections (effects, rule diff, blueprints left alone)
// weigh 2 and may go entirely; the sections a reviewer must see weigh 4 and keep
// at least one item; the alerts weigh 16.
func (r *Report) layout() *doc {
	l := &layouter{r: r, p: message.NewPrinter(language.English)}
	if r.Validation != nil {
		l.invalid()
	} else {
		l.head()
		l.alerts()
		l.index()
		l.losses()
		l.members()
		l.organization()
		l.effects()
		l.ruleDiff()
		l.unmanaged()
	}
	l.provenance()
	return &l.d
}

const (
	weightAlert  = 16
	weightLoss   = 8 // the index, who loses access, removals: what a reviewer checks
	weightMain   = 4
	weightBottom = 2
)

type layouter struct {
	r *Report
	p *message.Printer
	d doc
}

func (l *layouter) add(b block) { l.d.blocks = append(l.d.blocks, b) }

func (l *layouter) num(n int) string { return l.p.Sprintf("%d", n) }

// count is "1 member", "1,830 members".
func (l *layouter) count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return l.num(n) + " " + plural2(n, word)
}

// plural2 is word, in the plural unless n is 1.
func plural2(n int, word string) string {
	switch {
	case n == 1:
		return word
	case strings.HasSuffix(word, "y") && !strings.HasSuffix(word, "ey"):
		return word[:len(word)-1] + "ies"
	}
	return word + "s"
}

// moreLine is the last item of a capped list: "… and 3 more members".
func (l *layouter) moreLine(word, tail string) func(int) line {
	return func(rest int) line {
		return ln(txt(fmt.Sprintf("… and %s more %s%s", l.num(rest), plural2(rest, word), tail)))
	}
}

func (l *layouter) title() line {
	r := l.r
	switch {
	case r.Title != "":
		return ln(txt(r.Title))
	case r.Kind == KindPreview && r.Provenance != nil:
		return ln(txt("Access preview of "), val(r.Provenance.File), txt(": "), val(r.Provenance.Base.Ref), txt(" → this change"))
	case r.Kind == KindPlan && r.Plan != nil && r.Plan.Organization != "":
		return ln(txt("Plan for organization "), val(r.Plan.Organization))
	case r.Kind == KindPlan:
		return ln(txt("Plan"))
	}
	return nil
}

func (l *layouter) head() {
	if t := l.title(); t != nil {
		l.add(block{kind: bHeading, level: 3, text: t})
	}
	parts := l.summaryParts()
	sum := ln()
	for i, p := range parts {
		if i > 0 {
			sum = sum.then(txt(" · "))
		}
		sum = sum.then(span{kind: sText, text: p, keep: true})
	}
	l.add(block{kind: bSummary, text: sum})
	if p := l.r.Provenance; p != nil && p.Base.Note != "" {
		l.add(block{kind: bPara, text: ln(txt("At "), val(p.Base.Ref), txt(", "), prose(p.Base.Note+"."))})
	}
}

// summaryParts count the changes, each part kept whole on a line.
func (l *layouter) summaryParts() []string {
	s := l.r.Summary
	if s.NoChanges {
		if l.r.Kind == KindPreview {
			return []string{"No changes of access."}
		}
		return []string{"No changes: the portal matches the file."}
	}
	parts := []string{l.count(s.Gain, "member") + " gain access", l.num(s.Lose) + " lose access"}
	switch {
	case s.Gain == 0 && s.Lose == 0:
		parts = []string{"No one gains or loses access"}
	case s.Gain == 1:
		parts[0] = "1 member gains access"
	}
	if s.Lose == 1 && len(parts) == 2 {
		parts[1] = "1 loses access"
	}
	if s.Opened > 0 {
		verb := "becomes"
		if s.Opened > 1 {
			verb = "become"
		}
		parts = append(parts, fmt.Sprintf("%s %s open to everyone", l.count(s.Opened, "blueprint"), verb))
	}
	if s.RuleChanges > 0 {
		parts = append(parts, "rules change on "+l.count(s.RuleChanges, "blueprint"))
	}
	for _, c := range []struct {
		n    int
		word string
	}{{s.Invitations, "invitation"}, {s.Promotions, "promotion"}, {s.Demotions, "demotion"}, {s.Removals, "removal"}, {s.OrgChanges, "organization change"}, {s.ExpiryChanges, "expiry change"}} {
		if c.n > 0 {
			parts = append(parts, l.count(c.n, c.word))
		}
	}
	if o := l.r.Organization; o.scopeChanged() {
		parts = append(parts, "organization members "+o.Scope)
	}
	if s.Refusals > 0 {
		parts = append(parts, "apply would refuse it")
	}
	return parts
}

// alerts are what must not be missed, in the order of docs/report.md.
func (l *layouter) alerts() {
	a := l.r.Alerts
	if len(a.Opened) > 0 {
		verb := "becomes"
		if len(a.Opened) > 1 {
			verb = "become"
		}
		rows := map[string]IndexRow{}
		for _, row := range l.r.Index {
			rows[row.Blueprint] = row
		}
		ls := &list{id: "opened", weight: weightAlert, name: "the list of blueprints opened", more: l.moreLine("blueprint", "")}
		if len(a.Opened) <= 5 {
			for _, name := range a.Opened {
				it := ln(val(name))
				if row, ok := rows[name]; ok && row.After != nil {
					it = it.then(txt(": " + l.audience(row) + " members"))
				}
				ls.items = append(ls.items, item{text: it})
			}
		} else {
			// Many: every name, ten to a line (the index has their audiences).
			const per = 10
			for i := 0; i < len(a.Opened); i += per {
				var it line
				for j, name := range a.Opened[i:min(i+per, len(a.Opened))] {
					if j > 0 {
						it = it.then(txt(", "))
					}
					it = it.then(val(name))
				}
				ls.items = append(ls.items, item{text: it})
			}
			n := len(a.Opened)
			ls.more = func(rest int) line {
				shown := len(ls.items) - rest
				return ln(txt(fmt.Sprintf("… and %s more blueprints", l.num(n-shown*per))))
			}
		}
		l.add(block{kind: bAlert, sev: sevCaution, text: ln(alarm(fmt.Sprintf("%s %s open to every member of the portal:", l.count(len(a.Opened), "blueprint"), verb))), list: ls})
	}
	if len(a.Refusals) > 0 {
		title := ln(alarm("Apply will refuse this change"))
		if p := l.r.Provenance; l.r.Kind == KindPreview && p != nil {
			title = title.then(txt(" if the portal matches "), val(p.Base.Ref), txt(":"))
		} else {
			title = title.then(txt(":"))
		}
		ls := &list{id: "refusals", weight: weightAlert, name: "the list of refusals", more: l.moreLine("rail", "")}
		for _, ref := range a.Refusals {
			it := item{text: ln(prose(ref.Message))}
			if ref.Pass != "" {
				it.text = it.text.then(txt(" — to pass it: "), prose(ref.Pass))
			}
			for _, p := range ref.Problems {
				it.sub = append(it.sub, problemLine(p))
			}
			ls.items = append(ls.items, it)
		}
		l.add(block{kind: bAlert, sev: sevCaution, text: title, list: ls})
	}
	if len(a.Admins) > 0 {
		ls := &list{id: "admins", weight: weightAlert, name: "the list of admin changes", more: l.moreLine("admin change", "")}
		for _, c := range a.Admins {
			ls.items = append(ls.items, item{text: adminLine(c)})
		}
		l.add(block{kind: bAlert, sev: sevWarning, text: ln(strong(fmt.Sprintf("Admin changes (%s):", l.num(len(a.Admins))))), list: ls})
	}
	if len(a.Problems) > 0 {
		ls := &list{id: "problems-introduced", weight: weightAlert, name: "the list of problems introduced", more: l.moreLine("problem", "")}
		for _, p := range a.Problems {
			ls.items = append(ls.items, item{text: problemLine(p)})
		}
		l.add(block{kind: bAlert, sev: sevWarning, text: ln(strong(fmt.Sprintf("Problems this change introduces (%s):", l.num(len(a.Problems))))), list: ls})
	}
	if len(a.Policy) > 0 {
		n := 0
		for _, c := range a.Policy {
			if c.Change == loosened {
				n++
			}
		}
		title := ln(strong("The "), boldVal("policy:"), strong(" section changes"))
		switch {
		case n == len(a.Policy):
			title = title.then(txt(": it is loosened (for its owners to review):"))
		case n == 0:
			title = title.then(txt(": it is tightened:"))
		default:
			title = title.then(txt(fmt.Sprintf(": %s loosened, %s tightened (for its owners to review):", l.num(n), l.num(len(a.Policy)-n))))
		}
		ls := &list{id: "policy-changes", weight: weightAlert, name: "the list of policy changes", more: l.moreLine("policy change", "")}
		for _, c := range a.Policy {
			ls.items = append(ls.items, item{text: policyLine(c)})
		}
		l.add(block{kind: bAlert, sev: sevWarning, text: title, list: ls})
	}
	if len(a.Ownership) > 0 {
		ls := &list{id: "ownership-changes", weight: weightAlert, name: "the list of ownership changes", more: l.moreLine("ownership change", "")}
		for _, c := range a.Ownership {
			ls.items = append(ls.items, item{text: ownershipLine(c)})
		}
		title := ln(strong("Ownership changes"), txt(fmt.Sprintf(" (%s): who may approve what changes, for the root file's owners to review:", l.num(len(a.Ownership)))))
		l.add(block{kind: bAlert, sev: sevWarning, text: title, list: ls})
	}
	if len(a.Reviews) > 0 {
		ls := &list{id: "review-changes", weight: weightAlert, name: "the list of review changes", more: l.moreLine("review change", "")}
		for _, c := range a.Reviews {
			ls.items = append(ls.items, item{text: reviewLine(c)})
		}
		title := ln(strong("Access reviews"), txt(fmt.Sprintf(" (%s): for each blueprint's owners to approve:", l.num(len(a.Reviews)))))
		l.add(block{kind: bAlert, sev: sevWarning, text: title, list: ls})
	}
	if o := a.Organization; o != nil {
		// Apply follows the file wherever no flag or variable names an
		// organization, and refuses the file where one names another.
		follows := ln(txt(" Apply follows the file where neither "), val("--organization"), txt(" nor "), val("QOVERY_ORGANIZATION_ID"),
			txt(" names an organization, and refuses the file where one names another."))
		var t line
		switch {
		case o.From == "":
			t = ln(alarm("The file now names the organization "), boldVal(o.To), alarm(": apply will act on it.")).then(follows...)
		case o.To == "":
			t = ln(alarm("The file no longer names the organization "), boldVal(o.From), alarm(": apply will act on whichever organization "),
				boldVal("--organization"), alarm(" or "), boldVal("QOVERY_ORGANIZATION_ID"), alarm(" names."), txt(" Without either, apply refuses to run."))
		default:
			t = ln(alarm("The organization changes from "), boldVal(o.From), alarm(" to "), boldVal(o.To), alarm(": apply will act on another organization.")).then(follows...)
		}
		l.add(block{kind: bAlert, sev: sevCaution, text: t})
	}
}

// reviewLine says one review change: "blueprint data-science: owners a → a,
// b", "blueprint data-science: reviewed 2026-12-07 (was 2026-09-01)",
// "blueprint data-science: its access changes while its review is overdue
// (due 2026-11-30)".
func reviewLine(c ReviewChange) line {
	out := ln(txt("blueprint "), val(c.Blueprint), txt(": "))
	owners := func(o []string) span {
		if len(o) == 0 {
			return txt("none")
		}
		return names(o)
	}
	switch c.Change {
	case "owners":
		return out.then(txt("owners "), owners(c.From), txt(" → "), owners(c.To))
	case "reviewed":
		switch {
		case c.Reviewed == "":
			return out.then(txt("its reviewed date is removed (was " + c.Was + ")"))
		case c.Was == "":
			return out.then(strong("reviewed "+c.Reviewed), txt(": a sign-off of its audience"))
		}
		return out.then(strong("reviewed "+c.Reviewed), txt(" (was "+c.Was+"): a sign-off of its audience"))
	}
	if c.Due == "" {
		return out.then(txt("its access changes and it was "), strong("never reviewed"))
	}
	return out.then(txt("its access changes while its review is "), strong("overdue"), txt(" (due "+c.Due+")"))
}

// ownershipLine says one change of owners: "include teams/ml.yaml: codeowners
// @acme/ml → @acme/ml, @evil".
func ownershipLine(c OwnershipChange) line {
	owners := func(o []string) span {
		if len(o) == 0 {
			return txt("none")
		}
		return names(o)
	}
	out := ln(txt("root file: "))
	if c.Include != "" {
		out = ln(txt("include "), val(c.Include), txt(": "))
	}
	switch c.Field {
	case "include":
		if c.Change == "added" {
			return out.then(strong("added"))
		}
		out = out.then(strong("removed"), txt(", its files no longer read"))
		if len(c.From) > 0 {
			out = out.then(txt(" (owned by "), names(c.From), txt(")"))
		}
		return out
	case "codeowners":
		return out.then(txt("codeowners "), owners(c.From), txt(" → "), owners(c.To))
	case "members":
		if c.Members {
			return out.then(txt("its files "), strong("may now define members"), txt(", groups and organization members"))
		}
		return out.then(txt("its files may no longer define members, groups and organization members"))
	}
	out = out.then(txt("blueprints "))
	first := true
	for _, p := range []struct {
		mark span
		gs   []string
	}{{add(), c.Added}, {del(), c.Removed}} {
		for _, g := range p.gs {
			if !first {
				out = out.then(txt(", "))
			}
			first = false
			out = out.then(p.mark, txt(" "), val(g))
		}
	}
	return out
}

// policyLine says one change of the policy: "loosened: allowed_domains adds
// yahoo.com".
func policyLine(c PolicyChange) line {
	change := txt(c.Change)
	if c.Change == loosened {
		change = strong(c.Change)
	}
	out := ln(change, txt(": "), val(c.Rule), txt(" "+c.Action))
	num := func(n *int) string { return strconv.Itoa(*n) }
	switch {
	case c.From != nil && c.To != nil:
		out = out.then(txt(" from " + num(c.From) + " to " + num(c.To)))
	case c.To != nil:
		out = out.then(txt(" to " + num(c.To)))
	case c.From != nil:
		out = out.then(txt(" (was " + num(c.From) + ")"))
	case c.Action == "dropped":
		out = out.then(txt(" (was "), names(c.values()), txt(")"))
	case c.Action == "set":
		out = out.then(txt(" to "), names(c.values()))
	default:
		out = out.then(txt(" "), names(c.values()))
	}
	return out
}

// values are the domains or the emails the change adds, removes, sets or drops.
func (c PolicyChange) values() []string {
	if len(c.Emails) > 0 {
		return c.Emails
	}
	return c.Domains
}

// adminLine says one admin change by name.
func adminLine(c AdminChange) line {
	if c.Scope == "portal" {
		switch c.Change {
		case "removed":
			return ln(val(c.Email), txt(" removed from the portal (was "), strong("admin"), txt(")"))
		case "demoted":
			return ln(val(c.Email), txt(" demoted in the portal: "), strong(c.From), txt(" → "+c.To))
		case "promoted":
			return ln(val(c.Email), txt(" promoted in the portal: "+c.From+" → "), strong(c.To))
		case "invited":
			return ln(val(c.Email), txt(" invited to the portal as "), strong("admin"))
		}
	}
	switch c.Change {
	case "removed":
		return ln(val(c.Email), txt(" removed from the Qovery organization (was "), boldVal(c.From), txt(")"))
	case "invitation cancelled":
		return ln(val(c.Email), txt(": invitation to the Qovery organization as "), boldVal(c.From), txt(" cancelled"))
	case "invited":
		return ln(val(c.Email), txt(" invited to the Qovery organization as "), boldVal(c.To))
	case "invited again":
		return ln(val(c.Email), txt(" invited to the Qovery organization again, as "), boldVal(c.To))
	}
	from, to := val(c.From), val(c.To)
	if adminRole(c.From) {
		from = boldVal(c.From)
	}
	if adminRole(c.To) {
		to = boldVal(c.To)
	}
	return ln(val(c.Email), txt(": Qovery organization role "), from, txt(" → "), to)
}

// problemLine is a problem as a list item: its position, linked to the line when
// there is a link, the message, then the hint.
func problemLine(p Problem) line {
	pos := fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
	out := ln(val(pos))
	if p.URL != "" {
		out = ln(span{kind: sLink, text: pos, url: p.URL, strong: true})
	}
	out = out.then(txt(" "), prose(p.Message))
	if p.Hint != "" {
		out = out.then(txt(" — "), prose(p.Hint))
	}
	return out
}

func (l *layouter) audience(r IndexRow) string {
	side := func(n *int, open bool) string {
		switch {
		case n == nil:
			return "?"
		case open:
			return "all " + l.num(*n)
		}
		return l.num(*n)
	}
	before := side(r.Before, r.WasOpen)
	if r.NewlyManaged {
		before = "new"
	}
	return before + " → " + side(r.After, r.Open)
}

// index has one row per blueprint whose rules change, riskiest first.
func (l *layouter) index() {
	rows := l.r.Index
	if len(rows) == 0 {
		return
	}
	l.add(block{kind: bHeading, level: 4, text: ln(txt(fmt.Sprintf("Blueprints whose rules change (%s)", l.num(len(rows)))))})
	t := &table{id: "index", weight: weightLoss, name: "the index",
		head:  []string{"Blueprint", "Audience", "Gain", "Loss", "Rule changes"},
		right: []bool{false, true, true, true, false},
		more: func(rest int) line {
			return ln(txt(fmt.Sprintf("… and %s more %s, ranked lower.", l.num(rest), plural2(rest, "blueprint"))))
		},
	}
	for _, r := range rows {
		name := ln(val(r.Blueprint))
		if r.BecomesOpen {
			name = ln(txt("⚠️ "), val(r.Blueprint), txt(" "), alarm("opens to everyone"))
		}
		aud := ln(span{kind: sText, text: l.audience(r), keep: true})
		if r.Open && !r.WasOpen {
			aud = ln(span{kind: sAlarm, text: l.audience(r), keep: true})
		}
		gain, loss := ln(), ln()
		if r.Gain > 0 {
			gain = ln(span{kind: sAdd, text: "+" + l.num(r.Gain)})
		}
		if r.Loss > 0 {
			loss = ln(span{kind: sDel, text: "−" + l.num(r.Loss)})
		}
		t.rows = append(t.rows, []line{name, aud, gain, loss, l.ruleCell(r)})
	}
	l.add(block{kind: bTable, table: t})
}

// ruleCell is a blueprint's rule changes as written, the ones that cause losses
// first, sampled like names.
func (l *layouter) ruleCell(r IndexRow) line {
	var items []line
	for _, e := range r.Changes {
		items = append(items, l.editLine(e))
	}
	out := ln()
	if r.NewlyManaged {
		out = out.then(txt("newly managed: "))
	}
	if len(items) > 0 {
		out = out.then(span{kind: sItems, items: items})
	}
	if r.Open && !r.WasOpen {
		if len(items) > 0 {
			out = out.then(txt("; "))
		}
		out = out.then(alarm("no rules left"))
	}
	return out
}

// editLine is one rule change as written: "− domain company.com (300)".
func (l *layouter) editLine(e RuleEdit) line {
	switch e.Change {
	case "removed":
		out := ln(del(), txt(" "+e.Kind+" "), val(e.Value))
		if e.Kind != "email" {
			out = out.then(txt(" (" + l.num(e.Members) + ")"))
		}
		return out
	case "changed":
		var parts []string
		if n := len(e.EmailsAdded); n > 0 {
			parts = append(parts, "+"+l.num(n))
		}
		if n := len(e.EmailsRemoved); n > 0 {
			parts = append(parts, "−"+l.num(n))
		}
		return ln(txt("~ group "), val(e.Value), txt(" ("+strings.Join(parts, " ")+")"))
	}
	out := ln(add(), txt(" "+e.Kind+" "), val(e.Value))
	switch {
	case e.Kind != "email":
		out = out.then(txt(" (" + l.num(e.Members) + ")"))
	case e.Members == 0:
		out = out.then(txt(" (not a member)"))
	}
	return out
}

// losses say who loses access through rule changes, one line per person; people
// whose lines would read the same share one.
func (l *layouter) losses() {
	ls := l.r.Losses
	if len(ls) == 0 {
		return
	}
	people := 0
	for _, x := range ls {
		people += len(x.Emails)
	}
	l.add(block{kind: bHeading, level: 4, text: ln(txt(fmt.Sprintf("Who loses access through rule changes (%s)", l.count(people, "member"))))})
	out := &list{id: "losses", weight: weightLoss, name: "who loses access", more: l.moreLine("line", ", who lose less")}
	for _, x := range ls {
		had := ln()
		for i, h := range x.Had {
			if i > 0 {
				had = had.then(txt(", "))
			}
			had = had.then(viaSpans(h)...)
		}
		bps := names(x.Blueprints)
		if len(x.Emails) == 1 {
			out.items = append(out.items, item{text: ln(val(x.Emails[0]), txt(" loses "), bps, txt(" (had ")).then(had...).then(txt(")"))})
			continue
		}
		it := ln(strong(l.count(len(x.Emails), "member")), txt(" lose "), bps, txt(" (had ")).then(had...).then(txt("): "), names(x.Emails))
		out.items = append(out.items, item{text: it})
	}
	l.add(block{kind: bList, list: out})
}

// viaSpans renders a reason ("domain company.com", "group contractors", "open
// access") with its value as a value.
func viaSpans(via string) []span {
	for _, kind := range []string{"domain ", "email ", "group "} {
		if v, ok := strings.CutPrefix(via, kind); ok {
			return []span{txt(kind), val(v)}
		}
	}
	return []span{txt(via)}
}

func (l *layouter) members() {
	mc := l.r.Members
	var blocks []block
	sub := func(id, title string, items []item) {
		if len(items) == 0 {
			return
		}
		weight := weightMain
		if id == "removals" {
			weight = weightLoss
		}
		blocks = append(blocks, block{kind: bPara, text: ln(strong(fmt.Sprintf("%s (%s)", title, l.num(len(items)))))},
			block{kind: bList, list: &list{id: id, weight: weight, name: "the list of " + strings.ToLower(title), items: items, more: l.moreLine("member", "")}})
	}
	var items []item
	for _, inv := range mc.Invitations {
		role := txt(inv.Role)
		if inv.Role == "admin" {
			role = strong("admin")
		}
		it := ln(val(inv.Email), txt(" as "), role)
		if inv.Expires != "" {
			it = it.then(txt(" (expires " + inv.Expires + ")"))
		}
		items = append(items, item{mark: '+', text: it.then(txt(", will see " + l.count(inv.Sees, "blueprint")))})
	}
	sub("invitations", "Invitations", items)
	items = nil
	for _, rc := range mc.Promotions {
		to := txt(rc.To)
		if rc.To == "admin" {
			to = strong(rc.To)
		}
		items = append(items, item{mark: '~', text: ln(val(rc.Email), txt(": "+rc.From+" → "), to)})
	}
	sub("promotions", "Promotions", items)
	items = nil
	for _, rc := range mc.Demotions {
		items = append(items, item{mark: '~', text: ln(val(rc.Email), txt(": "+rc.From+" → "+rc.To))})
	}
	sub("demotions", "Demotions", items)
	items = nil
	for _, rm := range mc.Removals {
		role := txt(rm.Role)
		if rm.Role == "admin" {
			role = strong("admin")
		}
		it := ln(val(rm.Email), txt(" ("), role, txt("), loses access to "+l.count(rm.Loses, "blueprint")))
		if rm.ExpiredOn != "" {
			it = it.then(txt(": expired on " + rm.ExpiredOn))
		}
		items = append(items, item{mark: '-', text: it})
	}
	sub("removals", "Removals", items)
	items = nil
	for _, x := range l.r.Expiries {
		items = append(items, item{mark: '~', text: expiryLine(x)})
	}
	sub("expiries", "Expiry dates", items)
	if len(blocks) == 0 {
		return
	}
	l.add(block{kind: bHeading, level: 4, text: ln(txt("Member changes"))})
	for _, b := range blocks {
		l.add(b)
	}
}

// expiryLine describes an expiry change.
func expiryLine(x Expiry) line {
	who := ln(val(x.Email))
	if x.Organization {
		who = who.then(txt(" (organization)"))
	}
	switch {
	case x.Passed && x.From == "":
		return who.then(txt(": expires "+x.To+": "), strong("already passed"), txt(", so the change removes them"))
	case x.Deleted:
		return who.then(txt(": entry deleted, expired on " + x.From + " (no change of access)"))
	case x.From == "":
		return who.then(txt(": expires " + x.To + " (access ends that day)"))
	case x.To == "":
		return who.then(txt(": no longer expires (was " + x.From + ")"))
	case x.Passed:
		return who.then(txt(": expires "+x.To+", was "+x.From+": "), strong("already passed"), txt(", so the change removes them"))
	}
	return who.then(txt(": expires " + x.To + ", was " + x.From))
}

// organization lists the changes of the Qovery organization's own members, apart
// from the portal's.
func (l *layouter) organization() {
	o := l.r.Organization
	if o == nil {
		return
	}
	var blocks []block
	if note := o.scopeNote(); note != "" {
		blocks = append(blocks, block{kind: bPara, text: ln(prose(note))})
	}
	marks := map[string]byte{"invitations": '+', "reinvitations": '~', "role changes": '~', "removals": '-'}
	for _, ol := range o.lists() {
		if len(ol.items) == 0 {
			continue
		}
		weight := weightMain
		if ol.kind == "removals" {
			weight = weightLoss
		}
		ls := &list{id: ol.id, weight: weight, name: listName(ol.id), more: l.moreLine("change", "")}
		for _, c := range ol.items {
			ls.items = append(ls.items, item{mark: marks[ol.kind], text: ln(c.spans(ol.kind)...)})
		}
		blocks = append(blocks, block{kind: bPara, text: ln(strong(fmt.Sprintf("%s (%s)", ol.title, l.num(len(ol.items)))))}, block{kind: bList, list: ls})
	}
	if len(blocks) == 0 {
		return
	}
	title := "Organization members"
	if n := o.count(); n > 0 {
		title += " (" + l.count(n, "change") + ")"
	}
	l.add(block{kind: bHeading, level: 4, text: ln(txt(title))})
	if o.count() > 0 {
		l.add(block{kind: bPara, text: ln(txt(orgAccess + "."))})
	}
	for _, b := range blocks {
		l.add(b)
	}
}

func listName(id string) string {
	switch id {
	case "org-invitations":
		return "the organization's invitations"
	case "org-reinvitations":
		return "the organization's invitations sent again"
	case "org-role-changes":
		return "the organization's role changes"
	case "org-removals":
		return "the organization's removals"
	}
	return "the list of " + id
}

func (l *layouter) effects() {
	es := l.r.Effects
	if len(es) == 0 {
		return
	}
	ls := &list{id: "effects", weight: weightBottom, shed: true, name: "the effects of member changes", more: l.moreLine("member", "")}
	for _, e := range es {
		verb := "joins"
		if e.Change == "removed" {
			verb = "leaves"
		}
		ls.items = append(ls.items, item{text: ln(val(e.Email), txt(fmt.Sprintf(" (%s) %s %s through existing rules: ", e.Change, verb, l.count(len(e.Blueprints), "blueprint"))), names(e.Blueprints))})
	}
	l.add(block{kind: bDetails, text: ln(txt(fmt.Sprintf("Effects of member changes on blueprints whose rules stay (%s)", l.count(len(es), "member")))),
		body: []block{{kind: bList, list: ls}}})
}

// ruleDiff is the rule changes of the index as a diff, as written.
func (l *layouter) ruleDiff() {
	rows := l.r.Index
	if len(rows) == 0 {
		return
	}
	df := &diff{id: "rule-diff", weight: weightBottom, shed: true, name: "the rule diff"}
	for _, r := range rows {
		head := r.Blueprint
		if r.NewlyManaged {
			head += " (newly managed)"
		}
		e := []diffLine{{' ', head}}
		for _, c := range r.Changes {
			what := c.Kind + " " + c.Value
			switch c.Change {
			case "removed":
				e = append(e, diffLine{'-', "   " + what})
			case "added":
				e = append(e, diffLine{'+', "   " + what})
			default:
				e = append(e, diffLine{' ', "   " + what})
				for _, x := range c.EmailsAdded {
					e = append(e, diffLine{'+', "     " + x})
				}
				for _, x := range c.EmailsRemoved {
					e = append(e, diffLine{'-', "     " + x})
				}
			}
		}
		if r.Open && !r.WasOpen {
			e = append(e, diffLine{'+', "   (no rules: open to every member)"})
		}
		df.entries = append(df.entries, e)
	}
	l.add(block{kind: bDetails, text: ln(txt(fmt.Sprintf("Rule changes (%s)", l.count(len(rows), "blueprint")))), body: []block{{kind: bDiff, diff: df}}})
}

func (l *layouter) unmanaged() {
	us := l.r.Unmanaged
	if len(us) == 0 {
		return
	}
	ls := &list{id: "unmanaged", weight: weightBottom, shed: true, name: "the list of blueprints left alone", more: l.moreLine("blueprint", "")}
	for _, u := range us {
		it := ln(val(u.Name))
		if u.Open {
			it = it.then(txt(" ⚠️ "), alarm("open to every member"))
		}
		ls.items = append(ls.items, item{text: it})
	}
	ls.title = ln(txt(fmt.Sprintf("Blueprints the file leaves alone (%s)", l.num(len(us)))))
	l.add(block{kind: bList, list: ls})
}

func (l *layouter) invalid() {
	v := l.r.Validation
	l.add(block{kind: bHeading, level: 3, text: ln(txt("❌ "), val(v.File), txt(" is invalid: nothing can be previewed until it is fixed"))})
	l.add(block{kind: bSummary, text: ln(txt(l.count(v.Errors, "error") + ", " + l.count(v.Warnings, "warning")))})
	// Past DefaultMaxProblems, problems are counted whatever the room: validate
	// lists them all.
	problems := v.Problems[:min(len(v.Problems), DefaultMaxProblems)]
	var errs, warns []item
	for _, p := range problems {
		if p.Severity == "error" {
			errs = append(errs, item{text: problemLine(p)})
		} else {
			warns = append(warns, item{text: problemLine(p)})
		}
	}
	rest := len(v.Problems) - len(problems)
	more := func(n int) line {
		return ln(txt(fmt.Sprintf("… and %s more: ", l.count(n+rest, "problem"))), val("portalctl validate -f "+v.File), txt(" lists them all"))
	}
	for _, part := range []struct {
		title string
		items []item
	}{{"Errors", errs}, {"Warnings", warns}} {
		if len(part.items) == 0 {
			continue
		}
		ls := &list{id: "problems-" + strings.ToLower(part.title), weight: weightMain, name: "the list of " + strings.ToLower(part.title), items: part.items, more: more}
		if rest > 0 && part.title == "Warnings" || rest > 0 && len(warns) == 0 {
			ls.items = append(ls.items, item{text: more(0)})
		}
		l.add(block{kind: bPara, text: ln(strong(part.title))})
		l.add(block{kind: bList, list: ls})
	}
}

// maxChangedFiles is how many changed files the provenance names; the rest are
// counted.
const maxChangedFiles = 10

// provenance says what was compared or read, last.
func (l *layouter) provenance() {
	if p := l.r.Provenance; p != nil {
		commit := func(r Revision) []span {
			if r.Commit == "" {
				return nil
			}
			if u := p.CommitURL(r.Commit); u != "" {
				return []span{{kind: sLink, text: r.Short(), url: u, strong: true}}
			}
			return []span{val(r.Short())}
		}
		out := ln(txt("Compared "), val(p.File), txt(" at "), val(p.Base.Ref))
		if c := commit(p.Base); c != nil {
			out = out.then(txt(" (")).then(c...).then(txt(")"))
		}
		switch c := commit(p.Head); {
		case p.Head.Uncommitted && c != nil:
			out = out.then(txt(" with the working tree (uncommitted changes on ")).then(c...).then(txt(")"))
		case p.Head.Uncommitted || c == nil:
			out = out.then(txt(" with the working tree"))
		default:
			out = out.then(txt(" with ")).then(c...)
		}
		if len(p.Changed) > 0 {
			out = out.then(txt("; the change touches " + l.count(len(p.Changed), "file") + ": "))
			for i, f := range p.Changed[:min(len(p.Changed), maxChangedFiles)] {
				if i > 0 {
					out = out.then(txt(", "))
				}
				out = out.then(val(f.Path), txt(" ("+f.Change+")"))
			}
			if rest := len(p.Changed) - maxChangedFiles; rest > 0 {
				out = out.then(txt(" and " + l.num(rest) + " more"))
			}
		}
		if p.RunURL != "" {
			out = out.then(txt(" · "), link("workflow run", p.RunURL))
		}
		l.add(block{kind: bRule})
		l.add(block{kind: bPara, text: out.then(txt("."))})
		return
	}
	if p := l.r.Plan; p != nil {
		out := ln(txt("Planned "), val(p.File), txt(" against organization "), val(p.Organization))
		if p.APIURL != "" {
			out = out.then(txt(" at "), val(p.APIURL))
		}
		if !p.At.IsZero() {
			out = out.then(txt(" on " + p.At.UTC().Format("2006-01-02 15:04 UTC")))
		}
		if p.Fingerprint != "" {
			out = out.then(txt("; live state "))
			if fp := p.Fingerprint; len(fp) > 19 {
				out = out.then(val(fp[:19]), txt("…"))
			} else {
				out = out.then(val(fp))
			}
		}
		l.add(block{kind: bRule})
		l.add(block{kind: bPara, text: out.then(txt("."))})
	}
}
