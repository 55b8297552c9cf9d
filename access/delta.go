package access

import (
	"github.com/qovery/portalctl/portal"
	"slices"
)

// The impact of a blueprint whose rules change, computed from what changes: the
// members the added and removed rules name, and those who join or leave, never
// the whole audience. A reorganisation of ten thousand blueprints costs the people
// whose access moves, not ten thousand audiences.

// matcher answers, for one blueprint, which of its rules grant a member of the
// config it was made for, by the member's number: no email is hashed.
type matcher struct {
	ix   *Index
	open bool
	// doms are the numbers of its domain rules' domains, with the reason each
	// gives: one slice shared by every member it grants alone, as most are.
	doms   []int32
	domVia [][]Via
	// emails are the members its email rules name (by number), with the reason
	// each gives; byMember finds them when there are many.
	emails   []int32
	emailVia [][]Via
	byMember map[int32]int
}

func newMatcher(ix *Index, b *portal.Blueprint) *matcher {
	m := &matcher{ix: ix, open: b.Open}
	for _, r := range b.Rules {
		switch r.Kind {
		case portal.RuleDomain:
			if id, ok := ix.domainIDs[r.Value]; ok {
				m.doms = append(m.doms, id)
				m.domVia = append(m.domVia, []Via{{Rule: r.Key()}})
			}
		case portal.RuleEmail:
			if mi, ok := ix.memberByEmail[r.Value]; ok {
				m.emails = append(m.emails, int32(mi))
				m.emailVia = append(m.emailVia, []Via{{Rule: r.Key(), Group: r.Group}})
			}
		}
	}
	if len(m.emails) > 16 {
		m.byMember = make(map[int32]int, len(m.emails))
		for k, mi := range m.emails {
			m.byMember[mi] = k
		}
	}
	return m
}

// openVia is the reason of everyone's access to an open blueprint.
var openVia = []Via{{Open: true}}

// rules finds the domain rule and the email rule that grant member mi (-1: none).
func (m *matcher) rules(mi int32) (dom, email int) {
	dom, email = -1, -1
	id := m.ix.domainID[mi]
	for k, d := range m.doms {
		if d == id {
			dom = k
			break
		}
	}
	if m.byMember != nil {
		if k, ok := m.byMember[mi]; ok {
			email = k
		}
		return dom, email
	}
	for k, e := range m.emails {
		if e == mi {
			email = k
			break
		}
	}
	return dom, email
}

// via is every rule that grants member mi, in the order of the blueprint's
// sorted rules (the domain, then the email), or nil. The slice may be shared:
// callers do not change it.
func (m *matcher) via(mi int32) []Via {
	if m.open {
		return openVia
	}
	dom, email := m.rules(mi)
	switch {
	case email < 0 && dom < 0:
		return nil
	case email < 0:
		return m.domVia[dom]
	case dom < 0:
		return m.emailVia[email]
	}
	return []Via{m.domVia[dom][0], m.emailVia[email][0]}
}

// grants reports whether a rule grants member mi (-1: nobody).
func (m *matcher) grants(mi int32) bool {
	if mi < 0 {
		return false
	}
	if m.open {
		return true
	}
	dom, email := m.rules(mi)
	return dom >= 0 || email >= 0
}

// audience counts the members of ix who see b, from the rules alone: a member has
// one domain, so the domains' members add up, and an email rule adds its member
// unless a domain rule counts them already.
func (ix *Index) audience(b *portal.Blueprint) int {
	if b.Open {
		return len(ix.cfg.Members)
	}
	m := newMatcher(ix, b)
	n := 0
	for _, r := range b.Rules {
		if r.Kind == portal.RuleDomain {
			n += len(ix.membersByDomain[r.Value])
		}
	}
	for _, mi := range m.emails {
		if dom, _ := m.rules(mi); dom < 0 {
			n++
		}
	}
	return n
}

// movers are, for each blueprint (by its index in a config), the members (by their
// index) who join or leave and see it: what the rules of a blueprint do not say.
type movers map[int][]int

// moversOf indexes, for the members of ix that move, the blueprints of ix they see.
func moversOf(ix *Index, moving []bool) movers {
	out := movers{}
	for mi, m := range ix.cfg.Members {
		if !moving[mi] {
			continue
		}
		ix.eachVisible(m.Email, func(bi int) { out[bi] = append(out[bi], mi) })
	}
	return out
}

// eachVisible calls f with the index of every blueprint email sees, perhaps more
// than once.
func (ix *Index) eachVisible(email string, f func(bi int)) {
	for _, bi := range ix.open {
		f(bi)
	}
	for _, bi := range ix.bpByDomain[portal.DomainOf(email)] {
		f(bi)
	}
	for _, bi := range ix.bpByEmail[email] {
		f(bi)
	}
}

// ruleMembers is the members (by number, sorted) a rule names in ix.
func (ix *Index) ruleMembers(r portal.Rule) []int {
	switch r.Kind {
	case portal.RuleDomain:
		return ix.membersByDomain[r.Value]
	case portal.RuleEmail:
		if mi, ok := ix.memberByEmail[r.Value]; ok {
			return []int{mi}
		}
	}
	return nil
}

// delta is what goes into the impact of one blueprint whose rules change.
type delta struct {
	before, after *Index
	joined, left  []bool
	// toBefore and toAfter say where each member is on the other side (-1:
	// nowhere).
	toBefore, toAfter []int32
	// joiners and leavers are the members who join (in after) or leave (in
	// before) that see each blueprint.
	joiners, leavers movers
}

// walk holds the gains and losses of a blueprint that exists on both sides with
// other rules (ob at obi in before, nb at nbi in after) as the numbers of the
// members who gain and lose it, four bytes each: a Change is made when it is
// walked, its reason found again by the matcher.
type walk struct {
	d      *delta
	om, nm *matcher // of ob in before, of nb in after
	// gained and lost are the members who gain it (numbers in after) and who
	// lose it (in before), in number order.
	gained, lost []int32
}

func (d *delta) walker(ob, nb *portal.Blueprint, obi, nbi int, added, removed []portal.Rule) *walk {
	w := &walk{d: d, om: newMatcher(d.before, ob), nm: newMatcher(d.after, nb)}
	// Who may gain: those the added rules name, or everyone if it opens, and those
	// who join and see it; less whoever had it.
	cand := candidates(nb.Open, len(d.after.cfg.Members), d.joiners[nbi], d.after, added)
	w.gained = make([]int32, 0, len(cand))
	for _, mi := range cand {
		if w.nm.grants(int32(mi)) && (d.joined[mi] || !w.om.grants(d.toBefore[mi])) {
			w.gained = append(w.gained, int32(mi))
		}
	}
	// Who may lose: those the removed rules named, or everyone if it was open,
	// and those who leave and saw it; less whoever keeps it.
	cand = candidates(ob.Open, len(d.before.cfg.Members), d.leavers[obi], d.before, removed)
	w.lost = make([]int32, 0, len(cand))
	for _, mi := range cand {
		if w.om.grants(int32(mi)) && (d.left[mi] || !w.nm.grants(d.toAfter[mi])) {
			w.lost = append(w.lost, int32(mi))
		}
	}
	return w
}

// candidates are, by number in ix, every member when open, else the movers and
// the members the rules name.
func candidates(open bool, n int, movers []int, ix *Index, rules []portal.Rule) []int {
	if open {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	lists := [][]int{movers}
	for _, r := range rules {
		lists = append(lists, ix.ruleMembers(r))
	}
	return union(lists)
}

// gains calls f with every member who gains the blueprint, in email order.
func (w *walk) gains(f func(Change)) {
	d, am := w.d, w.d.after.cfg.Members
	e := d.emitter(f, d.after.sorted)
	for _, mi := range w.gained {
		e.emit(Change{Email: am[mi].Email, Via: w.nm.via(mi), Member: d.joined[mi], At: int(mi)})
	}
	e.flush()
}

// losses calls f with every member who loses the blueprint, in email order.
func (w *walk) losses(f func(Change)) {
	d, bm := w.d, w.d.before.cfg.Members
	e := d.emitter(f, d.before.sorted)
	for _, mi := range w.lost {
		e.emit(Change{Email: bm[mi].Email, Via: w.om.via(mi), Member: d.left[mi], At: int(mi)})
	}
	e.flush()
}

// lossOf is the loss of member at (a number in before), if they lose the
// blueprint.
func (w *walk) lossOf(at int) (Change, bool) {
	i, ok := slices.BinarySearch(w.lost, int32(at))
	if !ok {
		return Change{}, false
	}
	mi := w.lost[i]
	return Change{Email: w.d.before.cfg.Members[mi].Email, Via: w.om.via(mi), Member: w.d.left[mi], At: int(mi)}, true
}

// through counts, for each rule of the old blueprint, the losses it granted
// (domain:D, email:E, group:G), without hashing a string a loss.
func (w *walk) through() map[string]int {
	doms, emails := make([]int, len(w.om.doms)), make([]int, len(w.om.emails))
	if !w.om.open {
		for _, mi := range w.lost {
			dom, email := w.om.rules(mi)
			if dom >= 0 {
				doms[dom]++
			}
			if email >= 0 {
				emails[email]++
			}
		}
	}
	out := map[string]int{}
	for k, c := range doms {
		if c > 0 {
			out["domain:"+w.om.domVia[k][0].Rule.Value] += c
		}
	}
	for k, c := range emails {
		if c == 0 {
			continue
		}
		if v := w.om.emailVia[k][0]; v.Group != "" {
			out["group:"+v.Group] += c
		} else {
			out["email:"+v.Rule.Value] += c
		}
	}
	return out
}

// emitter passes changes on to f in email order: as they come when the members
// are sorted (member order is email order), else gathered and sorted first.
type emitter struct {
	f      func(Change)
	sorted bool
	held   []Change
}

func (d *delta) emitter(f func(Change), sorted bool) *emitter { return &emitter{f: f, sorted: sorted} }

func (e *emitter) emit(c Change) {
	if e.sorted {
		e.f(c)
		return
	}
	e.held = append(e.held, c)
}

func (e *emitter) flush() {
	sortChanges(e.held)
	for _, c := range e.held {
		e.f(c)
	}
}

// union merges sorted lists of member numbers into one, sorted and without
// repeats: the members of a domain are sorted already (as the config's are), and
// merging them costs what they hold, where sorting them again would cost more.
func union(lists [][]int) []int {
	var out, next []int
	for _, l := range lists {
		if len(l) == 0 {
			continue
		}
		next = next[:0]
		push := func(x int) {
			if n := len(next); n == 0 || next[n-1] != x {
				next = append(next, x)
			}
		}
		i, j := 0, 0
		for i < len(out) || j < len(l) {
			switch {
			case j == len(l) || i < len(out) && out[i] < l[j]:
				push(out[i])
				i++
			default:
				push(l[j])
				j++
			}
		}
		out, next = next, out
	}
	return out
}
