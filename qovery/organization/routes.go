package organization

// The endpoints of Qovery's published API (Qovery/qovery-openapi-spec, openapi.yaml,
// info.version 1.0.4) that this package calls, all under BasePath, as published:
// no pagination (each list comes whole in "results"). Templates use the {name}
// syntax of net/http.ServeMux patterns, which lets the emulator register them as
// they are. openapi.yaml beside this file transcribes them, and the tests hold the
// client and the emulator to it (internal/openapitest).
const (
	// BasePath prefixes every route: the organization's own API.
	BasePath = "/organization/{organizationId}"

	// PathAvailableRoles lists the organization's roles (GET;
	// listOrganizationAvailableRoles).
	PathAvailableRoles = "/availableRole"
	// PathMembers lists the members (GET; getOrganizationMembers), changes a
	// member's role (PUT with {user_id, role_id}; editOrganizationMemberRole)
	// and removes a member (DELETE with the body {user_id}; deleteMember).
	PathMembers = "/member"
	// PathInvitations lists the invitations (GET;
	// getOrganizationInvitedMembers) and invites someone (POST with {email,
	// role_id}; postInviteMember).
	PathInvitations = "/inviteMember"
	// PathInvitation deletes an invitation (DELETE; deleteInviteMember). The
	// published GET (getMemberInvitation) and POST (postAcceptInviteMember,
	// the invitee's own) of the same path are of no use to portalctl.
	PathInvitation = "/inviteMember/{inviteId}"
)
