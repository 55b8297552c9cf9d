package qovery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ListBlueprints returns every blueprint of the catalog, in the portal's
// order, reading pages of 100.
func (c *Client) ListBlueprints(ctx context.Context) ([]Blueprint, error) {
	bps, err := listAll[Blueprint](ctx, c, PathBlueprints)
	if err != nil {
		return nil, c.redactErr(fmt.Errorf("list blueprints: %w", err))
	}
	return bps, nil
}

// GetACL reads the ACL of a blueprint and its ETag.
func (c *Client) GetACL(ctx context.Context, blueprintID string) (ACL, error) {
	acl, err := c.getACL(ctx, blueprintID)
	if err != nil {
		return ACL{}, c.redactErr(fmt.Errorf("get ACL of blueprint %s: %w", blueprintID, err))
	}
	return acl, nil
}

func (c *Client) getACL(ctx context.Context, blueprintID string) (ACL, error) {
	if blueprintID == "" {
		return ACL{}, errors.New("blueprint id is empty")
	}
	path := Expand(PathBlueprintACL, blueprintID)
	res, err := c.do(ctx, http.MethodGet, path, nil, nil, nil)
	if err != nil {
		return ACL{}, err
	}
	var acl ACL
	if err := Decode(res, http.MethodGet, path, &acl); err != nil {
		return ACL{}, err
	}
	if acl.Rules == nil {
		acl.Rules = []Rule{}
	}
	acl.ETag = res.Header.Get("ETag")
	return acl, nil
}

// PutACL replaces the rules of a blueprint (no rules = open access). With
// a non-empty ifMatch the write is conditional: ErrPreconditionFailed means
// someone changed the ACL since it was read, and nothing was written. An
// empty ifMatch writes unconditionally. The returned ACL carries the new
// ETag.
//
// When an earlier attempt was retried after a failure the portal may have
// processed, a 412 can be the trace of our own write; the client then
// re-reads the ACL and reports success if it already holds exactly the
// requested rules.
func (c *Client) PutACL(ctx context.Context, blueprintID string, rules []Rule, ifMatch string) (ACL, error) {
	acl, err := c.putACL(ctx, blueprintID, rules, ifMatch)
	if err != nil {
		return ACL{}, c.redactErr(fmt.Errorf("put ACL of blueprint %s: %w", blueprintID, err))
	}
	return acl, nil
}

func (c *Client) putACL(ctx context.Context, blueprintID string, rules []Rule, ifMatch string) (ACL, error) {
	if blueprintID == "" {
		return ACL{}, errors.New("blueprint id is empty")
	}
	if rules == nil {
		rules = []Rule{} // "rules": [] on the wire, never null
	}
	path := Expand(PathBlueprintACL, blueprintID)
	var header http.Header
	if ifMatch != "" {
		header = http.Header{"If-Match": {ifMatch}}
	}
	res, err := c.do(ctx, http.MethodPut, path, nil, ACL{Rules: rules}, header)
	if err != nil {
		if errors.Is(err, ErrPreconditionFailed) && res != nil && res.Uncertain {
			if cur, gerr := c.getACL(ctx, blueprintID); gerr == nil && SameRules(cur.Rules, rules) {
				c.t.log.DebugContext(ctx, "portal: 412 after an uncertain retry; ACL already holds the requested rules", "blueprint", blueprintID)
				return cur, nil
			}
		}
		return ACL{}, err
	}
	acl := ACL{Rules: rules}
	if len(strings.TrimSpace(string(res.Body))) > 0 {
		if err := Decode(res, http.MethodPut, path, &acl); err != nil {
			return ACL{}, err
		}
		if acl.Rules == nil {
			acl.Rules = []Rule{}
		}
	}
	acl.ETag = res.Header.Get("ETag")
	return acl, nil
}

// SameRules reports whether a and b hold the same set of rules, ignoring
// order, duplicates and the case of values.
func SameRules(a, b []Rule) bool {
	set := func(rs []Rule) map[Rule]bool {
		m := make(map[Rule]bool, len(rs))
		for _, r := range rs {
			m[Rule{Type: r.Type, Value: strings.ToLower(r.Value)}] = true
		}
		return m
	}
	sa, sb := set(a), set(b)
	if len(sa) != len(sb) {
		return false
	}
	for r := range sa {
		if !sb[r] {
			return false
		}
	}
	return true
}
