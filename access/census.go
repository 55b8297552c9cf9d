package access

import (
	"cmp"
	"slices"

	"github.com/qovery/portalctl/portal"
)

// UsualPercent defines the domains most of the organization uses: taking domains
// from the one with the most members down, those it takes to hold at least this
// share of all members. Domains of equal size are taken together, so that the
// answer does not hang on how their names sort; a domain of a single member is
// never taken, since one person's address is not a domain the organization uses.
// Put another way, a domain is usual when it has more than one member and the
// domains with more members than it hold less than UsualPercent of them. Every
// member of another domain is outside the usual domains.
const UsualPercent = 90

// TopN is how many of the largest counts a Distribution lists.
const TopN = 5

// Summary describes the whole access of a portal, as walked by Census.
type Summary struct {
	Members    int
	Blueprints int
	Grants     int // member-blueprint pairs
	// PerBlueprint is how many members see each blueprint; its Top names
	// blueprints.
	PerBlueprint Distribution
	// PerMember is how many blueprints each member sees; its Top names members.
	PerMember Distribution
	// Usual are the domains most members use (see UsualPercent), with their member
	// counts, largest first.
	Usual []Count
	// Outside are the other domains with their member counts, largest first, and
	// OutsideMembers the members in them, by email.
	Outside        []Count
	OutsideMembers []string
}

// Distribution summarises a count taken over every member or every blueprint.
type Distribution struct {
	Min, Max int
	// Median is the middle count, or the mean of the two middle ones.
	Median float64
	// Top are the largest counts, up to TopN, largest first then by name.
	Top []Count
}

// Count is a number of members or blueprints for one name.
type Count struct {
	Name string
	N    int
}

// Census walks every grant of the indexed config, as Grants does, passing each to
// yield, and summarises what it walked in the same pass. Besides the grant being
// yielded it holds a count per member and per blueprint, never the grants: memory
// grows with members + blueprints, not with the grants. It stops at the first
// error yield returns and returns that error.
func (ix *Index) Census(yield func(Grant) error) (Summary, error) {
	o := ix.ordered()
	cfg := o.cfg
	perMember := make([]int, len(cfg.Members))
	perBlueprint := make([]int, len(cfg.Blueprints))
	grants := 0
	var err error
	o.walk(func(mi, bi int, g Grant) bool {
		if err = yield(g); err != nil {
			return false
		}
		perMember[mi]++
		perBlueprint[bi]++
		grants++
		return true
	})
	if err != nil {
		return Summary{}, err
	}
	s := Summary{
		Members:      len(cfg.Members),
		Blueprints:   len(cfg.Blueprints),
		Grants:       grants,
		PerMember:    distribution(perMember, func(i int) string { return cfg.Members[i].Email }),
		PerBlueprint: distribution(perBlueprint, func(i int) string { return cfg.Blueprints[i].Name }),
	}
	s.Usual, s.Outside, s.OutsideMembers = domainSplit(cfg.Members)
	return s, nil
}

// distribution summarises counts, where name(i) names counts[i]. It sorts counts.
func distribution(counts []int, name func(int) string) Distribution {
	if len(counts) == 0 {
		return Distribution{Top: []Count{}}
	}
	// The largest few, in one pass: counts[i] enters the list when it beats the
	// smallest kept, names breaking ties (positions are in name order).
	top := make([]Count, 0, TopN+1)
	for i, n := range counts {
		if len(top) == TopN && n <= top[TopN-1].N {
			continue
		}
		at := len(top)
		for at > 0 && top[at-1].N < n {
			at--
		}
		top = slices.Insert(top, at, Count{Name: name(i), N: n})
		if len(top) > TopN {
			top = top[:TopN]
		}
	}
	slices.Sort(counts)
	n := len(counts)
	median := float64(counts[n/2])
	if n%2 == 0 {
		median = float64(counts[n/2-1]+counts[n/2]) / 2
	}
	return Distribution{Min: counts[0], Max: counts[n-1], Median: median, Top: top}
}

// domainSplit counts the members of each domain and splits the domains into the
// usual ones (UsualPercent) and the others, with the members of the others.
func domainSplit(members []portal.Member) (usual, outside []Count, outsideMembers []string) {
	byDomain := map[string]int{}
	for _, m := range members {
		byDomain[m.Domain()]++
	}
	domains := make([]Count, 0, len(byDomain))
	for d, n := range byDomain {
		domains = append(domains, Count{Name: d, N: n})
	}
	slices.SortFunc(domains, func(a, b Count) int {
		if c := cmp.Compare(b.N, a.N); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	covered, cut := 0, 0
	for cut < len(domains) && domains[cut].N > 1 && covered*100 < UsualPercent*len(members) {
		covered += domains[cut].N
		cut++
	}
	for cut > 0 && cut < len(domains) && domains[cut].N == domains[cut-1].N {
		cut++
	}
	usual, outside = domains[:cut], domains[cut:]
	out := make(map[string]bool, len(outside))
	for _, d := range outside {
		out[d.Name] = true
	}
	outsideMembers = []string{}
	for _, m := range members {
		if out[m.Domain()] {
			outsideMembers = append(outsideMembers, m.Email)
		}
	}
	return slices.Clip(usual), outside, outsideMembers
}
