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
}

// BlueprintImpact is how one blueprint's audience changes.
type BlueprintImpact struct {
	Name         string
	Gains        []Change
	Losses       []Change
	RulesAdded   []portal.Rule
	RulesRemoved []portal.Rule
	WasOpen      bool
	Open         bool
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
}

// BecomesOpen reports the change everyone must notice: a restricted blueprint that
// every member will see.
func (b BlueprintImpact) BecomesOpen() bool { return b.Open && !b.WasOpen }

// Impact is who gains and who loses visibility of what.
type Impact struct {
	Blueprints []BlueprintImpact // only blueprints whose audience or rules change, by name
}

// Counts returns the number of distinct members who gain and who lose visibility of
// at least one blueprint, and the blueprints that become open.
func (im Impact) Counts() (gain, lose int, opened []string) {
	g, l := map[string]bool{}, map[string]bool{}
	for _, b := range im.Blueprints {
		for _, a := range b.Gains {
			g[a.Email] = true
		}
		for _, a := range b.Losses {
			l[a.Email] = true
		}
		if b.BecomesOpen() {
			opened = append(opened, b.Name)
		}
	}
	return len(g), len(l), opened
}

// ComputeImpact compares who sees each blueprint before and after. It costs what
// changes: full audiences are computed only for blueprints whose rules change, and
// for the others only the members who join or leave are looked at.
func ComputeImpact(before, after *Index) Impact {
	bc, ac := before.Config(), after.Config()
	var out []BlueprintImpact
	changed := map[string]bool{}
	for i := range ac.Blueprints {
		nb := &ac.Blueprints[i]
		ob, existed := before.Blueprint(nb.Name)
		if existed && SameAccess(ob, nb) {
			continue
		}
		changed[nb.Name] = true
		bi := BlueprintImpact{Name: nb.Name, Open: nb.Open, NewlyManaged: !existed, RulesChange: true}
		newV := after.Viewers(nb)
		var oldV []Viewer
		if existed {
			bi.WasOpen = ob.Open
			bi.RulesAdded, bi.RulesRemoved = RuleDiff(ob.Rules, nb.Rules)
			oldV = before.Viewers(ob)
		} else {
			bi.RulesAdded = append([]portal.Rule(nil), nb.Rules...)
		}
		bi.Gains, bi.Losses = diffViewers(oldV, newV, before, after)
		bi.AudienceBefore, bi.AudienceAfter = len(oldV), len(newV)
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
	for _, m := range ac.Members {
		if before.IsMember(m.Email) {
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
			b.Gains = append(b.Gains, Change{Email: m.Email, Via: s.Via, Member: true})
		}
	}
	for _, m := range bc.Members {
		if after.IsMember(m.Email) {
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
			b.Losses = append(b.Losses, Change{Email: m.Email, Via: s.Via, Member: true})
		}
	}
	for _, b := range extra {
		sortChanges(b.Gains)
		sortChanges(b.Losses)
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return Impact{Blueprints: out}
}

// SameAccess reports whether two versions of a blueprint grant the same access: both
// open, or the same rules (rules are kept sorted, see portal.SortRules).
func SameAccess(a, b *portal.Blueprint) bool {
	if a.Open != b.Open || len(a.Rules) != len(b.Rules) {
		return false
	}
	for i := range a.Rules {
		if a.Rules[i].Key() != b.Rules[i].Key() {
			return false
		}
	}
	return true
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

// diffViewers merges two sorted audiences into gains and losses.
func diffViewers(old, new []Viewer, before, after *Index) (gains, losses []Change) {
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		switch {
		case j == len(new) || i < len(old) && old[i].Email < new[j].Email:
			e := old[i].Email
			losses = append(losses, Change{Email: e, Via: old[i].Via, Member: !after.IsMember(e)})
			i++
		case i == len(old) || new[j].Email < old[i].Email:
			e := new[j].Email
			gains = append(gains, Change{Email: e, Via: new[j].Via, Member: !before.IsMember(e)})
			j++
		default:
			i++
			j++
		}
	}
	return gains, losses
}

func sortChanges(a []Change) {
	sort.Slice(a, func(i, j int) bool { return a[i].Email < a[j].Email })
}
