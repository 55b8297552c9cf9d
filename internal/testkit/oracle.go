package testkit

import (
	"slices"
	"strings"

	"github.com/qovery/portalctl/portal"
)

// Via is why an email sees a blueprint, found the obvious way: the blueprint is
// open, or these of its rules grant the email (portal.Rule.Grants, the one
// definition of what a rule reaches), in the blueprint's order.
type Via struct {
	Open  bool
	Rules []portal.Rule
}

// Sees reports whether v lets the email see the blueprint.
func (v Via) Sees() bool { return v.Open || len(v.Rules) > 0 }

// ViaOf asks every rule of b whether it grants email.
func ViaOf(b *portal.Blueprint, email string) Via {
	v := Via{Open: b.Open}
	for _, r := range b.Rules {
		if r.Grants(email) {
			v.Rules = append(v.Rules, r)
		}
	}
	return v
}

// Grant is one member who sees one blueprint, and why.
type Grant struct {
	Member    portal.Member
	Blueprint *portal.Blueprint // in the config given to Grants
	Via
}

// Grants is the obvious loop: every member of cfg against every blueprint
// against every rule. The grants come sorted by email, then blueprint name.
func Grants(cfg *portal.Config) []Grant {
	var out []Grant
	for _, m := range cfg.Members {
		for i := range cfg.Blueprints {
			if v := ViaOf(&cfg.Blueprints[i], m.Email); v.Sees() {
				out = append(out, Grant{Member: m, Blueprint: &cfg.Blueprints[i], Via: v})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Grant) int {
		if c := strings.Compare(a.Member.Email, b.Member.Email); c != 0 {
			return c
		}
		return strings.Compare(a.Blueprint.Name, b.Blueprint.Name)
	})
	return out
}

// Audience maps each member of cfg who sees b to why.
func Audience(cfg *portal.Config, b *portal.Blueprint) map[string]Via {
	out := map[string]Via{}
	for _, m := range cfg.Members {
		if v := ViaOf(b, m.Email); v.Sees() {
			out[m.Email] = v
		}
	}
	return out
}
