package reconcile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
)

// DefaultParallelism is how many ACL reads or writes run at once.
const DefaultParallelism = 8

// Reader is what ReadLive needs from the portal API: the portal's answers already
// read into the model (the client's translation refuses what it does not
// understand).
type Reader interface {
	ListMembers(ctx context.Context) ([]portal.Member, error)
	// ListBlueprints gives each blueprint's id, name and description.
	ListBlueprints(ctx context.Context) ([]portal.Blueprint, error)
	// GetACL gives the rules of a blueprint's ACL (none: open) and its ETag.
	GetACL(ctx context.Context, blueprintID string) (rules []portal.Rule, etag string, err error)
}

// ErrInterrupted says the caller's context ended (Ctrl-C, SIGTERM) before the work
// was done.
var ErrInterrupted = errors.New("interrupted")

// ReadLive reads the portal's members, blueprints and every blueprint's ACL into
// the model: ceil(members/100) + ceil(blueprints/100) + blueprints requests. Members
// are listed while the ACLs are read, parallelism ACL reads at a time.
//
// The first failure stops the other reads, and it is the one reported: a 401, an
// unknown organization, a refused connection or an answer portalctl does not
// understand (a *qovery.UnexpectedError), never the cancellation it caused in a
// sibling read. When ctx ends first, the error is ErrInterrupted.
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

	var members []portal.Member
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var err error
		if members, err = r.ListMembers(ctx); err != nil {
			fail(err)
		}
	}()
	var org *portal.Org
	if o != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if org, err = o.Read(ctx); err != nil {
				fail(err)
			}
		}()
	}

	blueprints, err := r.ListBlueprints(ctx)
	if err != nil {
		fail(err)
	}
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
			rules, etag, err := r.GetACL(ctx, b.ID)
			var ue *qovery.UnexpectedError
			switch {
			case errors.As(err, &ue):
				// The ACL read knew the blueprint's id only.
				fail(ue.About(fmt.Sprintf("blueprint %s (id %s)", qovery.Quote(b.Name), qovery.Quote(b.ID))))
				return
			case err != nil:
				fail(fmt.Errorf("read ACL of blueprint %q: %w", b.Name, err))
				return
			}
			blueprints[i].Rules, blueprints[i].ETag = rules, etag
			blueprints[i].Open = len(rules) == 0
		}()
	}
	wg.Wait()
	if parent.Err() != nil {
		return nil, fmt.Errorf("read live state: %w", ErrInterrupted)
	}
	if ctx.Err() != nil {
		return nil, qovery.WithContext("read live state", context.Cause(ctx))
	}
	cfg := &portal.Config{Version: 1, Organization: orgID, Members: members, Blueprints: blueprints, Groups: map[string][]string{}, Org: org}
	cfg.Sort()
	return cfg, nil
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
