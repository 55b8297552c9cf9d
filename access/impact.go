package access

import (
	"sort"

	"github.com/qovery/portalctl/portal"
)

// Change is a member's change of visibility of one blueprint.
type Change struct {
	Email string
	Via   []Via // the rules that grant it after (for a gain) or granted it before (a loss)
	// Member says the change comes from the member joining (a gain) or leaving (a
	// loss) the portal rather than from the blueprint's rules.
	Member bool
	// At is the member's number in the config of its side: after for a gain,
	// before for a loss. It lets a caller count people without hashing emails, in
	// an impact that knows its members (Impact.Before and After are set).
	At int
}

// BlueprintImpact is how one blueprint's audience changes.
//
// Its gains and losses are walked with EachGain and EachLoss and counted with
// GainCount and LossCount. Those of a blueprint whose rules change are found from
// what changes and held as member numbers, four bytes each, the Change made as it
// is walked: a reorganisation of ten thousand blueprints moves millions of
// accesses. Gains and Losses hold the others (and any impact built by hand).
type BlueprintImpact struct {
	Name         string
	Gains        []Change
	Losses       []Change
	RulesAdded   []portal.Rule
	RulesRemoved []portal.Rule
	// Edits are the rule changes as the file writes them (domains, emails,
	// groups), the ones that cause losses first.
	Edits   []Edit
	WasOpen bool
	Open    bool
	// NewlyManaged is set when the blueprint is in the new file but not the old one
	// (preview only: what it holds in the portal is unknown offline).
	NewlyManaged bool
	// RulesChange is set when the blueprint's own rules change (or it is newly
	// managed), rather than only its audience through members joining or leaving.
	RulesChange bool
	// AudienceBefore and AudienceAfter count the members who see the blueprint before
	// and after, for a blueprint whose rules change; AudienceBefore is 0 for a newly
	// managed one. Both are 0 when RulesChange is false (never computed: that would
	// cost the whole audience of every blueprint a joining member sees).
	AudienceBefore, AudienceAfter int

	// walk holds the gains and losses of a blueprint whose rules change, by
	// member number, counted in gains and losses; nil: Gains and Losses hold
	// them.
	walk          *walk
	gains, losses int
}

// EachGain calls f with every gain, in email order.
func (b *BlueprintImpact) EachGain(f func(Change)) {
	if b.walk != nil {
		b.walk.gains(f)
		return
	}
	for _, c := range b.Gains {
		f(c)
	}
}

// EachLoss calls f with every loss, in email order.
func (b *BlueprintImpact) EachLoss(f func(Change)) {
	if b.walk != nil {
		b.walk.losses(f)
		return
	}
	for _, c := range b.Losses {
		f(c)
	}
}

// LossOf is the loss of the person of c (a loss walked from this impact, of this
// blueprint or another), if they lose this blueprint.
func (b *BlueprintImpact) LossOf(c Change) (Change, bool) {
	if b.walk != nil {
		return b.walk.lossOf(c.At)
	}
	for _, l := range b.Losses {
		if l.Email == c.Email {
			return l, true
		}
	}
	return Change{}, false
}

// GainCount is how many members gain the blueprint.
func (b *BlueprintImpact) GainCount() int {
	if b.walk != nil {
		return b.gains
	}
	return len(b.Gains)
}

// LossCount is how many members lose the blueprint.
func (b *BlueprintImpact) LossCount() int {
	if b.walk != nil {
		return b.losses
	}
	return len(b.Losses)
}

// BecomesOpen reports the change everyone must notice: a restricted blueprint that
// every member will see.
func (b BlueprintImpact) BecomesOpen() bool { return b.Open && !b.WasOpen }

// Impact is who gains and who loses visibility of what.
type Impact struct {
	Blueprints []BlueprintImpact // only blueprints whose audience or rules change, by name
	// Before and After count the members of the two configs, which number the
	// changes (Change.At); both 0 in an impact built by hand, whose changes are
	// then told apart by email.
	Before, After int
}

// Counts returns the number of distinct members who gain and who lose visibility of
// at least one blueprint, and the blueprints that become open.
func (im Impact) Counts() (gain, lose int, opened []string) {
	gp, lp := im.Gainers(), im.Losers()
	g, l := map[int]bool{}, map[int]bool{}
	for i := range im.Blueprints {
		b := &im.Blueprints[i]
		b.EachGain(func(a Change) { g[gp.Number(a)] = true })
		b.EachLoss(func(a Change) { l[lp.Number(a)] = true })
		if b.BecomesOpen() {
			opened = append(opened, b.Name)
		}
	}
	return len(g), len(l), opened
}

// People tells apart the members of one side of an impact, giving each a small
// number: the member's own (Change.At) when the impact knows its members, else one
// given by email. It lets a caller keep what it learns of each person in slices
// rather than in maps keyed by email, which a reorganisation would hash millions
// of times.
type People struct {
	n       int
	byEmail map[string]int
}

// Gainers numbers the people of the impact's gains; Losers, of its losses.
func (im Impact) Gainers() *People { return newPeople(im.After) }

// Losers numbers the people of the impact's losses.
func (im Impact) Losers() *People { return newPeople(im.Before) }

func newPeople(n int) *People {
	if n > 0 {
		return &People{n: n}
	}
	return &People{byEmail: map[string]int{}}
}

// Number is the number of the person a change is about.
func (p *People) Number(c Change) int {
	if p.byEmail == nil {
		return c.At
	}
	k, ok := p.byEmail[c.Email]
	if !ok {
		k = len(p.byEmail)
		p.byEmail[c.Email] = k
	}
	return k
}

// ComputeImpact compares who sees each blueprint before and after. It costs what
// changes: for a blueprint whose rules change, the members its added and removed
// rules name (see delta), and for every blueprint, the members who join or leave.
// Audiences are counted from the rules, never listed, except the whole audience of
// a blueprint newly managed, which is all gain.
func ComputeImpact(before, after *Index) Impact {
	bc, ac := before.Config(), after.Config()
	toBefore, toAfter := membership(before, after)
	joined, left := moving(toBefore), moving(toAfter)
	d := &delta{before: before, after: after, joined: joined, left: left, toBefore: toBefore, toAfter: toAfter,
		joiners: moversOf(after, joined), leavers: moversOf(before, left)}
	var out []BlueprintImpact
	changed := map[string]bool{}
	for i := range ac.Blueprints {
		nb := &ac.Blueprints[i]
		ob, existed := before.Blueprint(nb.Name)
		if existed && ob.SameAccess(nb) {
			continue
		}
		changed[nb.Name] = true
		bi := BlueprintImpact{Name: nb.Name, Open: nb.Open, NewlyManaged: !existed, RulesChange: true}
		if existed {
			bi.WasOpen = ob.Open
			bi.RulesAdded, bi.RulesRemoved = RuleDiff(ob.Rules, nb.Rules)
			// What changes, not the audiences, walked on demand: see delta.
			bi.walk = d.walker(ob, nb, before.bpByName[nb.Name], i, bi.RulesAdded, bi.RulesRemoved)
			bi.gains, bi.losses = len(bi.walk.gained), len(bi.walk.lost)
			bi.Edits = edits(ob, nb, before, after, bi.walk.through())
			bi.AudienceBefore = before.audience(ob)
		} else {
			// Newly managed: what it held is unknown, its whole audience gains.
			bi.RulesAdded = append([]portal.Rule(nil), nb.Rules...)
			bi.Gains, bi.Losses = diffViewers(nil, after.Viewers(nb), left, joined)
			bi.Edits = edits(nil, nb, before, after, nil)
		}
		bi.AudienceAfter = after.audience(nb)
		out = append(out, bi)
	}
	// Blueprints whose rules stay: only joining and leaving members change them.
	extra := map[string]*BlueprintImpact{}
	touch := func(name string) *BlueprintImpact {
		if b, ok := extra[name]; ok {
			return b
		}
		nb, _ := after.Blueprint(name)
		b := &BlueprintImpact{Name: name, Open: nb.Open, WasOpen: nb.Open}
		extra[name] = b
		return b
	}
	for i, m := range ac.Members {
		if !joined[i] {
			continue
		}
		for _, s := range after.Visible(m.Email) {
			if changed[s.Blueprint] {
				continue
			}
			if _, ok := before.Blueprint(s.Blueprint); !ok {
				continue
			}
			b := touch(s.Blueprint)
			b.Gains = append(b.Gains, Change{Email: m.Email, Via: s.Via, Member: true, At: i})
		}
	}
	for i, m := range bc.Members {
		if !left[i] {
			continue
		}
		for _, s := range before.Visible(m.Email) {
			if changed[s.Blueprint] {
				continue
			}
			if _, ok := after.Blueprint(s.Blueprint); !ok {
				continue
			}
			b := touch(s.Blueprint)
			b.Losses = append(b.Losses, Change{Email: m.Email, Via: s.Via, Member: true, At: i})
		}
	}
	for _, b := range extra {
		sortChanges(b.Gains)
		sortChanges(b.Losses)
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return Impact{Blueprints: out, Before: len(bc.Members), After: len(ac.Members)}
}

// RuleDiff returns the rules of b not in a, and of a not in b. Both must be sorted.
func RuleDiff(a, b []portal.Rule) (added, removed []portal.Rule) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && portal.LessKey(a[i].Key(), b[j].Key()):
			removed = append(removed, a[i])
			i++
		case i == len(a) || portal.LessKey(b[j].Key(), a[i].Key()):
			added = append(added, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return added, removed
}

// membership says, for each member after, where they are before (-1: they join),
// and for each member before, where they are after (-1: they leave). Two configs
// sorted by email are merged in one walk; a lookup per member would cost a hash of
// every email of the portal, twice.
func membership(before, after *Index) (toBefore, toAfter []int32) {
	bm, am := before.cfg.Members, after.cfg.Members
	toBefore, toAfter = make([]int32, len(am)), make([]int32, len(bm))
	if !before.sorted || !after.sorted {
		for i, m := range am {
			toBefore[i] = -1
			if j, ok := before.memberByEmail[m.Email]; ok {
				toBefore[i] = int32(j)
			}
		}
		for i, m := range bm {
			toAfter[i] = -1
			if j, ok := after.memberByEmail[m.Email]; ok {
				toAfter[i] = int32(j)
			}
		}
		return toBefore, toAfter
	}
	i, j := 0, 0
	for i < len(bm) || j < len(am) {
		switch {
		case j == len(am) || i < len(bm) && bm[i].Email < am[j].Email:
			toAfter[i] = -1
			i++
		case i == len(bm) || am[j].Email < bm[i].Email:
			toBefore[j] = -1
			j++
		default:
			// The same email on both sides (live members that normalise alike are
			// listed side by side): none of them joins or leaves.
			e := bm[i].Email
			first := j
			for i < len(bm) && bm[i].Email == e {
				toAfter[i] = int32(first)
				i++
			}
			for j < len(am) && am[j].Email == e {
				toBefore[j] = int32(i - 1)
				j++
			}
		}
	}
	return toBefore, toAfter
}

// moving is, of a correspondence from membership, who has no counterpart: who
// joins or leaves.
func moving(to []int32) []bool {
	out := make([]bool, len(to))
	for i, j := range to {
		out[i] = j < 0
	}
	return out
}

// diffViewers merges two sorted audiences into gains and losses. left and joined
// say which members of the configs behind old and new leave or join.
func diffViewers(old, new []Viewer, left, joined []bool) (gains, losses []Change) {
	// Count first: a blueprint opened to 100,000 members has as many gains, and
	// growing the list by appending would copy it again and again.
	nGains, nLosses := 0, 0
	mergeViewers(old, new, func(int) { nLosses++ }, func(int) { nGains++ })
	if nGains > 0 {
		gains = make([]Change, 0, nGains)
	}
	if nLosses > 0 {
		losses = make([]Change, 0, nLosses)
	}
	mergeViewers(old, new,
		func(i int) {
			losses = append(losses, Change{Email: old[i].Email, Via: old[i].Via, Member: left[old[i].at], At: old[i].at})
		},
		func(j int) {
			gains = append(gains, Change{Email: new[j].Email, Via: new[j].Via, Member: joined[new[j].at], At: new[j].at})
		})
	return gains, losses
}

// mergeViewers walks two audiences sorted by email and calls lost(i) for each
// old[i] not in new, gained(j) for each new[j] not in old.
func mergeViewers(old, new []Viewer, lost, gained func(int)) {
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		switch {
		case j == len(new) || i < len(old) && old[i].Email < new[j].Email:
			lost(i)
			i++
		case i == len(old) || new[j].Email < old[i].Email:
			gained(j)
			j++
		default:
			i++
			j++
		}
	}
}

func sortChanges(a []Change) {
	sort.Slice(a, func(i, j int) bool { return a[i].Email < a[j].Email })
}
