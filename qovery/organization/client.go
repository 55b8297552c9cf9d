// Package organization speaks the part of Qovery's published API that manages the
// members of an organization: its roles, its members and its invitations
// (Qovery/qovery-openapi-spec, openapi.yaml, info.version 1.0.4; the paths are in
// routes.go). It sits beside the portal client of package qovery and speaks through
// the same qovery.Transport, so it shares its retry policy, circuit breaker,
// redaction and typed errors: ErrNotSent when nothing reached the API,
// ErrAmbiguous when a change was sent and its answer lost (an invitation is then
// never sent again blindly: the caller reads the invitations first), else the
// API's answer as a *qovery.APIError, whose Hint says which permission a 403 lacks.
//
// Read translates the answers into the model (portal.Org, see FromAPI), refusing
// what it does not understand with a *qovery.UnexpectedError. Member ids are opaque
// strings: an identity subject such as "github|12345", whatever format the
// published spec declares; role ids are UUIDs, read in lower case.
package organization

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
)

// ForbiddenHint is what a 403 from these endpoints means: the token's role lacks
// the organization's member-management permission, which Qovery gives the Owner and
// Admin roles only.
const ForbiddenHint = "the API token lacks the organization's \"Manage members & roles\" permission, which Qovery grants to the Owner and Admin roles only: use an API token created with the Admin role"

// Client calls the member endpoints of one organization. It is safe for concurrent
// use.
type Client struct {
	t        *qovery.Transport
	basePath string
}

// New builds the Client of organizationID, speaking through t (the portal client's
// Transport: qovery.Client.Transport).
func New(t *qovery.Transport, organizationID string) (*Client, error) {
	if t == nil {
		return nil, errors.New("organization client: no transport")
	}
	if err := qovery.CheckOrganizationID(organizationID); err != nil {
		return nil, err
	}
	return &Client{t: t, basePath: qovery.Expand(BasePath, organizationID)}, nil
}

func (c *Client) do(ctx context.Context, method, path string, body any) (*qovery.Response, error) {
	return c.t.Do(ctx, qovery.Call{Method: method, Base: c.basePath, Path: path, Body: body, Forbidden: ForbiddenHint, API: API})
}

// get lists path, whose answer is {"results": [...]}, whole. what names the list in
// a refusal: an answer without "results" (absent or null) is not an empty list.
func get[T any](ctx context.Context, c *Client, path, what string) ([]T, error) {
	res, err := c.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	var l list[T]
	if err := qovery.Decode(res, http.MethodGet, path, &l); err != nil {
		return nil, err
	}
	if l.Results == nil {
		return nil, unexpected(what, `an answer without "results" (an empty list is "results": [])`)
	}
	return l.Results, nil
}

// Read reads the organization's roles, members and invitations (three requests, made
// at once) into the model (see FromAPI): whatever portalctl does not understand is a
// *qovery.UnexpectedError. The first failure is the one returned.
func (c *Client) Read(ctx context.Context) (*portal.Org, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		roles       []Role
		members     []Member
		invitations []Invitation
		wg          sync.WaitGroup
	)
	for _, read := range []func() error{
		func() (err error) { roles, err = c.ListRoles(ctx); return },
		func() (err error) { members, err = c.ListMembers(ctx); return },
		func() (err error) { invitations, err = c.ListInvitations(ctx); return },
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := read(); err != nil {
				cancel(err) // the first cause stays
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	o, err := FromAPI(roles, members, invitations)
	if err != nil {
		return nil, c.t.Redact(err)
	}
	return o, nil
}

// ListRoles returns the organization's roles, defaults and custom ones, as the API
// answers them (Read translates them into the model).
func (c *Client) ListRoles(ctx context.Context) ([]Role, error) {
	roles, err := get[Role](ctx, c, PathAvailableRoles, "the organization's role list")
	if err != nil {
		return nil, c.t.Redact(qovery.WithContext("list the organization's roles", err))
	}
	return roles, nil
}

// ListMembers returns the organization's members (invitations not included), as the
// API answers them (Read translates them into the model).
func (c *Client) ListMembers(ctx context.Context) ([]Member, error) {
	ms, err := get[Member](ctx, c, PathMembers, "the organization's member list")
	if err != nil {
		return nil, c.t.Redact(qovery.WithContext("list the organization's members", err))
	}
	return ms, nil
}

// ListInvitations returns the organization's invitations, pending and expired, as
// the API answers them (Read translates them into the model).
func (c *Client) ListInvitations(ctx context.Context) ([]Invitation, error) {
	is, err := get[Invitation](ctx, c, PathInvitations, "the organization's invitation list")
	if err != nil {
		return nil, c.t.Redact(qovery.WithContext("list the organization's invitations", err))
	}
	return is, nil
}

// Invite invites email into the organization with the role roleID, sending exactly
// {email, role_id}. ErrConflict means the email is already invited (or a member).
// An error satisfying errors.Is(err, qovery.ErrAmbiguous) means the invitation may
// exist anyway: read the invitations before inviting again.
func (c *Client) Invite(ctx context.Context, email, roleID string) error {
	if err := c.invite(ctx, email, roleID); err != nil {
		return c.t.Redact(fmt.Errorf("invite %s into the organization: %w", email, err))
	}
	return nil
}

func (c *Client) invite(ctx context.Context, email, roleID string) error {
	if strings.TrimSpace(email) == "" {
		return errors.New("email is empty")
	}
	if strings.TrimSpace(roleID) == "" {
		return errors.New("role id is empty")
	}
	res, err := c.do(ctx, http.MethodPost, PathInvitations, inviteRequest{Email: email, RoleID: roleID})
	if err != nil {
		return err
	}
	var inv Invitation
	if err := qovery.Decode(res, http.MethodPost, PathInvitations, &inv); err != nil {
		// Created, but we cannot tell which invitation it is.
		return qovery.Ambiguous(err)
	}
	// The answer is the invitation the API created: another address or role
	// than asked is not the invitation portalctl sent. A role_id is optional
	// in the published answer; the deprecated role cannot name most roles.
	want, err := portal.NormalizeEmail(email)
	if err != nil {
		return err
	}
	got, err := qovery.LiveEmail(inv.Email)
	switch {
	case err != nil:
		return qovery.Ambiguous(unexpected(fmt.Sprintf("the invitation of %s it created (id %s)", q(inv.Email), q(inv.ID)), "an email portalctl cannot read as an address (%v)", err))
	case got != want:
		return &qovery.ContradictionError{API: API, What: fmt.Sprintf("the invitation it created (id %s) is of %s, not %s", q(inv.ID), q(inv.Email), q(email))}
	case strings.TrimSpace(inv.RoleID) != "" && !strings.EqualFold(strings.TrimSpace(inv.RoleID), roleID):
		return &qovery.ContradictionError{API: API, What: fmt.Sprintf("the invitation of %s it created (id %s) has the role id %s, not %s", q(inv.Email), q(inv.ID), q(inv.RoleID), q(roleID))}
	}
	return nil
}

// SetRole gives the member userID the role roleID (PUT /member).
func (c *Client) SetRole(ctx context.Context, userID, roleID string) error {
	if err := c.setRole(ctx, userID, roleID); err != nil {
		return c.t.Redact(fmt.Errorf("set the organization role of member %s to %s: %w", userID, roleID, err))
	}
	return nil
}

func (c *Client) setRole(ctx context.Context, userID, roleID string) error {
	if userID == "" {
		return errors.New("member id is empty")
	}
	if roleID == "" {
		return errors.New("role id is empty")
	}
	_, err := c.do(ctx, http.MethodPut, PathMembers, roleUpdate{UserID: userID, RoleID: roleID})
	return err
}

// RemoveMember removes the member userID from the organization (DELETE /member
// with the body {user_id}). ErrNotFound says no member has that id, also when an
// earlier attempt of this call may have removed them: only the member list tells
// whether the person is gone.
func (c *Client) RemoveMember(ctx context.Context, userID string) error {
	if userID == "" {
		return errors.New("remove organization member: member id is empty")
	}
	if _, err := c.do(ctx, http.MethodDelete, PathMembers, memberRef{UserID: userID}); err != nil {
		return c.t.Redact(fmt.Errorf("remove organization member %s: %w", userID, err))
	}
	return nil
}

// CancelInvitation deletes the invitation inviteID. ErrNotFound says there is no
// such invitation (any more).
func (c *Client) CancelInvitation(ctx context.Context, inviteID string) error {
	if inviteID == "" {
		return errors.New("cancel invitation: invitation id is empty")
	}
	if _, err := c.do(ctx, http.MethodDelete, qovery.Expand(PathInvitation, inviteID), nil); err != nil {
		return c.t.Redact(fmt.Errorf("cancel invitation %s: %w", inviteID, err))
	}
	return nil
}
