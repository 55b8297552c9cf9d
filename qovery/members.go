package qovery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// page is the body of a list answer.
type page[T any] struct {
	Results    []T    `json:"results"`
	NextCursor string `json:"next_cursor"`
}

// listAll follows next_cursor until the last page.
func listAll[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	cursor := ""
	for {
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
		all = append(all, p.Results...)
		if p.NextCursor == "" {
			return all, nil
		}
		if seen[p.NextCursor] {
			return nil, fmt.Errorf("GET %s: the portal returned the same cursor twice", path)
		}
		seen[p.NextCursor] = true
		cursor = p.NextCursor
	}
}

// ListMembers returns every member and pending invitation, in the
// portal's order, reading pages of 100.
func (c *Client) ListMembers(ctx context.Context) ([]Member, error) {
	members, err := listAll[Member](ctx, c, PathMembers)
	if err != nil {
		return nil, c.redactErr(fmt.Errorf("list members: %w", err))
	}
	return members, nil
}

// InviteMember invites email with role; the new member is pending. An
// error satisfying errors.Is(err, ErrAmbiguous) means the invitation may
// exist anyway: re-read the members before inviting again. ErrConflict
// means the email is already a member or invited. ErrNotSent means no
// request reached the portal.
func (c *Client) InviteMember(ctx context.Context, email string, role Role) (Member, error) {
	m, err := c.inviteMember(ctx, email, role)
	if err != nil {
		return Member{}, c.redactErr(fmt.Errorf("invite %s: %w", email, err))
	}
	return m, nil
}

func (c *Client) inviteMember(ctx context.Context, email string, role Role) (Member, error) {
	if email == "" {
		return Member{}, errors.New("email is empty")
	}
	if !role.Valid() {
		return Member{}, fmt.Errorf("invalid role %q (want %s or %s)", role, RoleAdmin, RoleUser)
	}
	body := struct {
		Email string `json:"email"`
		Role  Role   `json:"role"`
	}{email, role}
	res, err := c.do(ctx, http.MethodPost, PathMembers, nil, body, nil)
	if err != nil {
		return Member{}, err
	}
	var m Member
	if err := Decode(res, http.MethodPost, PathMembers, &m); err != nil {
		// Created, but we cannot tell with which id.
		return Member{}, &ambiguousError{err}
	}
	return m, nil
}

// UpdateMemberRole sets the role of a member.
func (c *Client) UpdateMemberRole(ctx context.Context, memberID string, role Role) (Member, error) {
	m, err := c.updateMemberRole(ctx, memberID, role)
	if err != nil {
		return Member{}, c.redactErr(fmt.Errorf("set role of member %s to %s: %w", memberID, role, err))
	}
	return m, nil
}

func (c *Client) updateMemberRole(ctx context.Context, memberID string, role Role) (Member, error) {
	if memberID == "" {
		return Member{}, errors.New("member id is empty")
	}
	if !role.Valid() {
		return Member{}, fmt.Errorf("invalid role %q (want %s or %s)", role, RoleAdmin, RoleUser)
	}
	path := Expand(PathMember, memberID)
	body := struct {
		Role Role `json:"role"`
	}{role}
	res, err := c.do(ctx, http.MethodPut, path, nil, body, nil)
	if err != nil {
		return Member{}, err
	}
	var m Member
	if err := Decode(res, http.MethodPut, path, &m); err != nil {
		return Member{}, err
	}
	return m, nil
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
