package qovery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Client calls the portal API of one organization, through a Transport. It is safe
// for concurrent use.
type Client struct {
	t        *Transport
	basePath string // BasePath with the organization filled in
}

// New checks opts and builds a Client with a Transport of its own.
func New(opts Options) (*Client, error) {
	t, err := NewTransport(opts)
	if err != nil {
		return nil, err
	}
	return NewClient(t, opts.OrganizationID)
}

// NewClient builds a portal Client of organizationID that speaks through t.
func NewClient(t *Transport, organizationID string) (*Client, error) {
	if err := CheckOrganizationID(organizationID); err != nil {
		return nil, err
	}
	return &Client{t: t, basePath: Expand(BasePath, organizationID)}, nil
}

// CheckOrganizationID refuses an empty or malformed organization id before it
// becomes part of a path.
func CheckOrganizationID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return errors.New("organization ID is empty")
	case !ValidOrganizationID(id):
		return fmt.Errorf("organization ID %q is not a UUID; write it like 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", sanitize(id, 80))
	}
	return nil
}

// Transport is the Transport the Client speaks through, for the clients of other
// endpoints of the same API to share.
func (c *Client) Transport() *Transport { return c.t }

// do performs a call to path, relative to the portal's base path.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in any, header http.Header) (*Response, error) {
	return c.t.Do(ctx, Call{Method: method, Base: c.basePath, Path: path, Query: query, Body: in, Header: header, API: PortalAPI})
}

func (c *Client) redactErr(err error) error { return c.t.Redact(err) }
