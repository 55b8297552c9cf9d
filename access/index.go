// Package access is the one engine that decides who sees which blueprint: an index of
// one portal configuration (Index) that answers who sees a blueprint and what a
// member sees, with every rule behind each answer, and walks every member and
// blueprint they see (Grants, Census); and the access impact of going from one
// configuration to another (ComputeImpact).
//
// plan, apply, preview, the report and the access command all ask it; no other
// package evaluates rules. Everything here is pure: no I/O, and an answer costs what
// it returns, never members × blueprints × rules.
package access

import (
	"slices"
	"sort"
	"strings"

	"github.com/qovery/portalctl/portal"
)

// Via is one reason a member sees a blueprint.
type Via struct {
	Open  bool           // the blueprint has no rules
	Rule  portal.RuleKey // the matching rule, when not Open
	Group string         // the group an email rule came from, if any
}

// String renders the reason the way people read it.
func (v Via) String() string {
	switch {
	case v.Open:
		return "open access"
	case v.Group != "":
		return "group " + v.Group
	default:
		return v.Rule.String()
	}
}

// Viewer is a member who sees a blueprint and why.
type Viewer struct {
	Email string
	Via   []Via
	at    int // the member's position in the indexed config
}

// Seen is a blueprint a member sees and why.
type Seen struct {
	Blueprint string
	Via       []Via
}

// Index answers who sees which blueprint in one config. Members are indexed by email
// and by domain, blueprints by the domains and emails their rules name, so each
// answer costs what it returns, never members × blueprints × rules.
type Index struct {
	cfg             *portal.Config
	domainID        []int32 // of each member, by index: its domain's number
	domainIDs       map[string]int32
	memberByEmail   map[string]int
	membersByDomain map[string][]int
	bpByName        map[string]int
	bpByDomain      map[string][]int
	bpByEmail       map[string][]int
	open            []int
	sorted          bool // members are in email order (Config.Sort)
}

// NewIndex indexes cfg. cfg must not change while the index is in use.
func NewIndex(cfg *portal.Config) *Index {
	ix := &Index{
		cfg:             cfg,
		memberByEmail:   make(map[string]int, len(cfg.Members)),
		membersByDomain: map[string][]int{},
		bpByName:        make(map[string]int, len(cfg.Blueprints)),
		bpByDomain:      map[string][]int{},
		bpByEmail:       map[string][]int{},
	}
	ix.sorted = slices.IsSortedFunc(cfg.Members, func(a, b portal.Member) int { return strings.Compare(a.Email, b.Email) })
	ix.domainID = make([]int32, len(cfg.Members))
	ix.domainIDs = map[string]int32{}
	for i, m := range cfg.Members {
		ix.memberByEmail[m.Email] = i
		d := m.Domain()
		id, ok := ix.domainIDs[d]
		if !ok {
			id = int32(len(ix.domainIDs))
			ix.domainIDs[d] = id
		}
		ix.domainID[i] = id
		ix.membersByDomain[d] = append(ix.membersByDomain[d], i)
	}
	for i, b := range cfg.Blueprints {
		ix.bpByName[b.Name] = i
		if b.Open {
			ix.open = append(ix.open, i)
			continue
		}
		for _, r := range b.Rules {
			switch r.Kind {
			case portal.RuleDomain:
				ix.bpByDomain[r.Value] = appendOnce(ix.bpByDomain[r.Value], i)
			case portal.RuleEmail:
				ix.bpByEmail[r.Value] = appendOnce(ix.bpByEmail[r.Value], i)
			}
		}
	}
	return ix
}

func appendOnce(s []int, i int) []int {
	if n := len(s); n > 0 && s[n-1] == i {
		return s
	}
	return append(s, i)
}

// Config returns the indexed config.
func (ix *Index) Config() *portal.Config { return ix.cfg }

// Blueprint returns the indexed blueprint with that name.
func (ix *Index) Blueprint(name string) (*portal.Blueprint, bool) {
	i, ok := ix.bpByName[name]
	if !ok {
		return nil, false
	}
	return &ix.cfg.Blueprints[i], true
}

// Member returns the member of the indexed config with that email.
func (ix *Index) Member(email string) (portal.Member, bool) {
	i, ok := ix.memberByEmail[email]
	if !ok {
		return portal.Member{}, false
	}
	return ix.cfg.Members[i], true
}

// IsMember reports whether email is a member of the indexed config.
func (ix *Index) IsMember(email string) bool {
	_, ok := ix.memberByEmail[email]
	return ok
}

// Viewers returns the members of the indexed config who see b (which need not be one
// of its blueprints), sorted by email, each with every rule that grants it.
func (ix *Index) Viewers(b *portal.Blueprint) []Viewer {
	members := ix.cfg.Members
	var out []Viewer
	ix.viewers(b, func(n int) { out = make([]Viewer, n) }, func(i, mi int, via []Via) {
		out[i] = Viewer{Email: members[mi].Email, at: mi, Via: via}
	})
	if !ix.sorted {
		sortViewers(out)
	}
	return out
}

// ViewersAt is Viewers by position, in the order of the indexed config's
// members (email order when they are sorted): at[i] is the position of a
// member who sees b, via[i] every rule that grants it. It reads no member: a
// caller that keeps its own table of members, in the same order, reads them
// there.
func (ix *Index) ViewersAt(b *portal.Blueprint) (at []int, via [][]Via) {
	ix.viewers(b, func(n int) { at, via = make([]int, n), make([][]Via, n) }, func(i, mi int, v []Via) {
		at[i], via[i] = mi, v
	})
	return at, via
}

// viewers calls each for every member who sees b, in the order of the indexed
// config's members: the i-th of them, its position, and every rule that grants
// it; count is called first, with how many there are.
func (ix *Index) viewers(b *portal.Blueprint, count func(n int), each func(i, mi int, via []Via)) {
	if b.Open {
		n := len(ix.cfg.Members)
		count(n)
		open := []Via{{Open: true}}
		for i := range n {
			each(i, i, open)
		}
		return
	}
	idx := ix.viewerPositions(b)
	count(len(idx))
	// Each member's domain was numbered once, when indexed, and each rule is
	// matched once here: a domain rule grants the members of its domain's
	// number (what Rule.Grants says, without cutting every email at its "@"
	// for every rule), an email rule the one member it names. The reasons of
	// every viewer share one array, each viewer's capped to its own.
	type match struct{ domain, member int32 } // -1: none
	matches := make([]match, len(b.Rules))
	for ri := range b.Rules {
		r := &b.Rules[ri]
		matches[ri] = match{-1, -1}
		switch r.Kind {
		case portal.RuleDomain:
			if id, ok := ix.domainIDs[r.Value]; ok {
				matches[ri].domain = id
			}
		case portal.RuleEmail:
			if mi, ok := ix.memberByEmail[r.Value]; ok {
				matches[ri].member = int32(mi)
			}
		}
	}
	vias := make([]Via, 0, len(idx))
	for i, mi := range idx {
		start, dom := len(vias), ix.domainID[mi]
		for ri, mt := range matches {
			if mt.domain == dom || mt.member == int32(mi) {
				r := &b.Rules[ri]
				vias = append(vias, Via{Rule: r.Key(), Group: r.Group})
			}
		}
		each(i, mi, vias[start:len(vias):len(vias)])
	}
}

// viewerPositions returns the positions of the members who see b, a blueprint with
// rules, in the order of the indexed config: members are sorted by email, so
// sorting positions sorts by email, far cheaper than comparing strings.
func (ix *Index) viewerPositions(b *portal.Blueprint) []int {
	var idx []int
	for _, r := range b.Rules {
		switch r.Kind {
		case portal.RuleDomain:
			idx = append(idx, ix.membersByDomain[r.Value]...)
		case portal.RuleEmail:
			if mi, ok := ix.memberByEmail[r.Value]; ok {
				idx = append(idx, mi)
			}
		}
	}
	slices.Sort(idx)
	return slices.Compact(idx)
}

// Audiences returns, for each of bps (blueprints of cfg, or not), the
// positions in cfg.Members of the members who see it, ascending (email order
// when cfg's members are sorted), as ViewersAt of an Index of cfg answers, but
// without indexing the whole of cfg as NewIndex does: for a caller that asks of
// a few blueprints of a large config once. It indexes only the domains and
// emails bps' rules name.
func Audiences(cfg *portal.Config, bps []*portal.Blueprint) [][]int {
	ix := &Index{cfg: cfg, memberByEmail: map[string]int{}, membersByDomain: map[string][]int{}}
	emails := map[string]bool{}
	for _, b := range bps {
		if b.Open {
			continue
		}
		for _, r := range b.Rules {
			switch r.Kind {
			case portal.RuleDomain:
				ix.membersByDomain[r.Value] = nil
			case portal.RuleEmail:
				emails[r.Value] = true
			}
		}
	}
	for i, m := range cfg.Members {
		if len(emails) > 0 && emails[m.Email] {
			ix.memberByEmail[m.Email] = i
		}
		if len(ix.membersByDomain) == 0 {
			continue
		}
		d := m.Domain()
		if l, ok := ix.membersByDomain[d]; ok {
			ix.membersByDomain[d] = append(l, i)
		}
	}
	out := make([][]int, len(bps))
	for i, b := range bps {
		if b.Open {
			out[i] = make([]int, len(cfg.Members))
			for j := range out[i] {
				out[i][j] = j
			}
			continue
		}
		out[i] = ix.viewerPositions(b)
	}
	return out
}

// Why returns the reasons a member with that email sees b, as Viewers gives
// them: open access, or every rule of b that grants the email; nil when none
// does.
func Why(b *portal.Blueprint, email string) []Via {
	if b.Open {
		return []Via{{Open: true}}
	}
	var out []Via
	for _, r := range b.Rules {
		if r.Grants(email) {
			out = append(out, Via{Rule: r.Key(), Group: r.Group})
		}
	}
	return out
}

func sortViewers(v []Viewer) {
	slices.SortFunc(v, func(a, b Viewer) int { return strings.Compare(a.Email, b.Email) })
}

// Visible returns the blueprints of the indexed config that email sees (whether or
// not it is a member yet), sorted by name, each with every rule that grants it.
func (ix *Index) Visible(email string) []Seen {
	at := map[int]int{}
	var out []Seen
	grant := func(bi int, v Via) {
		if p, ok := at[bi]; ok {
			out[p].Via = append(out[p].Via, v)
			return
		}
		at[bi] = len(out)
		out = append(out, Seen{Blueprint: ix.cfg.Blueprints[bi].Name, Via: []Via{v}})
	}
	for _, bi := range ix.open {
		grant(bi, Via{Open: true})
	}
	for _, bi := range ix.bpByDomain[portal.DomainOf(email)] {
		grant(bi, Via{Rule: portal.RuleKey{Kind: portal.RuleDomain, Value: portal.DomainOf(email)}})
	}
	for _, bi := range ix.bpByEmail[email] {
		for _, r := range ix.cfg.Blueprints[bi].Rules {
			if r.Kind == portal.RuleEmail && r.Grants(email) {
				grant(bi, Via{Rule: r.Key(), Group: r.Group})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Blueprint < out[j].Blueprint })
	return out
}
