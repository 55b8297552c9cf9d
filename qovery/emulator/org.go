package emulator

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/qovery/portalctl/qovery/organization"
)

// The organization's members, invitations and roles, served as Qovery's published
// API describes them (package qovery/organization has the paths and the types). The
// answers carry every published field the emulator can fill; the deprecated role
// enum is sent where the spec requires it (invitations) and for members whose role
// has a value in it.

// OrgPermission is what the API token may do with the organization's members: a
// knob for tests of the 403 that a token without the permission gets.
type OrgPermission string

// The permissions a token can have on the organization's members.
const (
	// OrgManage: read and change (the default; an Owner's or Admin's token).
	OrgManage OrgPermission = "manage"
	// OrgRead: read only; every change is answered 403.
	OrgRead OrgPermission = "read"
	// OrgNone: every request to the organization's member endpoints is 403.
	OrgNone OrgPermission = "none"
)

// DefaultRoles are the roles every Qovery organization has, with the ids the
// emulator gives them (stable, so that tests and demos can name them).
var DefaultRoles = []organization.Role{
	{ID: "0c9d1b5e-7a4f-4f3b-8e2d-000000000001", Name: "Owner"},
	{ID: "0c9d1b5e-7a4f-4f3b-8e2d-000000000002", Name: "Admin"},
	{ID: "0c9d1b5e-7a4f-4f3b-8e2d-000000000003", Name: "DevOps"},
	{ID: "0c9d1b5e-7a4f-4f3b-8e2d-000000000004", Name: "Billing Manager"},
	{ID: "0c9d1b5e-7a4f-4f3b-8e2d-000000000005", Name: "Viewer"},
}

// ownerRole is the name of the role the organization's owner holds: the one the
// deprecated role OWNER stands for.
func ownerRole() string {
	name, _ := organization.LegacyOwner.RoleName()
	return name
}

// OrgState is the organization's side of the emulated state: its roles (the
// defaults first), members and invitations, in creation order.
type OrgState struct {
	Roles       []organization.Role  `json:"roles"`
	Members     []OrgMemberState     `json:"members"`
	Invitations []OrgInvitationState `json:"invitations"`
}

// OrgMemberState is a member of the organization.
type OrgMemberState struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	RoleID    string `json:"role_id"`
	CreatedAt string `json:"created_at,omitempty"`
}

// OrgInvitationState is an invitation to the organization.
type OrgInvitationState struct {
	ID        string                        `json:"id"`
	Email     string                        `json:"email"`
	RoleID    string                        `json:"role_id"`
	Status    organization.InvitationStatus `json:"status"`
	Inviter   string                        `json:"inviter,omitempty"`
	CreatedAt string                        `json:"created_at,omitempty"`
}

// orgStore is the organization in memory.
type orgStore struct {
	roles       []organization.Role
	members     []*OrgMemberState
	memberByID  map[string]*OrgMemberState
	invitations []*OrgInvitationState
	inviteByID  map[string]*OrgInvitationState
}

func newOrgStore(st *OrgState) (orgStore, error) {
	s := orgStore{memberByID: map[string]*OrgMemberState{}, inviteByID: map[string]*OrgInvitationState{}}
	roles := DefaultRoles
	if st != nil && len(st.Roles) > 0 {
		roles = st.Roles
	}
	names := map[string]bool{}
	ids := map[string]bool{}
	for _, r := range roles {
		if strings.TrimSpace(r.Name) == "" || r.ID == "" {
			return s, errors.New("organization: a role has no name or no id")
		}
		if names[r.Name] || ids[strings.ToLower(r.ID)] {
			return s, fmt.Errorf("organization: role %q appears twice", r.Name)
		}
		names[r.Name], ids[strings.ToLower(r.ID)] = true, true
		s.roles = append(s.roles, r)
	}
	for _, d := range DefaultRoles {
		if !names[d.Name] {
			return s, fmt.Errorf("organization: the default role %s is missing", d.Name)
		}
	}
	if st == nil {
		return s, nil
	}
	now := stamp(time.Now())
	emails := map[string]bool{}
	for _, m := range st.Members {
		var err error
		if m.Email, m.RoleID, err = s.seedEntry("organization member", "organization member", m.Email, m.RoleID, emails, ids); err != nil {
			return s, err
		}
		if m.ID == "" {
			m.ID = newSubject()
		}
		if s.memberByID[m.ID] != nil {
			return s, fmt.Errorf("organization member id %s appears twice", m.ID)
		}
		if m.CreatedAt == "" {
			m.CreatedAt = now
		}
		s.addMember(m)
	}
	invited := map[string]bool{}
	for _, inv := range st.Invitations {
		written := inv.Email
		var err error
		if inv.Email, inv.RoleID, err = s.seedEntry("invitation", "invitation of", inv.Email, inv.RoleID, invited, ids); err != nil {
			return s, err
		}
		if inv.Status != organization.StatusPending && inv.Status != organization.StatusExpired {
			return s, fmt.Errorf("invitation of %s: status %q is not PENDING or EXPIRED", written, inv.Status)
		}
		if inv.ID == "" {
			inv.ID = newUUID()
		}
		if s.inviteByID[inv.ID] != nil {
			return s, fmt.Errorf("invitation id %s appears twice", inv.ID)
		}
		if inv.CreatedAt == "" {
			inv.CreatedAt = now
		}
		s.addInvitation(inv)
	}
	return s, nil
}

// seedEntry checks an entry of a seed's organization, a member or an invitation
// (what and whatOf name it in messages): its email valid and not in seen, its
// role id one of ids (lower-case). It returns the email normalised, now in seen,
// and the role's id as /availableRole spells it.
func (s *orgStore) seedEntry(what, whatOf, email, roleID string, seen, ids map[string]bool) (string, string, error) {
	normal, ok := normalEmail(email)
	switch {
	case !ok:
		return "", "", fmt.Errorf("%s %q: invalid email", what, email)
	case seen[normal]:
		return "", "", fmt.Errorf("%s %s appears twice", whatOf, email)
	case !ids[strings.ToLower(roleID)]:
		return "", "", fmt.Errorf("%s %s: unknown role id %q", whatOf, email, roleID)
	}
	seen[normal] = true
	r, _ := s.role(roleID)
	return normal, r.ID, nil
}

func (s *orgStore) addMember(m OrgMemberState) *OrgMemberState {
	e := &m
	s.members = append(s.members, e)
	s.memberByID[e.ID] = e
	return e
}

func (s *orgStore) addInvitation(inv OrgInvitationState) *OrgInvitationState {
	e := &inv
	s.invitations = append(s.invitations, e)
	s.inviteByID[e.ID] = e
	return e
}

func (s *orgStore) removeMember(e *OrgMemberState) {
	s.members = slices.DeleteFunc(s.members, func(x *OrgMemberState) bool { return x == e })
	delete(s.memberByID, e.ID)
}

func (s *orgStore) removeInvitation(e *OrgInvitationState) {
	s.invitations = slices.DeleteFunc(s.invitations, func(x *OrgInvitationState) bool { return x == e })
	delete(s.inviteByID, e.ID)
}

func (s *orgStore) memberByEmail(email string) *OrgMemberState {
	for _, m := range s.members {
		if m.Email == email {
			return m
		}
	}
	return nil
}

func (s *orgStore) invitationByEmail(email string) *OrgInvitationState {
	for _, inv := range s.invitations {
		if inv.Email == email {
			return inv
		}
	}
	return nil
}

// role is the role with id. Role ids are UUIDs: they compare case-insensitively.
func (s *orgStore) role(id string) (organization.Role, bool) {
	for _, r := range s.roles {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return organization.Role{}, false
}

// roleNamed is the role named name: exactly, else the only one whose name equals it
// case-insensitively.
func (s *orgStore) roleNamed(name string) (organization.Role, bool) {
	return roleNamed(s.roles, name)
}

func roleNamed(roles []organization.Role, name string) (organization.Role, bool) {
	var found []organization.Role
	for _, r := range roles {
		if r.Name == name {
			return r, true
		}
		if strings.EqualFold(r.Name, name) {
			found = append(found, r)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return organization.Role{}, false
}

// roleID is the id of the role named exactly name, or "".
func (s *orgStore) roleID(name string) string {
	for _, r := range s.roles {
		if r.Name == name {
			return r.ID
		}
	}
	return ""
}

// isOwnerRole reports whether id is the Owner role's: the default role of that
// exact name.
func (s *orgStore) isOwnerRole(id string) bool {
	r, ok := s.role(id)
	return ok && r.Name == ownerRole()
}

// owner is the member holding the Owner role, if any.
func (s *orgStore) owner() *OrgMemberState {
	for _, m := range s.members {
		if s.isOwnerRole(m.RoleID) {
			return m
		}
	}
	return nil
}

func (s *orgStore) state() *OrgState {
	st := &OrgState{Roles: slices.Clone(s.roles), Members: []OrgMemberState{}, Invitations: []OrgInvitationState{}}
	for _, m := range s.members {
		st.Members = append(st.Members, *m)
	}
	for _, inv := range s.invitations {
		st.Invitations = append(st.Invitations, *inv)
	}
	return st
}

// memberView is a member as GET /member answers it.
func (s *orgStore) memberView(m *OrgMemberState) organization.Member {
	r, _ := s.role(m.RoleID)
	legacy, _ := organization.LegacyOf(r.Name)
	local, _, _ := strings.Cut(m.Email, "@")
	return organization.Member{
		ID: m.ID, CreatedAt: m.CreatedAt, UpdatedAt: m.CreatedAt,
		Name: local, Nickname: local, Email: m.Email, LastActivityAt: m.CreatedAt,
		Role: legacy, RoleName: r.Name, RoleID: r.ID,
	}
}

// invitationView is an invitation as GET /inviteMember answers it. The deprecated
// role is required there: roles without a value in it are shown as VIEWER.
func (s *Server) invitationView(inv *OrgInvitationState) organization.Invitation {
	r, _ := s.st.org.role(inv.RoleID)
	legacy, ok := organization.LegacyOf(r.Name)
	if !ok {
		legacy = organization.LegacyViewer
	}
	return organization.Invitation{
		ID: inv.ID, CreatedAt: inv.CreatedAt, UpdatedAt: inv.CreatedAt, Email: inv.Email, Role: legacy,
		InvitationLink:   "https://console.qovery.com/accept-invitation?inviteId=" + inv.ID + "&organization=" + s.org,
		InvitationStatus: inv.Status, OrganizationName: "portal-emulator", Inviter: inv.Inviter,
		RoleID: r.ID, RoleName: r.Name,
	}
}

// orgRoute registers a handler of the organization's member endpoints, behind the
// token's permission.
func (s *Server) orgRoute(method, path string, h func(w http.ResponseWriter, r *http.Request)) {
	s.mux.HandleFunc(method+" "+organization.BasePath+path, func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("organizationId") != s.org {
			writeError(w, http.StatusNotFound, "organization %q not found", r.PathValue("organizationId"))
			return
		}
		perm := s.orgPermission()
		if perm == OrgNone || perm == OrgRead && method != http.MethodGet {
			writeError(w, http.StatusForbidden, "insufficient permissions: managing the organization's members needs the Owner or Admin role")
			return
		}
		h(w, r)
	})
}

func (s *Server) orgRoutes() {
	s.orgRoute(http.MethodGet, organization.PathAvailableRoles, s.listRoles)
	s.orgRoute(http.MethodGet, organization.PathMembers, s.listOrgMembers)
	s.orgRoute(http.MethodPut, organization.PathMembers, s.setOrgRole)
	s.orgRoute(http.MethodDelete, organization.PathMembers, s.removeOrgMember)
	s.orgRoute(http.MethodGet, organization.PathInvitations, s.listInvitations)
	s.orgRoute(http.MethodPost, organization.PathInvitations, s.invite)
	s.orgRoute(http.MethodGet, organization.PathInvitation, s.getInvitation)
	s.orgRoute(http.MethodDelete, organization.PathInvitation, s.cancelInvitation)
}

type results[T any] struct {
	Results []T `json:"results"`
}

func (s *Server) listRoles(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := results[organization.Role]{Results: slices.Clone(s.st.org.roles)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listOrgMembers(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := results[organization.Member]{Results: make([]organization.Member, 0, len(s.st.org.members))}
	for _, m := range s.st.org.members {
		out.Results = append(out.Results, s.st.org.memberView(m))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listInvitations(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := results[organization.Invitation]{Results: make([]organization.Invitation, 0, len(s.st.org.invitations))}
	for _, inv := range s.st.org.invitations {
		out.Results = append(out.Results, s.invitationView(inv))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getInvitation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("inviteId")
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.st.org.inviteByID[id]
	if inv == nil {
		writeError(w, http.StatusNotFound, "invitation %q not found", id)
		return
	}
	writeJSON(w, http.StatusOK, s.invitationView(inv))
}

// setOrgRole is PUT /member {user_id, role_id}: 200 without a body, as published.
func (s *Server) setOrgRole(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID *string `json:"user_id"`
		RoleID *string `json:"role_id"`
	}
	if !readBody(w, r, &in) {
		return
	}
	if in.UserID == nil || in.RoleID == nil || *in.UserID == "" || *in.RoleID == "" {
		writeError(w, http.StatusBadRequest, "user_id and role_id are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.org.memberByID[*in.UserID]
	if m == nil {
		writeError(w, http.StatusNotFound, "member %q not found", *in.UserID)
		return
	}
	role, ok := s.st.org.role(*in.RoleID)
	if !ok {
		writeError(w, http.StatusBadRequest, "role_id %q is not a role of this organization", *in.RoleID)
		return
	}
	switch {
	case s.st.org.isOwnerRole(m.RoleID) && m.RoleID != role.ID:
		writeError(w, http.StatusBadRequest, "the owner's role cannot be changed: transfer the ownership first")
		return
	case s.st.org.isOwnerRole(role.ID) && m.RoleID != role.ID:
		writeError(w, http.StatusBadRequest, "the Owner role is given by transferring the ownership, not by a role change")
		return
	}
	m.RoleID = role.ID
	if !s.savedLocked(w) {
		return
	}
	w.WriteHeader(http.StatusOK)
}

// removeOrgMember is DELETE /member with the body {user_id}.
func (s *Server) removeOrgMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID *string `json:"user_id"`
	}
	if !readBody(w, r, &in) {
		return
	}
	if in.UserID == nil || *in.UserID == "" {
		writeError(w, http.StatusBadRequest, "user_id is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.org.memberByID[*in.UserID]
	if m == nil {
		writeError(w, http.StatusNotFound, "member %q not found", *in.UserID)
		return
	}
	if s.st.org.isOwnerRole(m.RoleID) {
		writeError(w, http.StatusForbidden, "the organization's owner cannot be removed")
		return
	}
	s.st.org.removeMember(m)
	if !s.savedLocked(w) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// invite is POST /inviteMember: {email, role_id}, or the deprecated {email, role}.
func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email  *string                  `json:"email"`
		Role   *organization.LegacyRole `json:"role"`
		RoleID *string                  `json:"role_id"`
	}
	if !readBody(w, r, &in) {
		return
	}
	email, ok := requiredEmail(w, in.Email)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var role organization.Role
	switch {
	case in.RoleID != nil:
		var ok bool
		if role, ok = s.st.org.role(*in.RoleID); !ok {
			writeError(w, http.StatusBadRequest, "role_id %q is not a role of this organization", *in.RoleID)
			return
		}
	case in.Role != nil:
		name, ok := in.Role.RoleName()
		if ok {
			role, ok = s.st.org.role(s.st.org.roleID(name))
		}
		if !ok {
			writeError(w, http.StatusBadRequest, "role %q is not one of ADMIN, DEVELOPER, OWNER, VIEWER", *in.Role)
			return
		}
	default:
		writeError(w, http.StatusBadRequest, "role_id is required")
		return
	}
	if role.Name == ownerRole() {
		writeError(w, http.StatusBadRequest, "nobody is invited as Owner: the ownership is transferred")
		return
	}
	if m := s.st.org.memberByEmail(email); m != nil {
		writeError(w, http.StatusConflict, "%s is already a member of the organization", email)
		return
	}
	if inv := s.st.org.invitationByEmail(email); inv != nil {
		writeError(w, http.StatusConflict, "%s is already invited (%s)", email, inv.Status)
		return
	}
	inviter := "api-token"
	if o := s.st.org.owner(); o != nil {
		inviter = o.Email
	}
	inv := s.st.org.addInvitation(OrgInvitationState{
		ID: newUUID(), Email: email, RoleID: role.ID, Status: organization.StatusPending,
		Inviter: inviter, CreatedAt: stamp(time.Now()),
	})
	if !s.savedLocked(w) {
		return
	}
	writeJSON(w, http.StatusCreated, s.invitationView(inv))
}

func (s *Server) cancelInvitation(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("inviteId")
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.st.org.inviteByID[id]
	if inv == nil {
		writeError(w, http.StatusNotFound, "invitation %q not found", id)
		return
	}
	s.st.org.removeInvitation(inv)
	if !s.savedLocked(w) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) orgPermission() OrgPermission {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	return s.orgPerm
}

// SetOrgPermission changes what the token may do with the organization's members.
func (s *Server) SetOrgPermission(p OrgPermission) {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	s.orgPerm = p
}

// OrgRoles returns the organization's roles.
func (s *Server) OrgRoles() []organization.Role {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.org.roles)
}

// OrgMembers returns the organization's members as GET /member shows them.
func (s *Server) OrgMembers() []organization.Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]organization.Member, len(s.st.org.members))
	for i, m := range s.st.org.members {
		out[i] = s.st.org.memberView(m)
	}
	return out
}

// Invitations returns the organization's invitations as GET /inviteMember shows
// them.
func (s *Server) Invitations() []organization.Invitation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]organization.Invitation, len(s.st.org.invitations))
	for i, inv := range s.st.org.invitations {
		out[i] = s.invitationView(inv)
	}
	return out
}

// AddOrgMember makes email a member of the organization with the role named
// roleName, as someone in the Qovery console would (its invitation, if any, is
// accepted). It reports false when the role does not exist.
func (s *Server) AddOrgMember(email, roleName string) (organization.Member, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	role, ok := s.st.org.roleNamed(roleName)
	if !ok {
		return organization.Member{}, false
	}
	email = fold(email)
	if inv := s.st.org.invitationByEmail(email); inv != nil {
		s.st.org.removeInvitation(inv)
	}
	m := s.st.org.memberByEmail(email)
	if m == nil {
		m = s.st.org.addMember(OrgMemberState{ID: newSubject(), Email: email, RoleID: role.ID, CreatedAt: stamp(time.Now())})
	}
	m.RoleID = role.ID
	s.changed()
	return s.st.org.memberView(m), true
}

// AddInvitation invites email with the role named roleName and the given status,
// as someone in the Qovery console would. It reports false when the role does not
// exist or the email is a member or invited already.
func (s *Server) AddInvitation(email, roleName string, status organization.InvitationStatus) (organization.Invitation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	role, ok := s.st.org.roleNamed(roleName)
	email = fold(email)
	if !ok || s.st.org.memberByEmail(email) != nil || s.st.org.invitationByEmail(email) != nil {
		return organization.Invitation{}, false
	}
	inv := s.st.org.addInvitation(OrgInvitationState{ID: newUUID(), Email: email, RoleID: role.ID, Status: status, Inviter: "console", CreatedAt: stamp(time.Now())})
	s.changed()
	return s.invitationView(inv), true
}

// ExpireInvitation lets the invitation of email expire. It reports whether there
// was one.
func (s *Server) ExpireInvitation(email string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.st.org.invitationByEmail(fold(email))
	if inv == nil {
		return false
	}
	inv.Status = organization.StatusExpired
	s.changed()
	return true
}

// RemoveOrgMember removes the member or invitation of email, as someone in the
// console would (the owner included). It reports whether there was one.
func (s *Server) RemoveOrgMember(email string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	email = fold(email)
	found := false
	if m := s.st.org.memberByEmail(email); m != nil {
		s.st.org.removeMember(m)
		found = true
	}
	if inv := s.st.org.invitationByEmail(email); inv != nil {
		s.st.org.removeInvitation(inv)
		found = true
	}
	if found {
		s.changed()
	}
	return found
}

// stamp is a timestamp as the API writes it.
func stamp(t time.Time) string { return t.UTC().Truncate(time.Millisecond).Format(time.RFC3339Nano) }

// newSubject makes up an identity subject, the kind of id Qovery gives members.
func newSubject() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1e9))
	return fmt.Sprintf("github|%d", 1e8+n.Int64())
}
