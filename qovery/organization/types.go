package organization

// The answers and requests of the published API, field for field (components
// OrganizationAvailableRole, Member, InviteMember, MemberRoleUpdateRequest and
// InviteMemberRequest). Timestamps are kept as the strings the API sends: the
// client has no use for them, and a format it does not expect must not fail a
// whole list.

// Role is one of the organization's roles (OrganizationAvailableRole).
type Role struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// LegacyRole is the deprecated role enum (InviteMemberRoleEnum) the API still
// sends beside role_id and role_name. The client reads it only when an answer has
// neither, and never sends it.
type LegacyRole string

// The values of the deprecated role enum.
const (
	LegacyAdmin     LegacyRole = "ADMIN"
	LegacyDeveloper LegacyRole = "DEVELOPER"
	LegacyOwner     LegacyRole = "OWNER"
	LegacyViewer    LegacyRole = "VIEWER"
)

// RoleName is the default role the deprecated enum's value stands for, and whether
// the value is one the API defines. This is the one table of the deprecated enum:
// the client reads a role from it (see FromAPI) and the emulator answers with it.
func (l LegacyRole) RoleName() (string, bool) {
	switch l {
	case LegacyOwner:
		return "Owner", true
	case LegacyAdmin:
		return "Admin", true
	case LegacyDeveloper:
		return "DevOps", true
	case LegacyViewer:
		return "Viewer", true
	}
	return "", false
}

// LegacyOf is the deprecated enum's value for a role, by its exact name, and
// whether the enum has one: only the default roles of RoleName have (Billing
// Manager and custom roles have none; a custom role named "owner" is not Owner).
func LegacyOf(name string) (LegacyRole, bool) {
	for _, l := range []LegacyRole{LegacyOwner, LegacyAdmin, LegacyDeveloper, LegacyViewer} {
		if n, _ := l.RoleName(); n == name {
			return l, true
		}
	}
	return "", false
}

// InvitationStatus says whether an invitation can still be accepted
// (InviteStatusEnum).
type InvitationStatus string

// The statuses of an invitation.
const (
	StatusPending InvitationStatus = "PENDING"
	StatusExpired InvitationStatus = "EXPIRED"
)

// Member is a member of the organization (Member). ID is an identity subject such
// as "github|12345", opaque: the published spec says uuid, the API does not.
type Member struct {
	ID                string     `json:"id"`
	CreatedAt         string     `json:"created_at"`
	UpdatedAt         string     `json:"updated_at,omitempty"`
	Name              string     `json:"name,omitempty"`
	Nickname          string     `json:"nickname,omitempty"`
	Email             string     `json:"email"`
	ProfilePictureURL string     `json:"profile_picture_url,omitempty"`
	LastActivityAt    string     `json:"last_activity_at,omitempty"`
	Role              LegacyRole `json:"role,omitempty"`
	RoleName          string     `json:"role_name,omitempty"`
	RoleID            string     `json:"role_id,omitempty"`
}

// Invitation is an invitation to join the organization (InviteMember).
type Invitation struct {
	ID               string           `json:"id"`
	CreatedAt        string           `json:"created_at"`
	UpdatedAt        string           `json:"updated_at,omitempty"`
	Email            string           `json:"email"`
	Role             LegacyRole       `json:"role"`
	InvitationLink   string           `json:"invitation_link"`
	InvitationStatus InvitationStatus `json:"invitation_status"`
	OrganizationName string           `json:"organization_name,omitempty"`
	Inviter          string           `json:"inviter"`
	LogoURL          string           `json:"logo_url,omitempty"`
	RoleID           string           `json:"role_id,omitempty"`
	RoleName         string           `json:"role_name,omitempty"`
}

// inviteRequest is the body of POST /inviteMember: email and role_id, never the
// deprecated role.
type inviteRequest struct {
	Email  string `json:"email"`
	RoleID string `json:"role_id"`
}

// roleUpdate is the body of PUT /member (MemberRoleUpdateRequest).
type roleUpdate struct {
	UserID string `json:"user_id"`
	RoleID string `json:"role_id"`
}

// memberRef is the body of DELETE /member.
type memberRef struct {
	UserID string `json:"user_id"`
}

// list is the body of a list answer.
type list[T any] struct {
	Results []T `json:"results"`
}
