package reconcile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/organization"
)

// DefaultParallelism is how many ACL reads or writes run at once.
const DefaultParallelism = 8

// Reader is what ReadLive needs from the portal API.
type Reader interface {
	ListMembers(ctx context.Context) ([]qovery.Member, error)
	ListBlueprints(ctx context.Context) ([]qovery.Blueprint, error)
	GetACL(ctx context.Context, blueprintID string) (qovery.ACL, error)
}

// ErrInterrupted says the caller's context ended (Ctrl-C, SIGTERM) before the work
// was done.
var ErrInterrupted = errors.New("interrupted")

// ReadLive reads the portal's members, blueprints and every blueprint's ACL into
// the model: ceil(members/100) + ceil(blueprints/100) + blueprints requests. Members
// are listed while the ACLs are read, parallelism ACL reads at a time.
//
// The first failure stops the other reads, and it is the one reported: a 401, an
// unknown organization or a refused connection, never the cancellation it caused
// in a sibling read. When ctx ends first, the error is ErrInterrupted.
func ReadLive(ctx context.Context, r Reader, organization string, parallelism int) (*portal.Config, error) {
	return ReadLiveOrg(ctx, r, nil, organization, parallelism)
}

// ReadLiveOrg is ReadLive that, when o is not nil, also reads the organization's
// roles, members and invitations through o (three more requests, made while the
// portal is read) into the Org of the result. With o nil, nothing is asked of the
// organization's endpoints and the result has no Org.
func ReadLiveOrg(ctx context.Context, r Reader, o OrgReader, orgID string, parallelism int) (*portal.Config, error) {
	if parallelism < 1 {
		parallelism = DefaultParallelism
	}
	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// fail ends the read with err as its cause, unless a failure came first:
	// then err is the cancellation that one caused, and the first cause stays.
	fail := func(err error) { cancel(err) }

	var members []qovery.Member
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var err error
		if members, err = r.ListMembers(ctx); err != nil {
			fail(err)
		}
	}()
	var (
		roles       []organization.Role
		orgMembers  []organization.Member
		invitations []organization.Invitation
	)
	if o != nil {
		for _, read := range []func() error{
			func() (err error) { roles, err = o.ListRoles(ctx); return },
			func() (err error) { orgMembers, err = o.ListMembers(ctx); return },
			func() (err error) { invitations, err = o.ListInvitations(ctx); return },
		} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := read(); err != nil {
					fail(err)
				}
			}()
		}
	}

	blueprints, err := r.ListBlueprints(ctx)
	if err != nil {
		fail(err)
	}
	acls := make([]qovery.ACL, len(blueprints))
	sem := make(chan struct{}, parallelism)
	for i, b := range blueprints {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			acl, err := r.GetACL(ctx, b.ID)
			if err != nil {
				fail(fmt.Errorf("read ACL of blueprint %q: %w", b.Name, err))
				return
			}
			acls[i] = acl
		}()
	}
	wg.Wait()
	if parent.Err() != nil {
		return nil, fmt.Errorf("read live state: %w", ErrInterrupted)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("read live state: %w", context.Cause(ctx))
	}
	cfg := FromAPI(orgID, members, blueprints, acls)
	if o != nil {
		cfg.Org = OrgFromAPI(roles, orgMembers, invitations)
	}
	return cfg, nil
}

// FromAPI converts what the API returned into the model. acls[i] belongs to
// blueprints[i].
func FromAPI(organization string, members []qovery.Member, blueprints []qovery.Blueprint, acls []qovery.ACL) *portal.Config {
	cfg := &portal.Config{Version: 1, Organization: organization, Groups: map[string][]string{}}
	for _, m := range members {
		cfg.Members = append(cfg.Members, portal.Member{
			Email:  liveEmail(m.Email),
			Role:   portal.Role(strings.ToLower(string(m.Role))),
			Status: portal.Status(strings.ToLower(string(m.Status))),
			ID:     m.ID,
		})
	}
	for i, b := range blueprints {
		bp := portal.Blueprint{Name: b.Name, ID: b.ID, Description: b.Description, ETag: acls[i].ETag}
		for _, r := range acls[i].Rules {
			switch r.Type {
			case qovery.RuleDomain:
				bp.Rules = append(bp.Rules, portal.Rule{Kind: portal.RuleDomain, Value: liveDomain(r.Value)})
			case qovery.RuleEmail:
				bp.Rules = append(bp.Rules, portal.Rule{Kind: portal.RuleEmail, Value: liveEmail(r.Value)})
			}
		}
		bp.Open = len(bp.Rules) == 0
		cfg.Blueprints = append(cfg.Blueprints, bp)
	}
	cfg.Sort()
	return cfg
}

// liveEmail normalises an email the portal holds the way the file's are, so that the
// two compare; a value the portal accepted but we cannot parse is kept lower-cased.
func liveEmail(s string) string {
	if e, err := portal.NormalizeEmail(s); err == nil {
		return e
	}
	return strings.ToLower(strings.TrimSpace(s))
}

func liveDomain(s string) string {
	if d, err := portal.NormalizeDomain(s); err == nil {
		return d
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// ToAPIRules converts model rules into the API's.
func ToAPIRules(rules []portal.Rule) []qovery.Rule {
	out := make([]qovery.Rule, 0, len(rules))
	for _, r := range rules {
		t := qovery.RuleEmail
		if r.Kind == portal.RuleDomain {
			t = qovery.RuleDomain
		}
		out = append(out, qovery.Rule{Type: t, Value: r.Value})
	}
	return out
}

// ToAPIRole converts a model role into the API's.
func ToAPIRole(r portal.Role) qovery.Role {
	if r == portal.RoleAdmin {
		return qovery.RoleAdmin
	}
	return qovery.RoleUser
}

// Fingerprint identifies a live state: two reads give the same fingerprint exactly
// when no member, role, blueprint or ACL changed in between, nor (when it was read)
// any role, member or invitation of the organization. A portal member logging in
// (pending to active) does not change it: no operation depends on it. An
// organization invitation expiring, or being accepted, does.
func Fingerprint(live *portal.Config) string {
	h := sha256.New()
	for _, m := range live.Members {
		fmt.Fprintf(h, "m\x00%s\x00%s\x00%s\n", m.ID, m.Email, m.Role)
	}
	for _, b := range live.Blueprints {
		fmt.Fprintf(h, "b\x00%s\x00%s\x00%s\x00%v\n", b.ID, b.Name, b.ETag, b.Open)
		for _, r := range b.Rules {
			io.WriteString(h, string(r.Kind)+"\x00"+r.Value+"\n")
		}
	}
	if live.Org != nil {
		for _, r := range live.Org.Roles {
			fmt.Fprintf(h, "r\x00%s\x00%s\n", r.ID, r.Name)
		}
		for _, m := range live.Org.Members {
			fmt.Fprintf(h, "o\x00%s\x00%s\x00%s\x00%s\n", m.ID, m.Email, m.RoleID, m.Status)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
