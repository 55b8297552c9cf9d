package reconcile

import (
	"errors"
	"fmt"

	"github.com/qovery/portalctl/portal"
)

// Rails are the limits apply refuses to cross without being told to.
type Rails struct {
	MaxRemovals       int // members removed in one run (default 5)
	MaxRemovalPercent int // of the portal's members (default 25)
}

// The default limits.
const (
	DefaultMaxRemovals       = 5
	DefaultMaxRemovalPercent = 25
)

// ErrRefused marks a plan a safety rail stopped.
var ErrRefused = errors.New("refused")

// Check refuses a plan that would leave the live portal without an admin, or remove
// more of its members than the rails allow. Each refusal names the flag that
// overrides it; none overrides the last admin.
func (r Rails) Check(p *Plan, live *portal.Config) error {
	if AdminsAfter(live, p.Ops) == 0 {
		return fmt.Errorf("%w: the plan would leave the portal with no admin; give at least one member `role: admin` in the file", ErrRefused)
	}
	removals := p.Count(Remove)
	if removals == 0 {
		return nil
	}
	if removals > r.MaxRemovals {
		return fmt.Errorf("%w: the plan removes %d members, more than --max-removals=%d; check the file, then re-run with --max-removals=%d if this is intended",
			ErrRefused, removals, r.MaxRemovals, removals)
	}
	n := len(live.Members)
	if n > 0 && removals*100 > n*r.MaxRemovalPercent {
		pct := (removals*100 + n - 1) / n
		return fmt.Errorf("%w: the plan removes %d of %d members (%d%%), more than --max-removal-percent=%d; check the file, then re-run with --max-removal-percent=%d if this is intended",
			ErrRefused, removals, n, pct, r.MaxRemovalPercent, pct)
	}
	return nil
}

// AdminsAfter counts the admins the portal would have once ops are applied to live.
func AdminsAfter(live *portal.Config, ops []Op) int {
	n := 0
	for _, m := range Simulate(live, ops).Members {
		if m.Role == portal.RoleAdmin {
			n++
		}
	}
	return n
}
