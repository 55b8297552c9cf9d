// Package lint finds what is valid in a portal.yaml but probably wrong, and
// what breaks the file's own policy: the warnings (a domain rule on a public
// mail provider, an email rule naming someone who is not a member, a typo of a
// domain, a look-alike address or blueprint name, no admin, no organization
// owner or several), the policy: section's violations (IsPolicyViolation), and
// the reminders of entries that expire soon or have expired and of blueprints
// whose review is due.
//
// It reads the model schema built, and the few positions the model does not
// keep (Facts); schema's loader calls Check, Policy, Remind and Reviews once the model
// is built, so lint imports nothing of schema's and never sees the YAML.
package lint

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/runenames"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// maxDormantShown is how many dormant-rule warnings are listed one by one before the
// rest are summarised in one line: thousands of them help no one.
const maxDormantShown = 10

// publicProviders are mail domains anyone on the internet can get an address at. A
// domain rule on one of them opens a blueprint to every portal member using it.
var publicProviders = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true,
	"hotmail.co.uk": true, "hotmail.fr": true, "live.com": true, "live.co.uk": true,
	"msn.com": true, "yahoo.com": true, "yahoo.co.uk": true, "yahoo.fr": true,
	"ymail.com": true, "icloud.com": true, "me.com": true, "mac.com": true,
	"aol.com": true, "proton.me": true, "protonmail.com": true, "pm.me": true,
	"gmx.com": true, "gmx.de": true, "gmx.net": true, "web.de": true, "mail.com": true,
	"yandex.ru": true, "yandex.com": true, "mail.ru": true, "qq.com": true,
	"163.com": true, "126.com": true, "zoho.com": true, "fastmail.com": true,
	"hey.com": true, "tutanota.com": true, "tuta.io": true, "free.fr": true,
	"orange.fr": true, "laposte.net": true, "wanadoo.fr": true, "libero.it": true,
	"t-online.de": true, "comcast.net": true, "verizon.net": true, "att.net": true,
	"naver.com": true, "rediffmail.com": true,
}

// Facts are what the lints need beyond the model: where things were written.
type Facts struct {
	// MembersPos is where members: is written; HasMembers, whether it is.
	MembersPos portal.Pos
	HasMembers bool
	// GroupEntries are each group's emails, with the positions of their
	// entries (the model keeps a group's emails only).
	GroupEntries map[string][]portal.Rule
	// Unicode holds the emails and domains written with non-ASCII characters,
	// as written, by position: normalisation turns their domains into punycode,
	// or into plain ASCII (a Kelvin sign K reads as k), and the look-alike lint
	// names the characters the reader sees.
	Unicode map[portal.Pos]string
}

// Check adds the warnings: what is valid but probably wrong.
func Check(cfg *portal.Config, f Facts, ds *diag.Collector) {
	if cfg == nil {
		return
	}
	lintAdmins(cfg, f, ds)
	lintDormant(cfg, f, ds)
	lintProviders(cfg, ds)
	lintLookalikes(cfg, f, ds)
	lintBlueprintNames(cfg, ds)
	lintTypos(cfg, f, ds)
	lintOrgOwner(cfg, ds)
}

func lintAdmins(cfg *portal.Config, f Facts, ds *diag.Collector) {
	for _, m := range cfg.Members {
		if m.Role == portal.RoleAdmin {
			return
		}
	}
	pos := f.MembersPos
	if !f.HasMembers {
		pos = portal.Pos{File: cfg.File, Line: 1, Col: 1}
	}
	ds.Add(pos, diag.Warning, "no-admin", "no member has `role: admin`: apply refuses to leave the portal without an administrator",
		"give at least one member `role: admin`")
}

func lintDormant(cfg *portal.Config, f Facts, ds *diag.Collector) {
	// A set of the emails the rules name, marked off by one pass over the
	// members: no set of 100,000 members, and no search through them per rule.
	named := map[string]bool{} // email → not a member
	for _, b := range cfg.Blueprints {
		for _, r := range b.Rules {
			if r.Kind == portal.RuleEmail && r.Group == "" {
				named[r.Value] = true
			}
		}
	}
	for _, entries := range f.GroupEntries {
		for _, r := range entries {
			named[r.Value] = true
		}
	}
	for _, m := range cfg.Members {
		if _, ok := named[m.Email]; ok {
			named[m.Email] = false
		}
	}
	member := func(email string) bool { return !named[email] }
	// Only the first maxDormantShown are listed, and the next one says how many
	// more there are: keep those, in file order, and count the rest.
	var first []dormant
	found := 0
	note := func(d dormant) {
		found++
		i := sort.Search(len(first), func(i int) bool { return d.before(first[i]) })
		if i > maxDormantShown {
			return
		}
		first = slices.Insert(first, i, d)
		if len(first) > maxDormantShown+1 {
			first = first[:maxDormantShown+1]
		}
	}
	for _, b := range cfg.Blueprints {
		for _, r := range b.Rules {
			if r.Kind == portal.RuleEmail && r.Group == "" && !member(r.Value) {
				note(dormant{r: r, owner: b.Name})
			}
		}
	}
	for g, entries := range f.GroupEntries {
		for _, r := range entries {
			if !member(r.Value) {
				note(dormant{r: r, owner: g, group: true})
			}
		}
	}
	for i, d := range first {
		if i == maxDormantShown {
			ds.Add(d.r.Pos, diag.Warning, "dormant-rule",
				fmt.Sprintf("%d more email rules name people who are not members (dormant rules); the first is here", found-maxDormantShown),
				"invite them under `members:` or remove the rules; `portalctl access --blueprint NAME` lists who each blueprint reaches")
			break
		}
		ds.Add(d.r.Pos, diag.Warning, "dormant-rule",
			fmt.Sprintf("%s, who is not a member: the rule is dormant until they are invited", d.where()),
			"invite them under `members:` or remove the rule")
	}
}

// dormant is an email rule, or a group's entry, naming someone who is not a member.
type dormant struct {
	r     portal.Rule
	owner string // the blueprint, or the group
	group bool
}

func (d dormant) where() string {
	if d.group {
		return fmt.Sprintf("group %s lists %s", diag.Quote(d.owner), d.r.Value)
	}
	return fmt.Sprintf("email rule %s in blueprint %s", d.r.Value, diag.Quote(d.owner))
}

func (d dormant) before(e dormant) bool {
	if c := d.r.Pos.Compare(e.r.Pos); c != 0 {
		return c < 0
	}
	return d.where() < e.where()
}

func lintProviders(cfg *portal.Config, ds *diag.Collector) {
	for _, b := range cfg.Blueprints {
		for _, r := range b.Rules {
			if r.Kind == portal.RuleDomain && publicProviders[r.Value] {
				ds.Add(r.Pos, diag.Warning, "public-domain",
					fmt.Sprintf("domain rule %s opens blueprint %s to every member with an address at %s, and anyone on the internet can get one", r.Value, diag.Quote(b.Name), r.Value),
					"list the people with `emails: [...]` or a group instead")
			}
		}
	}
}

// lintLookalikes warns about addresses a reader may misread: a Cyrillic "а" in
// place of a Latin "a" grants access to a different person than the reader thinks.
// A value written with non-ASCII characters is flagged; one written in punycode
// (xn--…) is flagged when it decodes to a mix of scripts.
func lintLookalikes(cfg *portal.Config, f Facts, ds *diag.Collector) {
	check := func(pos portal.Pos, kind, value string) {
		written, unicodeWritten := "", false
		if len(f.Unicode) > 0 {
			written, unicodeWritten = f.Unicode[pos]
		}
		if !strings.Contains(value, "xn--") && !unicodeWritten {
			return // written in plain ASCII (normalised, it still is): nothing to look alike
		}
		what := kind + " rule"
		if kind == "member" || kind == "group" || kind == "organization member" {
			what = kind + " email"
		}
		shown := value
		if i := strings.LastIndexByte(value, '@'); i >= 0 {
			shown = value[:i+1] + portal.UnicodeDomain(value[i+1:])
		} else {
			shown = portal.UnicodeDomain(value)
		}
		mixed := scripts(shown)
		if !unicodeWritten && len(mixed) < 2 {
			return
		}
		var msg string
		switch {
		case !unicodeWritten: // punycode that decodes to a mix of scripts
			msg = fmt.Sprintf("%s %s contains non-ASCII characters (%s)", what, diag.Quote(shown), describeRunes(shown))
		case isASCII(shown):
			// Characters that normalise to ASCII: a Kelvin sign, full-width
			// letters. The value reads as plain ASCII; the file does not.
			msg = fmt.Sprintf("%s %s contains non-ASCII characters (%s); it reads as %s", what, diag.Quote(strings.TrimSpace(written)), describeRunes(written), shown)
		default:
			msg = fmt.Sprintf("%s %s contains non-ASCII characters (%s)", what, diag.Quote(shown), describeRunes(written))
		}
		hint := "retype it in plain ASCII if that was meant; a look-alike address grants access to someone else"
		if unicodeWritten && isASCII(shown) {
			hint = fmt.Sprintf("write %s: portalctl reads it so, a reviewer or another tool may not", shown)
		}
		if len(mixed) > 1 {
			msg += "; it mixes " + strings.Join(mixed, " and ") + " letters, a classic look-alike"
		}
		ds.Add(pos, diag.Warning, "non-ascii", msg, hint)
	}
	for _, m := range cfg.Members {
		check(m.Pos, "member", m.Email)
	}
	if cfg.Org != nil {
		for _, m := range cfg.Org.Members {
			check(m.Pos, "organization member", m.Email)
		}
	}
	for _, entries := range f.GroupEntries {
		for _, r := range entries {
			check(r.Pos, "group", r.Value)
		}
	}
	for _, b := range cfg.Blueprints {
		for _, r := range b.Rules {
			if r.Group == "" {
				check(r.Pos, string(r.Kind), r.Value)
			}
		}
	}
}

func describeRunes(s string) string {
	var parts []string
	seen := map[rune]bool{}
	for _, r := range s {
		if r <= unicode.MaxASCII || seen[r] {
			continue
		}
		seen[r] = true
		if len(parts) == 3 {
			parts = append(parts, "…")
			break
		}
		name := fmt.Sprintf("U+%04X %s", r, runenames.Name(r))
		if unicode.IsGraphic(r) && !unicode.Is(unicode.M, r) && !unicode.IsSpace(r) {
			name = string(r) + " " + name // the character itself, as the file shows it
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, ", ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

var scriptTables = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek},
	{"Armenian", unicode.Armenian}, {"Cherokee", unicode.Cherokee}, {"Han", unicode.Han},
	{"Arabic", unicode.Arabic}, {"Hebrew", unicode.Hebrew},
}

func scripts(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		for _, st := range scriptTables {
			if unicode.Is(st.table, r) && !seen[st.name] {
				seen[st.name] = true
				out = append(out, st.name)
			}
		}
	}
	return out
}

// maxTypoDomains bounds the distinct domains the typo lint compares: a real
// portal has hundreds; a file with a million distinct domains would cost the
// lint several times the file's size in memory. Beyond it, new domains are not
// looked at.
const maxTypoDomains = 20_000

// lintTypos flags a domain that is one edit away from a domain used more often in
// the file (compnay.com next to company.com). Candidates are found through an index
// of single-deletion variants, so the cost grows with the number of distinct domains,
// not with its square.
func lintTypos(cfg *portal.Config, f Facts, ds *diag.Collector) {
	type use struct {
		count int
		first portal.Pos
		all   []portal.Pos
	}
	uses := map[string]*use{}
	note := func(d string, pos portal.Pos) {
		u := uses[d]
		if u == nil {
			if len(uses) == maxTypoDomains {
				return
			}
			u = &use{first: pos}
			uses[d] = u
		}
		u.count++
		if len(u.all) < 5 {
			u.all = append(u.all, pos)
		}
	}
	for _, m := range cfg.Members {
		note(m.Domain(), m.Pos)
	}
	if cfg.Org != nil {
		for _, m := range cfg.Org.Members {
			note(portal.DomainOf(m.Email), m.Pos)
		}
	}
	for _, entries := range f.GroupEntries {
		for _, r := range entries {
			note(portal.DomainOf(r.Value), r.Pos)
		}
	}
	for _, b := range cfg.Blueprints {
		for _, r := range b.Rules {
			if r.Group == "" {
				note(portal.DomainOf(r.Value), r.Pos)
			}
		}
	}
	// Only the part before the top-level domain may differ: acme.io next to acme.co
	// is two companies, not a typo.
	variants := map[string][]string{}
	for d := range uses {
		for _, v := range deletions(d) {
			variants[v] = append(variants[v], d)
		}
	}
	names := make([]string, 0, len(uses))
	for d := range uses {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		u := uses[d]
		best, bestCount := "", u.count
		for _, v := range deletions(d) {
			for _, other := range variants[v] {
				if other == d || tld(other) != tld(d) || len(label(d)) < 4 {
					continue
				}
				if c := uses[other].count; c > bestCount || (c == bestCount && best != "" && other < best) {
					best, bestCount = other, c
				}
			}
		}
		if best == "" {
			continue
		}
		for _, pos := range u.all {
			ds.Add(pos, diag.Warning, "domain-typo",
				fmt.Sprintf("domain %s looks like a typo of %s, used %d times in this file", d, best, bestCount),
				fmt.Sprintf("write %s if that was meant", best))
		}
	}
}

// deletions returns d and every string made by deleting one character of the part
// before its top-level domain. Two domains within one edit share a variant.
func deletions(d string) []string {
	l, t := label(d), tld(d)
	out := make([]string, 0, len(l)+1)
	out = append(out, d)
	for i := 0; i < len(l); i++ {
		out = append(out, l[:i]+l[i+1:]+"."+t)
	}
	return out
}

func tld(d string) string { return d[strings.LastIndexByte(d, '.')+1:] }

func label(d string) string {
	if i := strings.LastIndexByte(d, '.'); i >= 0 {
		return d[:i]
	}
	return d
}
