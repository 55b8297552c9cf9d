package qovery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/qovery/portalctl/portal"
)

// page is the body of a list answer.
type page[T any] struct {
	Results    []T    `json:"results"`
	NextCursor string `json:"next_cursor"`
}

// MaxListed is the most members, or blueprints, a portal list may hold for
// portalctl: ten times the 100,000 members its targets are set for. A list is read
// in at most MaxListed/100 pages (maxListPages).
const MaxListed = 1_000_000

// maxListPages bounds the pages of one list: a portal whose next_cursor never
// ends, each page empty and each cursor new, would be read forever.
const maxListPages = MaxListed / pageSize

// listAll follows next_cursor until the last page, for at most maxListPages
// pages. what names the list in a refusal: a page without "results" (absent or
// null) is not an empty page.
func listAll[T any](ctx context.Context, c *Client, path, what string) ([]T, error) {
	all := []T{}
	seen := map[string]bool{}
	cursor := ""
	for pages := 1; ; pages++ {
		q := url.Values{"page_size": {strconv.Itoa(pageSize)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		res, err := c.do(ctx, http.MethodGet, path, q, nil, nil)
		if err != nil {
			return nil, err
		}
		var p page[T]
		if err := Decode(res, http.MethodGet, path, &p); err != nil {
			return nil, err
		}
		if p.Results == nil {
			return nil, unexpected(what, `an answer without "results" (an empty list is "results": [])`)
		}
		all = append(all, p.Results...)
		if p.NextCursor == "" {
			return all, nil
		}
		if seen[p.NextCursor] {
			return nil, fmt.Errorf("GET %s: the portal returned the same cursor twice", path)
		}
		if pages == maxListPages {
			return nil, unexpected(what, "a next_cursor after %d pages of GET %s (%d entries at most, the most portalctl reads): a list that does not end is not read", maxListPages, path, MaxListed)
		}
		seen[p.NextCursor] = true
		cursor = p.NextCursor
	}
}

// ListMembers returns every member and pending invitation, in the portal's order,
// reading pages of 100. A member portalctl does not understand (an unknown role or
// status, no id, an email it cannot read, two members with one address) is an
// *UnexpectedError.
func (c *Client) ListMembers(ctx context.Context) ([]portal.Member, error) {
	raw, err := listAll[Member](ctx, c, PathMembers, "the member list")
	if err != nil {
		return nil, c.redactErr(WithContext("list members", err))
	}
	members, err := membersFromAPI(raw)
	if err != nil {
		return nil, c.redactErr(err)
	}
	return members, nil
}

// InviteMember invites email with role; the new member is pending. An error
// satisfying errors.Is(err, ErrAmbiguous) means the invitation may exist anyway:
// re-read the members before inviting again. ErrConflict means the email is already
// a member or invited. ErrNotSent means no request reached the portal.
func (c *Client) InviteMember(ctx context.Context, email string, role portal.Role) (portal.Member, error) {
	m, err := c.inviteMember(ctx, email, role)
	if err != nil {
		return portal.Member{}, c.redactErr(fmt.Errorf("invite %s: %w", email, err))
	}
	return m, nil
}

func (c *Client) inviteMember(ctx context.Context, email string, role portal.Role) (portal.Member, error) {
	if email == "" {
		return portal.Member{}, errors.New("email is empty")
	}
	r, err := roleToAPI(role)
	if err != nil {
		return portal.Member{}, err
	}
	body := struct {
		Email string `json:"email"`
		Role  Role   `json:"role"`
	}{email, r}
	res, err := c.do(ctx, http.MethodPost, PathMembers, nil, body, nil)
	if err != nil {
		return portal.Member{}, err
	}
	var m Member
	if err := Decode(res, http.MethodPost, PathMembers, &m); err != nil {
		// Created, but we cannot tell with which id.
		return portal.Member{}, &ambiguousError{err}
	}
	pm, err := memberFromAPI(m)
	if err != nil {
		return portal.Member{}, &ambiguousError{err}
	}
	// The answer is the member the portal created: another address or role
	// than asked is not the invitation portalctl sent.
	want, err := portal.NormalizeEmail(email)
	switch {
	case err != nil:
		return portal.Member{}, err
	case pm.Email != want:
		return portal.Member{}, &ContradictionError{API: PortalAPI, What: fmt.Sprintf("the member it created is %s, not %s", Quote(m.Email), Quote(email))}
	case pm.Role != role:
		return portal.Member{}, &ContradictionError{API: PortalAPI, What: fmt.Sprintf("it invited %s as %s, not %s", Quote(m.Email), Quote(string(m.Role)), r)}
	}
	return pm, nil
}

// UpdateMemberRole sets the role of a member.
func (c *Client) UpdateMemberRole(ctx context.Context, memberID string, role portal.Role) (portal.Member, error) {
	m, err := c.updateMemberRole(ctx, memberID, role)
	if err != nil {
		return portal.Member{}, c.redactErr(fmt.Errorf("set role of member %s to %s: %w", memberID, role, err))
	}
	return m, nil
}

func (c *Client) updateMemberRole(ctx context.Context, memberID string, role portal.Role) (portal.Member, error) {
	if memberID == "" {
		return portal.Member{}, errors.New("member id is empty")
	}
	r, err := roleToAPI(role)
	if err != nil {
		return portal.Member{}, err
	}
	path := Expand(PathMember, memberID)
	body := struct {
		Role Role `json:"role"`
	}{r}
	res, err := c.do(ctx, http.MethodPut, path, nil, body, nil)
	if err != nil {
		return portal.Member{}, err
	}
	// The portal answered 2xx, with the member as it is now: a body portalctl
	// cannot read leaves the outcome unknown, and so does one that contradicts
	// the request (another member, another role): the role change is not
	// believed done, and the demotions and removals after it wait.
	var m Member
	if err := Decode(res, http.MethodPut, path, &m); err != nil {
		return portal.Member{}, &ambiguousError{err}
	}
	pm, err := memberFromAPI(m)
	if err != nil {
		return portal.Member{}, &ambiguousError{err}
	}
	switch {
	case pm.ID != memberID:
		return portal.Member{}, &ContradictionError{API: PortalAPI, What: fmt.Sprintf("it changed the member %s (id %s), not the member id %s", Quote(m.Email), Quote(m.ID), Quote(memberID))}
	case pm.Role != role:
		return portal.Member{}, &ContradictionError{API: PortalAPI, What: fmt.Sprintf("the role of member %s (id %s) is %s, not %s", Quote(m.Email), Quote(m.ID), Quote(string(m.Role)), r)}
	}
	return pm, nil
}

// RemoveMember removes a member (their workspaces are kept). ErrNotFound
// says no member has that id, also when an earlier attempt of this call may
// have removed it: only the member list tells whether the person is gone.
func (c *Client) RemoveMember(ctx context.Context, memberID string) error {
	if memberID == "" {
		return errors.New("remove member: member id is empty")
	}
	_, err := c.do(ctx, http.MethodDelete, Expand(PathMember, memberID), nil, nil, nil)
	if err != nil {
		return c.redactErr(fmt.Errorf("remove member %s: %w", memberID, err))
	}
	return nil
}
