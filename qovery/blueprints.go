package qovery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/qovery/portalctl/portal"
)

// ListBlueprints returns every blueprint of the catalog (id, name and description),
// in the portal's order, reading pages of 100. A blueprint without an id or a name,
// or two blueprints with one name or one id, is an *UnexpectedError.
func (c *Client) ListBlueprints(ctx context.Context) ([]portal.Blueprint, error) {
	raw, err := listAll[Blueprint](ctx, c, PathBlueprints, "the blueprint list")
	if err != nil {
		return nil, c.redactErr(WithContext("list blueprints", err))
	}
	bps, err := blueprintsFromAPI(raw)
	if err != nil {
		return nil, c.redactErr(err)
	}
	return bps, nil
}

// GetACL reads the rules of a blueprint's ACL (none: open access) and the ETag that
// identifies this version of it. A rule portalctl does not know, an answer without
// "rules" or without an ETag, is an *UnexpectedError naming the blueprint by id.
func (c *Client) GetACL(ctx context.Context, blueprintID string) ([]portal.Rule, string, error) {
	acl, err := c.getACL(ctx, blueprintID)
	if err != nil {
		return nil, "", c.redactErr(WithContext("get ACL of blueprint "+blueprintID, err))
	}
	rules, etag, err := aclFromAPI(aclObject(blueprintID), acl)
	if err != nil {
		return nil, "", c.redactErr(err)
	}
	return rules, etag, nil
}

// getACL reads the ACL answer as it is.
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
	acl.ETag = res.Header.Get("ETag")
	return acl, nil
}

// PutACL replaces the rules of a blueprint (no rules = open access) and returns the
// new ETag. With a non-empty ifMatch the write is conditional:
// ErrPreconditionFailed means someone changed the ACL since it was read, and nothing
// was written. An empty ifMatch writes unconditionally.
//
// When an earlier attempt was retried after a failure the portal may have
// processed, a 412 can be the trace of our own write; the client then
// re-reads the ACL and reports success if it already holds exactly the
// requested rules.
func (c *Client) PutACL(ctx context.Context, blueprintID string, rules []portal.Rule, ifMatch string) (string, error) {
	etag, err := c.putACL(ctx, blueprintID, rules, ifMatch)
	if err != nil {
		return "", c.redactErr(fmt.Errorf("put ACL of blueprint %s: %w", blueprintID, err))
	}
	return etag, nil
}

func (c *Client) putACL(ctx context.Context, blueprintID string, model []portal.Rule, ifMatch string) (string, error) {
	if blueprintID == "" {
		return "", errors.New("blueprint id is empty")
	}
	rules, err := rulesToAPI(model) // "rules": [] on the wire, never null
	if err != nil {
		return "", err
	}
	path := Expand(PathBlueprintACL, blueprintID)
	var header http.Header
	if ifMatch != "" {
		header = http.Header{"If-Match": {ifMatch}}
	}
	res, err := c.do(ctx, http.MethodPut, path, nil, ACL{Rules: rules}, header)
	if err != nil {
		if errors.Is(err, ErrPreconditionFailed) && res != nil && res.Uncertain {
			if cur, gerr := c.getACL(ctx, blueprintID); gerr == nil && holds(cur.Rules, model) {
				c.t.log.DebugContext(ctx, "portal: 412 after an uncertain retry; ACL already holds the requested rules", "blueprint", blueprintID)
				return cur.ETag, nil
			}
		}
		return "", err
	}
	// The answer may echo the ACL as it is now: other rules than the ones
	// sent are not the write portalctl made.
	if len(bytes.TrimSpace(res.Body)) > 0 {
		var echo ACL
		if err := Decode(res, http.MethodPut, path, &echo); err != nil {
			return "", &ambiguousError{err}
		}
		if echo.Rules != nil && !holds(echo.Rules, model) {
			return "", &ContradictionError{API: PortalAPI, What: fmt.Sprintf("the ACL of blueprint id %s holds %s, where portalctl sent %s", Quote(blueprintID), describeRules(echo.Rules), describeRules(rules))}
		}
	}
	return res.Header.Get("ETag"), nil
}

// holds reports whether the rules of an answer are the model rules portalctl sent,
// read as a listing reads them (rulesFromAPI: the case of ASCII letters aside, a
// domain in Unicode or punycode) and compared as the plan compares them
// (portal.SameRules). An answer portalctl cannot read holds nothing it sent.
func holds(answer []Rule, model []portal.Rule) bool {
	got, err := rulesFromAPI("", answer)
	return err == nil && portal.SameRules(got, model)
}

// describeRules writes rules of the wire for a message: "no rules (open)", or
// "the rules DOMAIN "company.com", EMAIL "a@company.com"".
func describeRules(rules []Rule) string {
	if len(rules) == 0 {
		return "no rules (open to every member)"
	}
	parts := make([]string, 0, min(len(rules), 5))
	for i, r := range rules {
		if i == 4 && len(rules) > 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(rules)-4))
			break
		}
		parts = append(parts, string(r.Type)+" "+Quote(r.Value))
	}
	return "the rules " + strings.Join(parts, ", ")
}
