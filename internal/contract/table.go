// Package contract holds, written by hand from Qovery's published OpenAPI spec
// (Qovery/qovery-openapi-spec, openapi.yaml, info.version 1.0.4), every operation of
// the organization's member endpoints that portalctl's organization client may call
// or the emulator serves, and an HTTP handler wrapper for tests that checks every
// request against it (an unknown operation, a missing required field, a field the
// spec does not allow, the deprecated role sent) and every answer against the
// published response fields (a required field missing, a field not in the
// published schema, a value of the wrong type or format, a status not published).
//
// The table is the contract; it is not generated, and the spec is not copied: each
// entry names the component it transcribes.
package contract

// Kind is the type and format of a field, as published.
type Kind int

// The kinds of field the member endpoints use.
const (
	String   Kind = iota
	UUID          // string, format uuid
	DateTime      // string, format date-time
	URI           // string, format uri
	Email         // string, format email
	Enum          // string, one of Field.Enum
	// Opaque is a string the spec declares as a uuid although the API holds
	// something else there: a member's id is an identity subject such as
	// "github|12345" (SPEC §9.1). Checked as a non-empty string.
	Opaque
)

// Field is one property of a published schema.
type Field struct {
	Name     string
	Kind     Kind
	Enum     []string
	Required bool
	// Deprecated: published, but the client must never send it.
	Deprecated bool
}

// Schema is a published object schema.
type Schema struct {
	Name   string // the component, e.g. "InviteMember"
	Fields []Field
}

// Response is a published answer of an operation.
type Response struct {
	// Body is the schema of the body; nil when none is published (the body must
	// then be empty).
	Body *Schema
	// List: the body is {"results": [Body…]} (the …ResponseList components).
	List bool
}

// Operation is one published operation.
type Operation struct {
	ID     string // operationId
	Method string
	// Path is the template from the API root, as published.
	Path string
	// Request is the published request body; nil when there is none.
	Request *Schema
	// Responses are the published status codes and their bodies.
	Responses map[int]Response
	// Unpublished are status codes the emulator may also answer: 400 for a
	// malformed body on an operation whose spec lists no 400. Not errors of the
	// contract: the client never sends a malformed body.
	Unpublished []int
	// ClientCalls says the organization client calls this operation; the others
	// are served by the emulator only.
	ClientCalls bool
}

// Transient are the statuses any operation may get from the infrastructure, not
// from the API itself: rate limiting and gateway failures (the emulator's fault
// knobs), and a failure to persist.
var Transient = []int{429, 500, 502, 503, 504}

// legacyRoles is InviteMemberRoleEnum (deprecated).
var legacyRoles = []string{"ADMIN", "DEVELOPER", "OWNER", "VIEWER"}

// base is Base: id, created_at and updated_at, read-only.
func base(id Kind) []Field {
	return []Field{
		{Name: "id", Kind: id, Required: true},
		{Name: "created_at", Kind: DateTime, Required: true},
		{Name: "updated_at", Kind: DateTime},
	}
}

// The published schemas.
var (
	// OrganizationAvailableRole (items of OrganizationAvailableRoleList).
	availableRole = &Schema{Name: "OrganizationAvailableRole", Fields: []Field{
		{Name: "id", Kind: UUID, Required: true},
		{Name: "name", Kind: String, Required: true},
	}}
	// Member (allOf Base and its own properties; items of MemberResponseList).
	member = &Schema{Name: "Member", Fields: append(base(Opaque),
		Field{Name: "name", Kind: String},
		Field{Name: "nickname", Kind: String},
		Field{Name: "email", Kind: Email, Required: true},
		Field{Name: "profile_picture_url", Kind: URI},
		Field{Name: "last_activity_at", Kind: DateTime},
		Field{Name: "role", Kind: Enum, Enum: legacyRoles, Deprecated: true},
		Field{Name: "role_name", Kind: String},
		Field{Name: "role_id", Kind: UUID},
	)}
	// InviteMember (allOf Base and its own properties; items of
	// InviteMemberResponseList).
	inviteMember = &Schema{Name: "InviteMember", Fields: append(base(UUID),
		Field{Name: "email", Kind: Email, Required: true},
		Field{Name: "role", Kind: Enum, Enum: legacyRoles, Required: true, Deprecated: true},
		Field{Name: "invitation_link", Kind: URI, Required: true},
		Field{Name: "invitation_status", Kind: Enum, Enum: []string{"EXPIRED", "PENDING"}, Required: true},
		Field{Name: "organization_name", Kind: String},
		Field{Name: "inviter", Kind: String, Required: true},
		Field{Name: "logo_url", Kind: URI},
		Field{Name: "role_id", Kind: UUID},
		Field{Name: "role_name", Kind: String},
	)}
	// InviteMemberRequest: email required; role is the deprecated enum.
	inviteMemberRequest = &Schema{Name: "InviteMemberRequest", Fields: []Field{
		{Name: "email", Kind: String, Required: true},
		{Name: "role", Kind: Enum, Enum: legacyRoles, Deprecated: true},
		{Name: "role_id", Kind: UUID},
	}}
	// MemberRoleUpdateRequest: user_id ("the git provider user id") and
	// role_id, both required.
	memberRoleUpdateRequest = &Schema{Name: "MemberRoleUpdateRequest", Fields: []Field{
		{Name: "user_id", Kind: Opaque, Required: true},
		{Name: "role_id", Kind: UUID, Required: true},
	}}
	// The inline body of deleteMember: user_id required (declared uuid, an
	// identity subject in fact).
	deleteMemberRequest = &Schema{Name: "deleteMember request body", Fields: []Field{
		{Name: "user_id", Kind: Opaque, Required: true},
	}}
)

// errorsOnly are the published error statuses most operations share.
func errs(codes ...int) map[int]Response {
	m := map[int]Response{}
	for _, c := range codes {
		m[c] = Response{}
	}
	return m
}

func with(m map[int]Response, code int, r Response) map[int]Response {
	m[code] = r
	return m
}

// Operations are the organization's member endpoints, as published.
var Operations = []Operation{
	{ID: "listOrganizationAvailableRoles", Method: "GET", Path: "/organization/{organizationId}/availableRole",
		Responses: with(errs(401, 403, 404), 200, Response{Body: availableRole, List: true}), ClientCalls: true},
	{ID: "getOrganizationMembers", Method: "GET", Path: "/organization/{organizationId}/member",
		Responses: with(errs(401, 403, 404), 200, Response{Body: member, List: true}), ClientCalls: true},
	{ID: "editOrganizationMemberRole", Method: "PUT", Path: "/organization/{organizationId}/member",
		Request: memberRoleUpdateRequest, Responses: with(errs(400, 401, 403, 404), 200, Response{}), ClientCalls: true},
	{ID: "deleteMember", Method: "DELETE", Path: "/organization/{organizationId}/member",
		Request: deleteMemberRequest, Responses: with(errs(401, 403, 404), 204, Response{}), Unpublished: []int{400}, ClientCalls: true},
	{ID: "getOrganizationInvitedMembers", Method: "GET", Path: "/organization/{organizationId}/inviteMember",
		Responses: with(errs(401, 403, 404), 200, Response{Body: inviteMember, List: true}), ClientCalls: true},
	{ID: "postInviteMember", Method: "POST", Path: "/organization/{organizationId}/inviteMember",
		Request: inviteMemberRequest, Responses: with(errs(400, 401, 403, 404, 409), 201, Response{Body: inviteMember}), ClientCalls: true},
	{ID: "getMemberInvitation", Method: "GET", Path: "/organization/{organizationId}/inviteMember/{inviteId}",
		Responses: with(errs(401, 403, 404), 200, Response{Body: inviteMember})},
	{ID: "deleteInviteMember", Method: "DELETE", Path: "/organization/{organizationId}/inviteMember/{inviteId}",
		Responses: with(errs(401, 403, 404), 204, Response{}), ClientCalls: true},
}
