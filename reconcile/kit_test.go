package reconcile_test

// Shared machinery of the package's tests: an emulator served over loopback HTTP
// (emutest) with real clients, and the loader and live reader they plan with.

import (
	"context"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit/emutest"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

const (
	testToken = "reconcile-test-token"
	testOrg   = "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"

	routeMembers = "/organization/{organizationId}/portal/member"
	routeMember  = "/organization/{organizationId}/portal/member/{memberId}"
	routeBPs     = "/organization/{organizationId}/portal/blueprint"
	routeACL     = "/organization/{organizationId}/portal/blueprint/{blueprintId}/acl"
)

// --- emulator over loopback ---

type emu struct {
	srv *emulator.Server
	url string
}

// startEmu serves an emulator over loopback, every request and answer checked
// against the OpenAPI documents (emutest).
func startEmu(t *testing.T, opts emulator.Options) *emu {
	t.Helper()
	opts.Token = testToken
	opts.OrganizationID = testOrg
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	s := emutest.Start(t, opts)
	return &emu{srv: s.Emu, url: s.URL}
}

// clients builds the portal and organization clients on one transport, with fast
// retries; retryMax < 0 disables retries.
func (e *emu) clients(t *testing.T, retryMax int) (*qovery.Client, *organization.Client) {
	t.Helper()
	c := e.client(t, retryMax)
	o, err := organization.New(c.Transport(), testOrg)
	if err != nil {
		t.Fatal(err)
	}
	return c, o
}

// client builds a client with fast retries; retryMax < 0 disables retries.
func (e *emu) client(t *testing.T, retryMax int) *qovery.Client {
	t.Helper()
	c, err := qovery.New(qovery.Options{
		BaseURL:        e.url,
		Token:          testToken,
		OrganizationID: testOrg,
		Version:        "test",
		Timeout:        10 * time.Second,
		RetryMax:       retryMax,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   5 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("qovery.New: %v", err)
	}
	return c
}

func (e *emu) count(method, route string) int {
	return e.srv.Stats().Requests[method+" "+route]
}

func readLive(t *testing.T, c reconcile.Reader) *portal.Config {
	t.Helper()
	live, err := reconcile.ReadLive(context.Background(), c, testOrg, 4)
	if err != nil {
		t.Fatalf("ReadLive: %v", err)
	}
	return live
}

// parseFile loads portal.yaml text with the real loader and fails on any error.
func parseFile(t *testing.T, src string) *portal.Config {
	t.Helper()
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg, ds := l.Parse("portal.yaml", []byte(src))
	if ds.HasErrors() {
		t.Fatalf("portal.yaml does not load: %+v", ds)
	}
	return cfg
}

func actions(ops []reconcile.Op) []string {
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = string(o.Action) + " " + o.Email + o.Blueprint
	}
	return out
}
