package report

import (
	"fmt"
	"slices"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// hostile are values crafted to break out of where a report puts them: markup,
// HTML, links, images, mentions, autolinks, table pipes, code fences, new blocks,
// line separators, math, entities and terminal escapes.
var hostile = []string{
	"<script>alert(1)</script>",
	"<img src=x onerror=alert(1)>",
	"[link](https://evil.com)",
	"![img](https://evil.com/x.png)",
	"a|b|c",
	"| --- |",
	"`tick`",
	"```",
	"``` fence\nclosed\n```",
	"~~~",
	"@mention",
	"hi @octocat and @org/team",
	"foo@evil.com",
	"www.evil.com",
	"WWW.Evil.com",
	"(www.evil.com)",
	"https://evil.com/path?q=1",
	"ftp://evil.com",
	"<https://evil.com>",
	"line1\nline2\n# heading\n- item",
	"para\n\n<details>\n\n[!CAUTION]: https://evil.com\n",
	"\n[x]: https://evil.com",
	"x\u2028y\u2029z",
	"x\r\ny\x00z\x85",
	"$math$ and $$x^2$$",
	"$`x`$",
	"**bold** _it_ ~~strike~~",
	"&lt;b&gt; &amp; &#x40; &#64;evil",
	"</details><script>x</script>",
	"</summary></details>",
	"\\",
	"trailing\\",
	"\\|",
	"> quote",
	"    indented",
	"1. one",
	"- [ ] task",
	"\x1b[31mred\x1b[0m",
	"\x1b]8;;https://evil.com\x07link\x1b]8;;\x07",
	"\u009b2J",
	"#1 GH-2 owner/repo#3",
	"javascript:alert(1)",
	"mailto:a@b.com",
	":smile:",
	"\t\tx\t",
	" leading and trailing ",
	"\u202egnp.exe",
}

// hostilePlan puts every value in every slot of a plan that reports render: emails
// of each operation, blueprint names, rules, groups, reasons and unmanaged names. The
// loader would refuse most of these emails; the live portal is not bound by it.
// openName is the blueprint that becomes open.
func hostilePlan(vals []string, openName string) *reconcile.Plan {
	p := &reconcile.Plan{Organization: "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", Fingerprint: "sha256:0"}
	email := func(v string) string { return v + "@evil.com" }
	emailRule := func(e string) portal.RuleKey { return portal.RuleKey{Kind: portal.RuleEmail, Value: e} }
	domainRule := func(d string) portal.RuleKey { return portal.RuleKey{Kind: portal.RuleDomain, Value: d} }
	for i, v := range vals {
		p.Ops = append(p.Ops,
			reconcile.Op{Action: reconcile.Invite, Email: email(v), Role: portal.RoleUser},
			reconcile.Op{Action: reconcile.Promote, Email: v, MemberID: "m1", Role: portal.RoleAdmin, FromRole: portal.RoleUser},
			reconcile.Op{Action: reconcile.Demote, Email: "d" + v, MemberID: "m2", Role: portal.RoleUser, FromRole: portal.RoleAdmin},
			reconcile.Op{Action: reconcile.Remove, Email: "r" + v, MemberID: "m3", Role: portal.RoleUser},
		)
		added := []portal.Rule{{Kind: portal.RuleEmail, Value: email(v), Group: v}}
		acl := reconcile.Op{Action: reconcile.UpdateACL, Blueprint: v, BlueprintID: fmt.Sprint("b", i), ETag: `"1"`,
			Rules: added, Added: added, Removed: []portal.Rule{{Kind: portal.RuleDomain, Value: v}}}
		if i == 0 {
			acl.Rules = nil // the ACL becomes empty: open
		}
		p.Ops = append(p.Ops, acl)
		p.Impact.Blueprints = append(p.Impact.Blueprints, access.BlueprintImpact{
			Name:         v,
			NewlyManaged: i%3 == 1,
			RulesChange:  true,
			RulesAdded:   added,
			Edits: []access.Edit{
				{Change: access.Removed, Kind: "domain", Value: v, Members: 2},
				{Change: access.Changed, Kind: "group", Value: v, Members: 1, EmailsAdded: []string{email(v)}, EmailsRemoved: []string{"g" + v}},
				{Change: access.Added, Kind: "email", Value: email(v)},
			},
			Gains: []access.Change{
				{Email: email(v), Via: []access.Via{{Rule: emailRule(email(v))}}},
				{Email: v, Via: []access.Via{{Rule: emailRule(v), Group: v}}, Member: true},
				{Email: "plain@company.com", Via: []access.Via{{Rule: domainRule(v)}}},
			},
			Losses: []access.Change{
				{Email: "l" + email(v), Via: []access.Via{{Rule: domainRule(v)}, {Rule: emailRule(v)}}},
				{Email: "r" + v, Via: []access.Via{{Open: true}}, Member: true},
				{Email: "g" + v, Via: []access.Via{{Rule: emailRule(v), Group: v}}},
			},
		})
		p.Unmanaged = append(p.Unmanaged, reconcile.Unmanaged{Name: "u" + v, Open: i%2 == 0})
	}
	p.Impact.Blueprints = append(p.Impact.Blueprints,
		access.BlueprintImpact{Name: openName, Open: true, RulesChange: true, Gains: []access.Change{
			{Email: "plain@company.com", Via: []access.Via{{Open: true}}},
			{Email: "new@company.com", Via: []access.Via{{Open: true}}, Member: true},
		}},
		access.BlueprintImpact{Name: "quiet " + vals[len(vals)-1], RulesChange: true, RulesAdded: []portal.Rule{{Kind: portal.RuleDomain, Value: vals[0]}},
			Edits: []access.Edit{{Change: access.Added, Kind: "domain", Value: vals[0]}}},
	)
	return p
}

// mapPlan returns a copy of p with every value from the file or the portal passed
// through f: the same plan, other names.
func mapPlan(p *reconcile.Plan, f func(string) string) *reconcile.Plan {
	rules := func(rs []portal.Rule) []portal.Rule {
		if rs == nil {
			return nil
		}
		out := make([]portal.Rule, len(rs))
		for i, r := range rs {
			out[i] = portal.Rule{Kind: r.Kind, Value: f(r.Value), Group: f(r.Group), Pos: r.Pos}
		}
		return out
	}
	access := func(as []access.Change) []access.Change {
		if as == nil {
			return nil
		}
		out := make([]access.Change, len(as))
		for i, a := range as {
			vias := make([]access.Via, len(a.Via))
			for j, v := range a.Via {
				vias[j] = access.Via{Open: v.Open, Rule: portal.RuleKey{Kind: v.Rule.Kind, Value: f(v.Rule.Value)}, Group: f(v.Group)}
			}
			out[i] = access.Change{Email: f(a.Email), Via: vias, Member: a.Member}
		}
		return out
	}
	q := &reconcile.Plan{Organization: p.Organization, Fingerprint: p.Fingerprint}
	for _, o := range p.Ops {
		o.Email, o.Blueprint = f(o.Email), f(o.Blueprint)
		o.Rules, o.Added, o.Removed = rules(o.Rules), rules(o.Added), rules(o.Removed)
		q.Ops = append(q.Ops, o)
	}
	for _, b := range p.Impact.Blueprints {
		b.Name = f(b.Name)
		b.Gains, b.Losses = access(b.Gains), access(b.Losses)
		b.RulesAdded, b.RulesRemoved = rules(b.RulesAdded), rules(b.RulesRemoved)
		b.Edits = slices.Clone(b.Edits)
		for i, e := range b.Edits {
			e.Value = f(e.Value)
			e.EmailsAdded, e.EmailsRemoved = mapAll(e.EmailsAdded, f), mapAll(e.EmailsRemoved, f)
			b.Edits[i] = e
		}
		q.Impact.Blueprints = append(q.Impact.Blueprints, b)
	}
	for _, u := range p.Unmanaged {
		q.Unmanaged = append(q.Unmanaged, reconcile.Unmanaged{Name: f(u.Name), Open: u.Open})
	}
	return q
}

func mapAll(vs []string, f func(string) string) []string {
	if vs == nil {
		return nil
	}
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = f(v)
	}
	return out
}

// benign returns a mapping of every non-empty value to a plain name, the same
// value always to the same name.
func benign() func(string) string {
	names := map[string]string{}
	return func(s string) string {
		if s == "" {
			return ""
		}
		if n, ok := names[s]; ok {
			return n
		}
		n := fmt.Sprintf("v%d", len(names))
		names[s] = n
		return n
	}
}

// planValues lists the values of p that the markdown report shows as code spans:
// emails of operations, names of blueprints, emails that lose access through rules
// and the rules that granted it, rule values and groups, unmanaged names.
func planValues(p *reconcile.Plan) []string {
	var out []string
	for _, o := range p.Ops {
		if o.Email != "" {
			out = append(out, o.Email)
		}
	}
	for _, b := range p.Impact.Blueprints {
		out = append(out, b.Name)
		for _, a := range b.Losses {
			if a.Member {
				continue
			}
			out = append(out, a.Email)
			for _, v := range a.Via {
				switch {
				case v.Group != "":
					out = append(out, v.Group)
				case !v.Open:
					out = append(out, v.Rule.Value)
				}
			}
		}
		for _, r := range append(slices.Clone(b.RulesAdded), b.RulesRemoved...) {
			out = append(out, r.Value)
			if r.Group != "" {
				out = append(out, r.Group)
			}
		}
	}
	for _, u := range p.Unmanaged {
		out = append(out, u.Name)
	}
	return out
}
