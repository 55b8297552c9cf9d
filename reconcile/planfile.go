package reconcile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/qovery/portalctl/portal"
)

// FormatVersion is the version of the JSON plan format. It changes only when a field
// changes meaning or disappears; new fields may be added within a version.
const FormatVersion = 1

// maxPlanFile bounds a plan file read back by apply.
const maxPlanFile = 64 << 20

// PlanJSON is the stable machine format of a plan: the output of `plan -o json` and
// the file `plan --out` writes and `apply --plan` reads. It never holds the token.
type PlanJSON struct {
	FormatVersion int           `json:"format_version"`
	CreatedAt     time.Time     `json:"created_at"`
	Organization  string        `json:"organization"`
	Fingerprint   string        `json:"fingerprint,omitempty"`
	Summary       SummaryJSON   `json:"summary"`
	Operations    []OpJSON      `json:"operations"`
	Impact        []ImpactJSON  `json:"impact"`
	Unmanaged     []UnmanagedJS `json:"unmanaged"`
}

// SummaryJSON counts a plan's changes.
type SummaryJSON struct {
	Invite      int      `json:"invite"`
	Promote     int      `json:"promote"`
	UpdateACL   int      `json:"update_acl"`
	Demote      int      `json:"demote"`
	Remove      int      `json:"remove"`
	GainAccess  int      `json:"members_gaining_access"`
	LoseAccess  int      `json:"members_losing_access"`
	BecomesOpen []string `json:"blueprints_becoming_open"`
}

// OpJSON is one operation.
type OpJSON struct {
	Action      Action     `json:"action"`
	Email       string     `json:"email,omitempty"`
	MemberID    string     `json:"member_id,omitempty"`
	Role        string     `json:"role,omitempty"`
	FromRole    string     `json:"from_role,omitempty"`
	Blueprint   string     `json:"blueprint,omitempty"`
	BlueprintID string     `json:"blueprint_id,omitempty"`
	ETag        string     `json:"etag,omitempty"`
	Rules       []RuleJSON `json:"rules,omitempty"`
	Added       []RuleJSON `json:"rules_added,omitempty"`
	Removed     []RuleJSON `json:"rules_removed,omitempty"`
}

// RuleJSON is one access rule.
type RuleJSON struct {
	Type  portal.RuleKind `json:"type"`
	Value string          `json:"value"`
	Group string          `json:"group,omitempty"`
}

// ImpactJSON is the change of one blueprint's audience.
type ImpactJSON struct {
	Blueprint    string       `json:"blueprint"`
	Open         bool         `json:"open"`
	WasOpen      bool         `json:"was_open"`
	BecomesOpen  bool         `json:"becomes_open"`
	NewlyManaged bool         `json:"newly_managed,omitempty"`
	RulesAdded   []RuleJSON   `json:"rules_added"`
	RulesRemoved []RuleJSON   `json:"rules_removed"`
	Gains        []AccessJSON `json:"gains"`
	Losses       []AccessJSON `json:"losses"`
}

// AccessJSON is one member gaining or losing a blueprint.
type AccessJSON struct {
	Email string   `json:"email"`
	Via   []string `json:"via"`
	// MemberChange is true when the member joins or leaves the portal, rather than
	// the blueprint's rules changing.
	MemberChange bool `json:"member_change,omitempty"`
}

// UnmanagedJS is a blueprint of the portal that the file leaves alone.
type UnmanagedJS struct {
	Name string `json:"name"`
	Open bool   `json:"open"`
}

// ToJSON renders p in the stable format.
func (p *Plan) ToJSON(now time.Time) PlanJSON {
	gain, lose, opened := p.Impact.Counts()
	out := PlanJSON{
		FormatVersion: FormatVersion,
		CreatedAt:     now.UTC().Truncate(time.Second),
		Organization:  p.Organization,
		Fingerprint:   p.Fingerprint,
		Summary: SummaryJSON{
			Invite: p.Count(Invite), Promote: p.Count(Promote), UpdateACL: p.Count(UpdateACL),
			Demote: p.Count(Demote), Remove: p.Count(Remove),
			GainAccess: gain, LoseAccess: lose, BecomesOpen: nonNil(opened),
		},
		Operations: []OpJSON{},
		Impact:     []ImpactJSON{},
		Unmanaged:  []UnmanagedJS{},
	}
	for _, o := range p.Ops {
		out.Operations = append(out.Operations, OpJSON{
			Action: o.Action, Email: o.Email, MemberID: o.MemberID, Role: string(o.Role), FromRole: string(o.FromRole),
			Blueprint: o.Blueprint, BlueprintID: o.BlueprintID, ETag: o.ETag,
			Rules: rulesJSON(o.Rules), Added: rulesJSON(o.Added), Removed: rulesJSON(o.Removed),
		})
	}
	for _, b := range p.Impact.Blueprints {
		out.Impact = append(out.Impact, ImpactJSON{
			Blueprint: b.Name, Open: b.Open, WasOpen: b.WasOpen, BecomesOpen: b.BecomesOpen(), NewlyManaged: b.NewlyManaged,
			RulesAdded: nonNil(rulesJSON(b.RulesAdded)), RulesRemoved: nonNil(rulesJSON(b.RulesRemoved)),
			Gains: accessJSON(b.Gains), Losses: accessJSON(b.Losses),
		})
	}
	for _, u := range p.Unmanaged {
		out.Unmanaged = append(out.Unmanaged, UnmanagedJS(u))
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func rulesJSON(rules []portal.Rule) []RuleJSON {
	if len(rules) == 0 {
		return nil
	}
	out := make([]RuleJSON, len(rules))
	for i, r := range rules {
		out[i] = RuleJSON{Type: r.Kind, Value: r.Value, Group: r.Group}
	}
	return out
}

func accessJSON(a []Access) []AccessJSON {
	out := make([]AccessJSON, len(a))
	for i, x := range a {
		via := make([]string, len(x.Via))
		for j, v := range x.Via {
			via[j] = v.String()
		}
		out[i] = AccessJSON{Email: x.Email, Via: via, MemberChange: x.Member}
	}
	return out
}

// WritePlan writes p as an indented JSON document.
func WritePlan(w io.Writer, pj PlanJSON) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(pj)
}

// ReadPlan decodes and checks a saved plan. Only the operations, the organization
// and the fingerprint are used to apply it; every operation is checked to be
// complete and well-formed, so a damaged or hand-edited file is refused rather than
// half applied.
func ReadPlan(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxPlanFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPlanFile {
		return nil, fmt.Errorf("plan file is over %d MiB", maxPlanFile>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var pj PlanJSON
	if err := dec.Decode(&pj); err != nil {
		return nil, fmt.Errorf("not a portalctl plan file: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a portalctl plan file: trailing data after the plan")
	}
	if pj.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("plan format_version %d is not supported (this portalctl reads %d): run plan again with this version", pj.FormatVersion, FormatVersion)
	}
	if pj.Fingerprint == "" {
		return nil, errors.New("plan has no fingerprint of the live state: run plan --out again")
	}
	p := &Plan{Organization: pj.Organization, Fingerprint: pj.Fingerprint}
	last := -1
	for i, o := range pj.Operations {
		op, err := opFromJSON(o)
		if err != nil {
			return nil, fmt.Errorf("operation %d: %w", i+1, err)
		}
		if actionOrder[op.Action] < last {
			return nil, fmt.Errorf("operation %d: %s out of order (invite, promote, update_acl, demote, remove)", i+1, op.Action)
		}
		last = actionOrder[op.Action]
		p.Ops = append(p.Ops, op)
	}
	for _, u := range pj.Unmanaged {
		p.Unmanaged = append(p.Unmanaged, Unmanaged(u))
	}
	return p, nil
}

func opFromJSON(o OpJSON) (Op, error) {
	op := Op{
		Action: o.Action, Email: o.Email, MemberID: o.MemberID, Role: portal.Role(o.Role), FromRole: portal.Role(o.FromRole),
		Blueprint: o.Blueprint, BlueprintID: o.BlueprintID, ETag: o.ETag,
	}
	switch o.Action {
	case Invite, Promote, Demote, Remove:
		e, err := portal.NormalizeEmail(o.Email)
		if err != nil || e != o.Email {
			return op, fmt.Errorf("%s: bad email %q", o.Action, o.Email)
		}
		if op.Role != portal.RoleAdmin && op.Role != portal.RoleUser {
			return op, fmt.Errorf("%s %s: bad role %q", o.Action, o.Email, o.Role)
		}
		if o.Action != Invite && o.MemberID == "" {
			return op, fmt.Errorf("%s %s: no member_id", o.Action, o.Email)
		}
		if (o.Action == Promote && op.Role != portal.RoleAdmin) || (o.Action == Demote && op.Role != portal.RoleUser) {
			return op, fmt.Errorf("%s %s: role %q contradicts the action", o.Action, o.Email, o.Role)
		}
	case UpdateACL:
		if o.Blueprint == "" || o.BlueprintID == "" {
			return op, errors.New("update_acl: blueprint and blueprint_id are required")
		}
		for _, list := range []struct {
			in  []RuleJSON
			out *[]portal.Rule
		}{{o.Rules, &op.Rules}, {o.Added, &op.Added}, {o.Removed, &op.Removed}} {
			for _, r := range list.in {
				rule, err := ruleFromJSON(r)
				if err != nil {
					return op, fmt.Errorf("update_acl %s: %w", o.Blueprint, err)
				}
				*list.out = append(*list.out, rule)
			}
		}
	default:
		return op, fmt.Errorf("unknown action %q", o.Action)
	}
	return op, nil
}

func ruleFromJSON(r RuleJSON) (portal.Rule, error) {
	var v string
	var err error
	switch r.Type {
	case portal.RuleDomain:
		v, err = portal.NormalizeDomain(r.Value)
	case portal.RuleEmail:
		v, err = portal.NormalizeEmail(r.Value)
	default:
		return portal.Rule{}, fmt.Errorf("unknown rule type %q", r.Type)
	}
	if err != nil || v != r.Value {
		return portal.Rule{}, fmt.Errorf("bad %s rule %q", r.Type, r.Value)
	}
	return portal.Rule{Kind: r.Type, Value: v, Group: r.Group}, nil
}
