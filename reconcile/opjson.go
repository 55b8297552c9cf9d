package reconcile

import (
	"bytes"
	"encoding/json"

	"github.com/qovery/portalctl/portal"
)

// OpJSON is one operation as machines read it: in `plan -o json` (the report's
// operations) and in the plan file (package planfile). For the organization's
// operations, role and from_role are the organization's role names, role_id and
// from_role_id their ids, member_id the organization member's id (an identity
// subject), invite_id the invitation's.
type OpJSON struct {
	Action     Action `json:"action"`
	Email      string `json:"email,omitempty"`
	MemberID   string `json:"member_id,omitempty"`
	InviteID   string `json:"invite_id,omitempty"`
	Role       string `json:"role,omitempty"`
	RoleID     string `json:"role_id,omitempty"`
	FromRole   string `json:"from_role,omitempty"`
	FromRoleID string `json:"from_role_id,omitempty"`
	Expired    bool   `json:"expired,omitempty"`
	// ExpiredOn is the reason of a removal (remove, org_remove,
	// org_cancel_invite) of someone the file lists with an expires date that
	// has passed: the date, YYYY-MM-DD.
	ExpiredOn   string     `json:"expired_on,omitempty"`
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

// JSON is the operation as `plan -o json` and the plan file write it.
func (o Op) JSON() OpJSON {
	if IsOrg(o.Action) {
		return OpJSON{
			Action: o.Action, Email: o.Email, MemberID: o.MemberID, InviteID: o.InviteID,
			Role: o.OrgRole, RoleID: o.OrgRoleID, FromRole: o.FromOrgRole, FromRoleID: o.FromOrgRoleID, Expired: o.Expired,
			ExpiredOn: o.ExpiredOn.String(),
		}
	}
	return OpJSON{
		Action: o.Action, Email: o.Email, MemberID: o.MemberID, Role: string(o.Role), FromRole: string(o.FromRole),
		ExpiredOn: o.ExpiredOn.String(),
		Blueprint: o.Blueprint, BlueprintID: o.BlueprintID, ETag: o.ETag,
		Rules: rulesJSON(o.Rules), Added: rulesJSON(o.Added), Removed: rulesJSON(o.Removed),
	}
}

// sameOp reports whether two operations send the same request and show the same.
func sameOp(a, b Op) bool {
	ja, _ := json.Marshal(a.JSON())
	jb, _ := json.Marshal(b.JSON())
	return bytes.Equal(ja, jb)
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
