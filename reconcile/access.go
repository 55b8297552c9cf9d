// Package reconcile turns two models of a portal — what portal.yaml wants and what
// the portal holds — into an ordered plan and its access impact, and executes plans.
//
// Everything that decides who sees what lives here, in one engine (Index) that plan,
// apply, preview and access all use. The diff and the impact are pure functions; the
// only I/O is in ReadLive and Apply, through small interfaces the caller satisfies.
package reconcile

import (
	"sort"

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
	memberByEmail   map[string]int
	membersByDomain map[string][]int
	bpByName        map[string]int
	bpByDomain      map[string][]int
	bpByEmail       map[string][]int
	open            []int
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
	for i, m := range cfg.Members {
		ix.memberByEmail[m.Email] = i
		d := m.Domain()
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

// IsMember reports whether email is a member of the indexed config.
func (ix *Index) IsMember(email string) bool {
	_, ok := ix.memberByEmail[email]
	return ok
}

// Viewers returns the members of the indexed config who see b (which need not be one
// of its blueprints), sorted by email, each with every rule that grants it.
func (ix *Index) Viewers(b *portal.Blueprint) []Viewer {
	if b.Open {
		out := make([]Viewer, len(ix.cfg.Members))
		for i, m := range ix.cfg.Members {
			out[i] = Viewer{Email: m.Email, Via: []Via{{Open: true}}}
		}
		sortViewers(out)
		return out
	}
	at := map[int]int{} // member index → position in out
	var out []Viewer
	grant := func(mi int, v Via) {
		if p, ok := at[mi]; ok {
			out[p].Via = append(out[p].Via, v)
			return
		}
		at[mi] = len(out)
		out = append(out, Viewer{Email: ix.cfg.Members[mi].Email, Via: []Via{v}})
	}
	for _, r := range b.Rules {
		v := Via{Rule: r.Key(), Group: r.Group}
		switch r.Kind {
		case portal.RuleDomain:
			for _, mi := range ix.membersByDomain[r.Value] {
				grant(mi, v)
			}
		case portal.RuleEmail:
			if mi, ok := ix.memberByEmail[r.Value]; ok {
				grant(mi, v)
			}
		}
	}
	sortViewers(out)
	return out
}

func sortViewers(v []Viewer) {
	sort.Slice(v, func(i, j int) bool { return v[i].Email < v[j].Email })
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
			if r.Kind == portal.RuleEmail && r.Value == email {
				grant(bi, Via{Rule: r.Key(), Group: r.Group})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Blueprint < out[j].Blueprint })
	return out
}
