// Package synth generates large, realistic portal configurations for benchmarks and
// scale tests: many companies' domains of very different sizes, admins, groups, and
// blueprints with a mix of domain, email and group rules.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Spec sizes a generated portal.
type Spec struct {
	Members    int
	Blueprints int
	Rules      int // rules per blueprint
	Seed       uint64
}

// Generator produces portal.yaml files from a Spec. The same Spec always gives the
// same file.
type Generator struct {
	spec    Spec
	domains []string
	emails  []string
	admins  map[int]bool
}

// New prepares the members and domains of spec.
func New(spec Spec) *Generator {
	r := rand.New(rand.NewPCG(spec.Seed, 0x5eed))
	g := &Generator{spec: spec, admins: map[int]bool{}}
	// A few large companies and a long tail of small ones, as in a real portal.
	nDomains := max(4, spec.Members/200)
	for i := 0; i < nDomains; i++ {
		g.domains = append(g.domains, fmt.Sprintf("%s%d.%s", word(r), i, []string{"com", "io", "org", "dev", "co"}[i%5]))
	}
	zipf := rand.NewZipf(r, 1.3, 1, uint64(nDomains-1))
	for i := 0; i < spec.Members; i++ {
		d := g.domains[zipf.Uint64()]
		g.emails = append(g.emails, fmt.Sprintf("%s.%s%d@%s", word(r), word(r), i, d))
		if i%97 == 0 {
			g.admins[i] = true
		}
	}
	return g
}

var syllables = []string{"ka", "lo", "mi", "ra", "to", "ne", "su", "vi", "da", "pe", "jo", "ri"}

func word(r *rand.Rand) string {
	var b strings.Builder
	for i := 0; i < 2+r.IntN(2); i++ {
		b.WriteString(syllables[r.IntN(len(syllables))])
	}
	return b.String()
}

// Change tweaks the generated portal the way a pull request would.
type Change struct {
	// ChangedBlueprints get one rule replaced.
	ChangedBlueprints int
	// NewMembers are invited; RemovedMembers leave.
	NewMembers, RemovedMembers int
	// OpenBlueprints become open to everyone.
	OpenBlueprints int
	// DomainAdded blueprints, after the changed ones, get one more domain rule.
	DomainAdded int
}

// YAML writes the portal as portal.yaml, with change applied.
func (g *Generator) YAML(change Change) []byte {
	r := rand.New(rand.NewPCG(g.spec.Seed, 0xb10e))
	var b strings.Builder
	b.Grow(g.spec.Members*48 + g.spec.Blueprints*g.spec.Rules*32)
	b.WriteString("version: 1\norganization: 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10\nmembers:\n")
	for i := change.RemovedMembers; i < len(g.emails); i++ {
		fmt.Fprintf(&b, "  - email: %s\n", g.emails[i])
		if g.admins[i] {
			b.WriteString("    role: admin\n")
		}
	}
	for i := 0; i < change.NewMembers; i++ {
		fmt.Fprintf(&b, "  - email: new%d@%s\n", i, g.domains[i%len(g.domains)])
	}
	// Groups: small teams drawn from the members.
	nGroups := max(1, g.spec.Blueprints/20)
	b.WriteString("groups:\n")
	for i := 0; i < nGroups; i++ {
		fmt.Fprintf(&b, "  team-%d: [", i)
		for j := 0; j < 5; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(g.emails[r.IntN(len(g.emails))])
		}
		b.WriteString("]\n")
	}
	b.WriteString("blueprints:\n")
	for i := 0; i < g.spec.Blueprints; i++ {
		fmt.Fprintf(&b, "  blueprint-%04d:\n", i)
		var domains, emails, groups []string
		seen := map[string]bool{}
		add := func(list *[]string, v string) {
			if !seen[v] {
				seen[v] = true
				*list = append(*list, v)
			}
		}
		for j := 0; j < g.spec.Rules; j++ {
			switch k := r.IntN(10); {
			case k < 3:
				add(&domains, g.domains[r.IntN(len(g.domains))])
			case k < 9:
				add(&emails, g.emails[r.IntN(len(g.emails))])
			default:
				add(&groups, fmt.Sprintf("team-%d", r.IntN(nGroups)))
			}
		}
		// Every blueprint draws its rules, so a change to one leaves the others as
		// they are.
		if i < change.OpenBlueprints {
			b.WriteString("    access: open\n")
			continue
		}
		if i < change.OpenBlueprints+change.ChangedBlueprints {
			domains = append(domains[:0:0], g.domains[(i+1)%len(g.domains)])
		} else if i < change.OpenBlueprints+change.ChangedBlueprints+change.DomainAdded {
			add(&domains, g.domains[(i+7)%len(g.domains)])
		}
		if len(domains)+len(emails)+len(groups) == 0 {
			domains = append(domains, g.domains[0])
		}
		list(&b, "domains", domains)
		list(&b, "emails", emails)
		list(&b, "groups", groups)
	}
	return []byte(b.String())
}

func list(b *strings.Builder, key string, values []string) {
	if len(values) == 0 {
		return
	}
	fmt.Fprintf(b, "    %s: [%s]\n", key, strings.Join(values, ", "))
}
