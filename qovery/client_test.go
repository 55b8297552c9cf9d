package qovery_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit/emutest"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
)

const (
	testToken = "tok-SECRET-123"
	testOrg   = "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"

	routeMembers = "/organization/{organizationId}/portal/member"
	routeMember  = "/organization/{organizationId}/portal/member/{memberId}"
	routeBPs     = "/organization/{organizationId}/portal/blueprint"
	routeACL     = "/organization/{organizationId}/portal/blueprint/{blueprintId}/acl"
)

// startEmulator serves an emulator over real loopback HTTP, every request and
// answer checked against the portal's OpenAPI document.
func startEmulator(t *testing.T, opts emulator.Options, with ...emutest.Option) (*emulator.Server, string) {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	opts.OrganizationID = testOrg
	s := emutest.Start(t, opts, with...)
	return s.Emu, s.URL
}

// newClient builds a client with fast retries; edit adjusts the options.
func newClient(t *testing.T, baseURL string, edit func(*qovery.Options)) *qovery.Client {
	t.Helper()
	opts := qovery.Options{
		BaseURL:        baseURL,
		Token:          testToken,
		OrganizationID: testOrg,
		Version:        "test",
		Timeout:        10 * time.Second,
		RetryWaitMin:   time.Millisecond,
		RetryWaitMax:   5 * time.Millisecond,
	}
	if edit != nil {
		edit(&opts)
	}
	c, err := qovery.New(opts)
	if err != nil {
		t.Fatalf("qovery.New: %v", err)
	}
	return c
}

func count(srv *emulator.Server, method, route string) int {
	return srv.Stats().Requests[method+" "+route]
}

func TestListPaginates(t *testing.T) {
	tests := []struct {
		name          string
		members       int
		blueprints    int
		maxPageSize   int
		wantMemberReq int
		wantBPReq     int
	}{
		{"several pages", 10, 7, 3, 4, 3},
		{"empty portal", 0, 0, 0, 1, 1},
		{"exactly one full page", 100, 100, 0, 1, 1},
		{"one more than a page", 101, 1, 0, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Options{MaxPageSize: tt.maxPageSize})
			for i := range tt.members {
				srv.AddMember(fmt.Sprintf("user%03d@company.com", i), qovery.RoleUser, qovery.StatusActive)
			}
			for i := range tt.blueprints {
				srv.AddBlueprint(fmt.Sprintf("bp-%03d", i), "", nil)
			}
			c := newClient(t, url, nil)
			ctx := context.Background()

			members, err := c.ListMembers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, m := range members {
				got = append(got, m.ID+" "+m.Email+" "+string(m.Role)+" "+string(m.Status))
			}
			for _, m := range srv.Members() {
				want = append(want, m.ID+" "+m.Email+" "+strings.ToLower(string(m.Role))+" "+strings.ToLower(string(m.Status)))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("members\n%s\nwant\n%s", got, want)
			}
			bps, err := c.ListBlueprints(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, want = nil, nil
			for _, b := range bps {
				got = append(got, b.ID+" "+b.Name)
			}
			for _, b := range srv.Blueprints() {
				want = append(want, b.ID+" "+b.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("blueprints\n%s\nwant\n%s", got, want)
			}
			if n := count(srv, "GET", routeMembers); n != tt.wantMemberReq {
				t.Errorf("%d member list requests, want %d", n, tt.wantMemberReq)
			}
			if n := count(srv, "GET", routeBPs); n != tt.wantBPReq {
				t.Errorf("%d blueprint list requests, want %d", n, tt.wantBPReq)
			}
		})
	}
}

// call is one client operation against a portal holding alice and the
// blueprint "ds" (ACL: company.com).
type call func(ctx context.Context, c *qovery.Client, srv *emulator.Server) error

func seed(srv *emulator.Server) {
	srv.AddMember("alice@company.com", qovery.RoleAdmin, qovery.StatusActive)
	srv.AddBlueprint("ds", "Data science", []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}})
}

func memberID(srv *emulator.Server, email string) string {
	for _, m := range srv.Members() {
		if m.Email == email {
			return m.ID
		}
	}
	return "missing-" + email
}

func hasMember(srv *emulator.Server, email string) bool {
	return !strings.HasPrefix(memberID(srv, email), "missing-")
}

var (
	listMembers call = func(ctx context.Context, c *qovery.Client, _ *emulator.Server) error {
		_, err := c.ListMembers(ctx)
		return err
	}
	getACL call = func(ctx context.Context, c *qovery.Client, srv *emulator.Server) error {
		_, _, err := c.GetACL(ctx, srv.Blueprints()[0].ID)
		return err
	}
	putACL call = func(ctx context.Context, c *qovery.Client, srv *emulator.Server) error {
		before, _ := srv.ACL("ds")
		etag, err := c.PutACL(ctx, srv.Blueprints()[0].ID, []portal.Rule{{Kind: portal.RuleEmail, Value: "bob@company.com"}}, before.ETag)
		if err != nil {
			return err
		}
		after, _ := srv.ACL("ds")
		if etag != after.ETag || len(after.Rules) != 1 || after.Rules[0].Value != "bob@company.com" {
			return fmt.Errorf("PutACL returned %s, portal holds %+v", etag, after)
		}
		return nil
	}
	promote call = func(ctx context.Context, c *qovery.Client, srv *emulator.Server) error {
		m, err := c.UpdateMemberRole(ctx, memberID(srv, "alice@company.com"), portal.RoleUser)
		if err == nil && m.Role != portal.RoleUser {
			return fmt.Errorf("role %s after update", m.Role)
		}
		return err
	}
	remove call = func(ctx context.Context, c *qovery.Client, srv *emulator.Server) error {
		if err := c.RemoveMember(ctx, memberID(srv, "alice@company.com")); err != nil {
			return err
		}
		if hasMember(srv, "alice@company.com") {
			return errors.New("alice still a member")
		}
		return nil
	}
	invite call = func(ctx context.Context, c *qovery.Client, srv *emulator.Server) error {
		m, err := c.InviteMember(ctx, "bob@company.com", portal.RoleUser)
		if err == nil && (m.Email != "bob@company.com" || m.Status != portal.StatusPending || m.ID == "") {
			return fmt.Errorf("invited %+v", m)
		}
		return err
	}
)

func TestFaults(t *testing.T) {
	const (
		rl    = emulator.FaultRateLimit
		gw    = emulator.FaultBadGateway
		dropB = emulator.FaultDropBefore
		dropA = emulator.FaultDropAfter
	)
	tests := []struct {
		name          string
		faults        []emulator.Fault
		call          call
		route         string // counted route; "" skips the count check
		wantRequests  int
		wantErr       error // nil: success
		wantStatus    int   // status of the final *APIError, if any
		wantAmbiguous bool
		wantBob       *bool // whether bob ends up invited (POST cases)
	}{
		{name: "GET list after two 429s", faults: []emulator.Fault{rl, rl}, call: listMembers, route: "GET " + routeMembers, wantRequests: 3},
		{name: "GET ACL after 502", faults: []emulator.Fault{gw}, call: getACL, route: "GET " + routeACL, wantRequests: 2},
		{name: "GET ACL after a dropped connection", faults: []emulator.Fault{dropB, gw}, call: getACL},
		{name: "PUT ACL after 502 and a dropped connection", faults: []emulator.Fault{gw, dropB}, call: putACL, route: "PUT " + routeACL, wantRequests: 3},
		{name: "PUT ACL processed then dropped: own write recognised", faults: []emulator.Fault{dropA}, call: putACL, route: "PUT " + routeACL, wantRequests: 2},
		{name: "PUT role after 429, 502 and drops", faults: []emulator.Fault{rl, gw, dropB, dropA}, call: promote, route: "PUT " + routeMember, wantRequests: 5},
		{name: "DELETE after 502", faults: []emulator.Fault{gw}, call: remove, route: "DELETE " + routeMember, wantRequests: 2},
		{name: "DELETE processed then dropped: the retry's 404 is reported, not taken for success", faults: []emulator.Fault{dropA}, call: remove, route: "DELETE " + routeMember, wantRequests: 2, wantErr: qovery.ErrNotFound},
		{name: "POST retried after 429", faults: []emulator.Fault{rl, rl}, call: invite, route: "POST " + routeMembers, wantRequests: 3, wantBob: ptr(true)},
		{name: "POST 502 is ambiguous and not replayed", faults: []emulator.Fault{gw}, call: invite, route: "POST " + routeMembers, wantRequests: 1, wantErr: qovery.ErrAmbiguous, wantAmbiguous: true, wantBob: ptr(false)},
		{name: "POST dropped before processing is ambiguous", faults: []emulator.Fault{dropB}, call: invite, route: "POST " + routeMembers, wantRequests: 1, wantErr: qovery.ErrAmbiguous, wantAmbiguous: true, wantBob: ptr(false)},
		{name: "POST processed then dropped is ambiguous, created once", faults: []emulator.Fault{dropA}, call: invite, route: "POST " + routeMembers, wantRequests: 1, wantErr: qovery.ErrAmbiguous, wantAmbiguous: true, wantBob: ptr(true)},
		{name: "GET gives up after RetryMax", faults: []emulator.Fault{gw, gw, gw, gw, gw}, call: listMembers, route: "GET " + routeMembers, wantRequests: 5, wantStatus: http.StatusBadGateway},
		{name: "429 until giving up is ErrRateLimited", faults: []emulator.Fault{rl, rl, rl, rl, rl}, call: invite, route: "POST " + routeMembers, wantRequests: 5, wantErr: qovery.ErrRateLimited, wantBob: ptr(false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Options{})
			seed(srv)
			c := newClient(t, url, func(o *qovery.Options) { o.RetryMax = 4 })
			srv.InjectFaults(tt.faults...)
			err := tt.call(context.Background(), c, srv)

			switch {
			case tt.wantStatus != 0:
				var apiErr *qovery.APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.wantStatus {
					t.Fatalf("err = %v, want a final %d", err, tt.wantStatus)
				}
			case tt.wantErr == nil && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := errors.Is(err, qovery.ErrAmbiguous); got != tt.wantAmbiguous {
				t.Errorf("ambiguous = %v, want %v (err %v)", got, tt.wantAmbiguous, err)
			}
			if tt.route != "" {
				if n := srv.Stats().Requests[tt.route]; n != tt.wantRequests {
					t.Errorf("%d requests to %s, want %d", n, tt.route, tt.wantRequests)
				}
			}
			if tt.wantBob != nil {
				if got := hasMember(srv, "bob@company.com"); got != *tt.wantBob {
					t.Errorf("bob invited = %v, want %v", got, *tt.wantBob)
				}
				if n := len(srv.Members()); *tt.wantBob && n != 2 {
					t.Errorf("%d members, want 2 (no duplicate)", n)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// hookHandler is a slog.Handler that calls fn for every record, so a test
// can act between two attempts of one call.
type hookHandler struct{ fn func(slog.Record) }

func (h hookHandler) Enabled(context.Context, slog.Level) bool      { return true }
func (h hookHandler) Handle(_ context.Context, r slog.Record) error { h.fn(r); return nil }
func (h hookHandler) WithAttrs([]slog.Attr) slog.Handler            { return h }
func (h hookHandler) WithGroup(string) slog.Handler                 { return h }

// A conditional write whose first attempt was processed but unanswered,
// followed by someone else's edit before the retry: the 412 must stand,
// the other edit must survive.
func TestPutACLNeverOverwritesAConcurrentEdit(t *testing.T) {
	srv, url := startEmulator(t, emulator.Options{})
	seed(srv)
	uiEdit := []qovery.Rule{{Type: qovery.RuleEmail, Value: "carol@company.com"}}
	var once sync.Once
	c := newClient(t, url, func(o *qovery.Options) {
		o.Logger = slog.New(hookHandler{func(r slog.Record) {
			if strings.Contains(r.Message, "retrying") {
				once.Do(func() { srv.SetACL("ds", uiEdit) })
			}
		}})
	})
	before, _ := srv.ACL("ds")
	srv.InjectFaults(emulator.FaultDropAfter)
	_, err := c.PutACL(context.Background(), srv.Blueprints()[0].ID, []portal.Rule{{Kind: portal.RuleEmail, Value: "bob@company.com"}}, before.ETag)
	if !errors.Is(err, qovery.ErrPreconditionFailed) {
		t.Fatalf("err = %v, want ErrPreconditionFailed", err)
	}
	if after, _ := srv.ACL("ds"); !slices.Equal(after.Rules, uiEdit) {
		t.Fatalf("ACL %v, want the concurrent edit %v", after.Rules, uiEdit)
	}
}

func TestConflictsAndPreconditions(t *testing.T) {
	srv, url := startEmulator(t, emulator.Options{})
	seed(srv)
	c := newClient(t, url, nil)
	ctx := context.Background()
	bpID := srv.Blueprints()[0].ID

	t.Run("duplicate invite is 409", func(t *testing.T) {
		_, err := c.InviteMember(ctx, "Alice@Company.com", portal.RoleUser)
		var apiErr *qovery.APIError
		if !errors.Is(err, qovery.ErrConflict) || !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, "already a member") {
			t.Fatalf("err = %v", err)
		}
		if errors.Is(err, qovery.ErrAmbiguous) {
			t.Errorf("a 409 is not ambiguous")
		}
		if !strings.HasPrefix(err.Error(), "invite Alice@Company.com: POST /member: 409 Conflict: ") {
			t.Errorf("error text %q", err)
		}
	})
	t.Run("stale If-Match is 412 and writes nothing", func(t *testing.T) {
		_, read, err := c.GetACL(ctx, bpID)
		if err != nil {
			t.Fatal(err)
		}
		uiEdit := []qovery.Rule{{Type: qovery.RuleDomain, Value: "partner.org"}}
		srv.SetACL("ds", uiEdit)
		_, err = c.PutACL(ctx, bpID, nil, read)
		if !errors.Is(err, qovery.ErrPreconditionFailed) {
			t.Fatalf("err = %v, want ErrPreconditionFailed", err)
		}
		if want := fmt.Sprintf("put ACL of blueprint %s: PUT /blueprint/%s/acl: 412 Precondition Failed: etag is stale", bpID, bpID); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("error text %q, want prefix %q", err, want)
		}
		if now, _ := srv.ACL("ds"); !slices.Equal(now.Rules, uiEdit) {
			t.Errorf("the concurrent edit was overwritten: %v", now.Rules)
		}
	})
	t.Run("fresh ETag writes, empty rules open the blueprint", func(t *testing.T) {
		_, read, err := c.GetACL(ctx, bpID)
		if err != nil {
			t.Fatal(err)
		}
		etag, err := c.PutACL(ctx, bpID, nil, read)
		if err != nil {
			t.Fatal(err)
		}
		if now, _ := srv.ACL("ds"); now.Rules == nil || len(now.Rules) != 0 || etag == read || etag == "" || etag != now.ETag {
			t.Errorf("PutACL = %s, portal holds %+v (read ETag %s)", etag, now, read)
		}
	})
	t.Run("unknown blueprint is 404, ids are path-escaped", func(t *testing.T) {
		_, _, err := c.GetACL(ctx, "a/b")
		if !errors.Is(err, qovery.ErrNotFound) || !strings.Contains(err.Error(), `blueprint \"a/b\" not found`) && !strings.Contains(err.Error(), `blueprint "a/b" not found`) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestBadRequests(t *testing.T) {
	// The client sends what the emulator refuses, on purpose.
	srv, url := startEmulator(t, emulator.Options{}, emutest.AnswersOnly())
	seed(srv)
	c := newClient(t, url, nil)
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"invalid email", func() error { _, err := c.InviteMember(ctx, "not-an-email", portal.RoleUser); return err }, "not a valid email"},
		{"invalid domain", func() error {
			_, err := c.PutACL(ctx, srv.Blueprints()[0].ID, []portal.Rule{{Kind: portal.RuleDomain, Value: "@company"}}, "")
			return err
		}, "not a valid domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var apiErr *qovery.APIError
			if !errors.Is(err, qovery.ErrBadRequest) || !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, tt.want) {
				t.Fatalf("err = %v, want a 400 saying %q", err, tt.want)
			}
		})
	}
	// Checked locally, without a request.
	srv.ResetStats()
	if _, err := c.InviteMember(ctx, "x@company.com", "OWNER"); err == nil {
		t.Error("invalid role accepted")
	}
	if _, err := c.PutACL(ctx, srv.Blueprints()[0].ID, []portal.Rule{{Kind: "ip", Value: "10.0.0.1"}}, ""); err == nil {
		t.Error("unknown rule kind accepted")
	}
	if err := c.RemoveMember(ctx, ""); err == nil {
		t.Error("empty member id accepted")
	}
	if n := srv.Stats().Total; n != 0 {
		t.Errorf("%d requests for locally refused calls", n)
	}
}

func TestTokenNeverLeaks(t *testing.T) {
	t.Run("emulator 401", func(t *testing.T) {
		_, url := startEmulator(t, emulator.Options{Token: "another-token"})
		var logs bytes.Buffer
		c := newClient(t, url, func(o *qovery.Options) {
			o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		_, err := c.ListMembers(context.Background())
		if !errors.Is(err, qovery.ErrUnauthorized) || !strings.Contains(err.Error(), "missing or invalid API token") {
			t.Fatalf("err = %v, want a 401 with the server message", err)
		}
		if strings.Contains(err.Error(), testToken) || strings.Contains(logs.String(), testToken) {
			t.Fatalf("token leaked:\n%v\n%s", err, logs.String())
		}
		if logs.Len() == 0 {
			t.Error("no debug lines logged")
		}
	})

	// A server that echoes the credentials it received, in messages and
	// in garbage bodies, with and without retries.
	echo := func(status int, jsonBody bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			auth := r.Header.Get("Authorization")
			if auth != "Token "+testToken {
				http.Error(w, "unexpected Authorization header", http.StatusTeapot)
				return
			}
			if jsonBody {
				w.WriteHeader(status)
				fmt.Fprintf(w, `{"status":%d,"error":"oops %s","message":"bad credentials %q"}`, status, testToken, auth)
				return
			}
			http.Error(w, "<html>proxy error for "+auth+"</html>", status)
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		call    func(*qovery.Client) error
		want    error
	}{
		{"401 JSON", echo(401, true), func(c *qovery.Client) error { _, err := c.ListMembers(context.Background()); return err }, qovery.ErrUnauthorized},
		{"502 HTML after retries", echo(502, false), func(c *qovery.Client) error { _, _, err := c.GetACL(context.Background(), "x"); return err }, nil},
		{"POST 500 ambiguous", echo(500, true), func(c *qovery.Client) error {
			_, err := c.InviteMember(context.Background(), "a@b.co", portal.RoleUser)
			return err
		}, qovery.ErrAmbiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(tt.handler)
			defer ts.Close()
			var logs bytes.Buffer
			c := newClient(t, ts.URL, func(o *qovery.Options) {
				o.RetryMax = 2
				o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			err := tt.call(c)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(logs.String(), testToken) {
				t.Fatalf("token leaked:\n%v\n%s", err, logs.String())
			}
			if !strings.Contains(err.Error(), "[REDACTED]") {
				t.Errorf("error %q does not show where the token was redacted", err)
			}
			var apiErr *qovery.APIError
			if !errors.As(err, &apiErr) || strings.Contains(apiErr.Message+apiErr.ErrorText, testToken) {
				t.Errorf("APIError %+v", apiErr)
			}
		})
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var leaked sync.Map
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store("auth", r.Header.Get("Authorization"))
	}))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	c := newClient(t, redirector.URL, nil)
	_, err := c.ListMembers(context.Background())
	var apiErr *qovery.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("err = %v, want the 307 as an error", err)
	}
	if _, ok := leaked.Load("auth"); ok {
		t.Fatal("the redirect was followed")
	}
}

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		token   string
		org     string
		wantErr string // "" = accepted
	}{
		{"https", "https://api.qovery.com", testToken, testOrg, ""},
		{"https with prefix and slash", "https://gw.example.com/qovery/", testToken, testOrg, ""},
		{"http loopback v4", "http://127.0.0.1:8080", testToken, testOrg, ""},
		{"http loopback 127/8", "http://127.9.9.9", testToken, testOrg, ""},
		{"http loopback v6", "http://[::1]:8080", testToken, testOrg, ""},
		{"http localhost", "http://localhost:1234", testToken, testOrg, ""},
		{"http remote", "http://api.qovery.com", testToken, testOrg, "refusing plain-HTTP"},
		{"http lookalike of localhost", "http://localhost.evil.com", testToken, testOrg, "refusing plain-HTTP"},
		{"http unspecified address", "http://0.0.0.0:80", testToken, testOrg, "refusing plain-HTTP"},
		{"http private address", "http://10.0.0.1", testToken, testOrg, "refusing plain-HTTP"},
		{"other scheme", "ftp://api.qovery.com", testToken, testOrg, "must start with https://"},
		{"no scheme", "api.qovery.com", testToken, testOrg, "has no host"},
		{"credentials in URL", "https://user:pw@api.qovery.com", testToken, testOrg, "must not carry credentials"},
		{"query", "https://api.qovery.com?x=1", testToken, testOrg, "query"},
		{"empty URL", "", testToken, testOrg, "URL is empty"},
		{"empty token", "https://api.qovery.com", "", testOrg, "token is empty"},
		{"token with newline", "https://api.qovery.com", "a\nb", testOrg, "control characters"},
		{"empty organization", "https://api.qovery.com", testToken, " ", "organization ID is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := qovery.New(qovery.Options{BaseURL: tt.url, Token: tt.token, OrganizationID: tt.org})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if err != nil && (strings.Contains(err.Error(), "pw@") || strings.Contains(err.Error(), testToken)) {
				t.Errorf("secret in error %q", err)
			}
		})
	}
}

func TestTLSVerificationStaysOn(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Token: testToken, OrganizationID: testOrg})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	ts.StartTLS()                                   // self-signed: must be refused
	defer ts.Close()
	var logs bytes.Buffer
	c := newClient(t, ts.URL, func(o *qovery.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err = c.ListMembers(context.Background())
	var certErr *tls.CertificateVerificationError
	if !errors.As(err, &certErr) {
		t.Fatalf("err = %v, want a certificate verification error", err)
	}
	if n := strings.Count(logs.String(), "msg=\"API request\""); n != 1 {
		t.Errorf("%d attempts, want 1: certificate errors are not retried\n%s", n, logs.String())
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	var logs bytes.Buffer
	c := newClient(t, "http://"+addr, func(o *qovery.Options) {
		o.RetryMax = 2
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err = c.InviteMember(context.Background(), "a@b.co", portal.RoleUser)
	if err == nil || errors.Is(err, qovery.ErrAmbiguous) {
		t.Fatalf("err = %v, want a plain (not ambiguous) connection error", err)
	}
	if n := strings.Count(logs.String(), "msg=\"API request\""); n != 3 {
		t.Errorf("%d attempts, want 3: a POST that never connected is safe to retry", n)
	}
}

func TestContextCancellation(t *testing.T) {
	tests := []struct {
		name    string
		opts    emulator.Options
		faults  []emulator.Fault
		client  func(*qovery.Options)
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{
			name: "during a slow answer",
			opts: emulator.Options{Latency: time.Hour},
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 50*time.Millisecond)
			},
			wantErr: context.DeadlineExceeded,
		},
		{
			name:   "during backoff",
			faults: []emulator.Fault{emulator.FaultBadGateway},
			client: func(o *qovery.Options) { o.RetryWaitMin, o.RetryWaitMax = time.Hour, time.Hour },
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 50*time.Millisecond)
			},
			wantErr: context.DeadlineExceeded,
		},
		{
			name: "already cancelled",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			},
			wantErr: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, url := startEmulator(t, tt.opts)
			srv.InjectFaults(tt.faults...)
			c := newClient(t, url, tt.client)
			ctx, cancel := tt.ctx()
			defer cancel()
			done := make(chan error, 1)
			go func() { _, err := c.ListMembers(ctx); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "list members: GET /member: ") {
					t.Errorf("error text %q", err)
				}
			case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
				t.Fatal("the call did not return after its context ended")
			}
		})
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	ctx := context.Background()

	srv1, url1 := startEmulator(t, emulator.Options{StatePath: path})
	seed(srv1)
	c1 := newClient(t, url1, nil)
	bob, err := c1.InviteMember(ctx, "bob@company.com", portal.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	bobCreated := srv1.Members()[1].CreatedAt
	bpID := srv1.Blueprints()[0].ID
	_, read, err := c1.GetACL(ctx, bpID)
	if err != nil {
		t.Fatal(err)
	}
	rules := []portal.Rule{{Kind: portal.RuleEmail, Value: "bob@company.com"}}
	written, err := c1.PutACL(ctx, bpID, rules, read)
	if err != nil {
		t.Fatal(err)
	}

	// Restart on the same state file, with a seed that must lose.
	srv2, url2 := startEmulator(t, emulator.Options{StatePath: path, Initial: &emulator.State{}})
	c2 := newClient(t, url2, nil)
	members, err := c2.ListMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 2 || members[1].ID != bob.ID || members[1].Status != portal.StatusPending || !srv2.Members()[1].CreatedAt.Equal(bobCreated) {
		t.Fatalf("members after restart %+v", members)
	}
	got, etag, err := c2.GetACL(ctx, bpID)
	if err != nil {
		t.Fatal(err)
	}
	if etag != written || !slices.Equal(got, rules) {
		t.Fatalf("ACL after restart %+v %s, want %+v %s", got, etag, rules, written)
	}
	// The ETag read before the restart still guards writes after it.
	if _, err := c2.PutACL(ctx, bpID, nil, read); !errors.Is(err, qovery.ErrPreconditionFailed) {
		t.Fatalf("stale ETag after restart: %v", err)
	}
	_ = srv2
}

// Random faults and a rate limit: every idempotent call converges, and an
// invite loop that re-reads after ErrAmbiguous never meets its own 409.
func TestConvergesUnderRandomFaults(t *testing.T) {
	srv, url := startEmulator(t, emulator.Options{Seed: 42})
	for i := range 30 {
		srv.AddBlueprint(fmt.Sprintf("bp-%02d", i), "", []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}})
	}
	srv.SetFaults(0.3, 400)
	c := newClient(t, url, func(o *qovery.Options) { o.RetryMax = 30 })
	ctx := context.Background()

	ambiguous := 0
	for i := range 20 {
		email := fmt.Sprintf("user%02d@company.com", i)
		for attempt := 0; ; attempt++ {
			if attempt > 20 {
				t.Fatalf("invite %s does not converge", email)
			}
			_, err := c.InviteMember(ctx, email, portal.RoleUser)
			if err == nil {
				break
			}
			if errors.Is(err, qovery.ErrConflict) {
				t.Fatalf("invite %s: %v: the client replayed a processed POST", email, err)
			}
			if !errors.Is(err, qovery.ErrAmbiguous) {
				t.Fatalf("invite %s: %v", email, err)
			}
			ambiguous++
			members, err := c.ListMembers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if containsEmail(members, email) {
				break
			}
		}
	}
	t.Logf("%d ambiguous invitations resolved by re-reading", ambiguous)

	bps, err := c.ListBlueprints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(bps))
	for i, b := range bps {
		ids[i] = b.ID
	}
	etags := make([]string, len(ids))
	for i, id := range ids {
		if _, etags[i], err = c.GetACL(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for i, id := range ids {
		wg.Go(func() {
			_, err := c.PutACL(ctx, id, []portal.Rule{{Kind: portal.RuleEmail, Value: fmt.Sprintf("user%02d@company.com", i%20)}}, etags[i])
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("PutACL under faults: %v", err)
		}
	}
	members, err := c.ListMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if _, err := c.UpdateMemberRole(ctx, m.ID, portal.RoleAdmin); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range members[:10] {
		err := c.RemoveMember(ctx, m.ID)
		if errors.Is(err, qovery.ErrNotFound) {
			// A 404 after a retry: gone, if the member list says so.
			now, lerr := c.ListMembers(ctx)
			if lerr == nil && !containsEmail(now, m.Email) {
				err = nil
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	srv.SetFaults(0, 0)
	final := srv.Members()
	if len(final) != 10 {
		t.Fatalf("%d members, want 10", len(final))
	}
	for _, m := range final {
		if m.Role != qovery.RoleAdmin {
			t.Errorf("%s is %s", m.Email, m.Role)
		}
	}
	for i := range 30 {
		acl, _ := srv.ACL(fmt.Sprintf("bp-%02d", i))
		if len(acl.Rules) != 1 || acl.Rules[0].Value != fmt.Sprintf("user%02d@company.com", i%20) {
			t.Errorf("bp-%02d: %v", i, acl.Rules)
		}
	}
}

func containsEmail(members []portal.Member, email string) bool {
	for _, m := range members {
		if m.Email == email {
			return true
		}
	}
	return false
}

func TestResponseSizeIsBounded(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"results":[],"next_cursor":"`)
		chunk := bytes.Repeat([]byte("a"), 1<<20)
		for range 17 {
			w.Write(chunk)
		}
		fmt.Fprint(w, `"}`)
	}))
	defer ts.Close()
	c := newClient(t, ts.URL, nil)
	if _, err := c.ListMembers(context.Background()); err == nil || !strings.Contains(err.Error(), "exceeds 16 MiB") {
		t.Fatalf("err = %v, want a size error", err)
	}
}

func TestRequestsCarryHeaders(t *testing.T) {
	var got http.Header
	var mu sync.Mutex
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = r.Header.Clone()
		mu.Unlock()
		w.Header().Set("ETag", `"e2"`)
		fmt.Fprint(w, `{"rules":[{"type":"EMAIL","value":"a@b.co"}]}`)
	}))
	defer ts.Close()
	c := newClient(t, ts.URL, nil)
	etag, err := c.PutACL(context.Background(), "bp", []portal.Rule{{Kind: portal.RuleEmail, Value: "a@b.co"}}, `"e1"`)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string]string{
		"Authorization": "Token " + testToken,
		"User-Agent":    "portalctl/test",
		"If-Match":      `"e1"`,
		"Content-Type":  "application/json",
		"Accept":        "application/json",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
	if etag != `"e2"` {
		t.Errorf("etag = %s", etag)
	}
}
