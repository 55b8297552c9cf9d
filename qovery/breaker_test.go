package qovery_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
)

// deadURL is a loopback address where nothing listens.
func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// logTo sends the client's debug log to w.
func logTo(w *testkit.Attempts) func(*qovery.Options) {
	return func(o *qovery.Options) {
		o.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
}

// With the API gone, the tenth failed attempt in a row opens the breaker: the call
// that made it ends with the breaker's error, naming the URL and the cause, and
// every later call fails at once without an attempt.
func TestBreakerOpensWhenTheAPIIsGone(t *testing.T) {
	url := deadURL(t)
	var logs testkit.Attempts
	c := newClient(t, url, func(o *qovery.Options) {
		o.RetryMax = 50
		logTo(&logs)(o)
	})
	_, err := c.ListMembers(context.Background())
	var be *qovery.BreakerError
	if !errors.As(err, &be) || !errors.Is(err, qovery.ErrUnavailable) {
		t.Fatalf("err = %v, want the breaker's error", err)
	}
	if be.URL != url || be.Failures != 10 || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("breaker error %q (%+v): want the URL %s, 10 failures and the cause", err, be, url)
	}
	if n := logs.Count(); n != 10 {
		t.Errorf("%d attempts before the breaker opened, want 10", n)
	}
	for _, call := range []func() error{
		func() error { _, err := c.ListBlueprints(context.Background()); return err },
		func() error { _, err := c.InviteMember(context.Background(), "a@b.co", portal.RoleUser); return err },
		func() error { return c.RemoveMember(context.Background(), "m1") },
	} {
		err := call()
		if !errors.Is(err, qovery.ErrUnavailable) || !errors.Is(err, qovery.ErrNotSent) || errors.Is(err, qovery.ErrAmbiguous) {
			t.Errorf("call after the breaker opened: %v, want not sent and unavailable", err)
		}
		if !strings.Contains(err.Error(), url) {
			t.Errorf("error %q does not name the API", err)
		}
	}
	if n := logs.Count(); n != 10 {
		t.Errorf("%d attempts in all, want 10: calls after the breaker opened made attempts", n)
	}
}

// A 401 opens the breaker at once: a wrong token does not get better by retrying,
// and the later calls say why they were not sent.
func TestBreakerOpensOnUnauthorized(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var hits atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.WriteHeader(status)
				fmt.Fprintf(w, `{"status":%d,"detail":"token refused"}`, status)
			}))
			defer ts.Close()
			c := newClient(t, ts.URL, nil)
			_, first := c.ListMembers(context.Background())
			var apiErr *qovery.APIError
			if !errors.As(first, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("first call: %v, want the %d itself", first, status)
			}
			_, _, err := c.GetACL(context.Background(), "bp")
			var be *qovery.BreakerError
			if !errors.As(err, &be) || !errors.Is(err, qovery.ErrNotSent) || !errors.As(err, &apiErr) || apiErr.StatusCode != status {
				t.Fatalf("second call: %v, want not sent, with the %d as cause", err, status)
			}
			if !strings.Contains(err.Error(), ts.URL) || !strings.Contains(err.Error(), "token refused") {
				t.Errorf("error %q does not name the API and the cause", err)
			}
			if n := hits.Load(); n != 1 {
				t.Errorf("%d requests reached the server, want 1", n)
			}
		})
	}
}

// hangingServer accepts requests and never answers them; it counts them.
func hangingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	stop := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); ts.Close() })
	return ts, &hits
}

// An API that accepts connections and never answers opens the breaker too: each
// attempt ends at the per-attempt timeout, and two of them spanning the window are
// enough. Counted in attempts, not measured in time.
func TestBreakerOpensWhenTheAPIHangs(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		window   time.Duration
		want     int32 // attempts before the breaker opens
	}{
		{"consecutive failures", 3, time.Hour, 3},
		{"two failures spanning the window", 100, time.Millisecond, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, hits := hangingServer(t)
			c := newClient(t, ts.URL, func(o *qovery.Options) {
				o.Timeout = 20 * time.Millisecond
				o.RetryMax = 50
				o.BreakerFailures, o.BreakerWindow = tt.failures, tt.window
			})
			_, err := c.ListMembers(context.Background())
			if !errors.Is(err, qovery.ErrUnavailable) || !strings.Contains(err.Error(), "Client.Timeout") {
				t.Fatalf("err = %v, want the breaker's error with the timeout as cause", err)
			}
			if n := hits.Load(); n != tt.want {
				t.Errorf("%d attempts, want %d", n, tt.want)
			}
		})
	}
}

// When the breaker opens, calls in flight are cut off at once rather than left to
// their timeout: a change that was sent is uncertain, not failed and not "not sent".
func TestBreakerCutsOffCallsInFlight(t *testing.T) {
	var arrived sync.WaitGroup
	arrived.Add(3)
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			arrived.Done()
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"status":401,"detail":"token revoked"}`))
	}))
	defer func() { close(release); ts.Close() }()
	c := newClient(t, ts.URL, func(o *qovery.Options) { o.Timeout = time.Hour })
	errs := make(chan error, 3)
	for i := range 3 {
		go func() {
			_, err := c.UpdateMemberRole(context.Background(), fmt.Sprint("m", i), portal.RoleAdmin)
			errs <- err
		}()
	}
	arrived.Wait()
	if _, err := c.ListMembers(context.Background()); !errors.Is(err, qovery.ErrUnauthorized) {
		t.Fatalf("list: %v, want the 401", err)
	}
	for range 3 {
		select {
		case err := <-errs:
			if !errors.Is(err, qovery.ErrAmbiguous) || !errors.Is(err, qovery.ErrUnavailable) || errors.Is(err, qovery.ErrNotSent) {
				t.Errorf("call in flight: %v, want uncertain, cut off by the breaker", err)
			}
		case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
			t.Fatal("a call in flight was not cut off when the breaker opened")
		}
	}
}

// What the portal may have done, by construction of the error: not sent, uncertain
// (a change that was sent and not answered), or a plain answer.
func TestSentOrNot(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name          string
		url           func(t *testing.T) (string, *emulator.Server)
		fault         emulator.Fault
		ctx           context.Context
		call          func(ctx context.Context, c *qovery.Client, srv *emulator.Server) error
		wantNotSent   bool
		wantAmbiguous bool
	}{
		{name: "connection refused", url: func(t *testing.T) (string, *emulator.Server) { return deadURL(t), nil },
			call: func(ctx context.Context, c *qovery.Client, _ *emulator.Server) error {
				_, err := c.InviteMember(ctx, "bob@company.com", portal.RoleUser)
				return err
			}, wantNotSent: true},
		{name: "context ended before sending", ctx: cancelled, call: invite, wantNotSent: true},
		{name: "PUT processed, answer lost", fault: emulator.FaultDropAfter, call: promote, wantAmbiguous: true},
		{name: "DELETE answered 502", fault: emulator.FaultBadGateway, call: remove, wantAmbiguous: true},
		{name: "POST answered 502", fault: emulator.FaultBadGateway, call: invite, wantAmbiguous: true},
		{name: "POST rate limited", fault: emulator.FaultRateLimit, call: invite},
		{name: "GET answered 502", fault: emulator.FaultBadGateway, call: listMembers},
		{name: "POST 409", call: func(ctx context.Context, c *qovery.Client, _ *emulator.Server) error {
			_, err := c.InviteMember(ctx, "alice@company.com", portal.RoleUser)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var url string
			var srv *emulator.Server
			if tt.url != nil {
				url, srv = tt.url(t)
			} else {
				srv, url = startEmulator(t, emulator.Options{})
				seed(srv)
				srv.InjectFaults(tt.fault)
			}
			if srv == nil {
				srv, _ = emulator.New(emulator.Options{Token: testToken, OrganizationID: testOrg})
				seed(srv)
			}
			c := newClient(t, url, func(o *qovery.Options) { o.RetryMax = -1 })
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			err := tt.call(ctx, c, srv)
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, qovery.ErrNotSent); got != tt.wantNotSent {
				t.Errorf("not sent = %v, want %v: %v", got, tt.wantNotSent, err)
			}
			if got := errors.Is(err, qovery.ErrAmbiguous); got != tt.wantAmbiguous {
				t.Errorf("ambiguous = %v, want %v: %v", got, tt.wantAmbiguous, err)
			}
		})
	}
}

// A token shorter than 8 characters is not redacted from messages (it would match
// ordinary text); the client never writes it there in the first place.
func TestShortTokenLeavesMessagesAlone(t *testing.T) {
	for _, token := range []string{"T", "GE", "abc1234"} {
		t.Run(token, func(t *testing.T) {
			srv, url := startEmulator(t, emulator.Options{Token: "the-right-token"})
			_ = srv
			c := newClient(t, url, func(o *qovery.Options) { o.Token = token })
			_, err := c.ListBlueprints(context.Background())
			if !errors.Is(err, qovery.ErrUnauthorized) {
				t.Fatalf("err = %v, want a 401", err)
			}
			if strings.Contains(err.Error(), "REDACTED") || !strings.Contains(err.Error(), "list blueprints: GET /blueprint: 401 Unauthorized") {
				t.Errorf("message mangled: %q", err)
			}
		})
	}
}

// Server messages are one printable line, read from "detail" (else "message"),
// with bidirectional controls shown as escapes.
func TestServerMessagesAreSanitized(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"status":400,"detail":"bad \u202eevil\u202c name\nsecond line"}`, `bad \u202eevil\u202c name second line`},
		{`{"status":400,"error":"Bad Request","message":"older shape"}`, "older shape"},
		{`{"status":400,"detail":"new","message":"old"}`, "new"},
	}
	for _, tt := range tests {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(tt.body))
		}))
		c := newClient(t, ts.URL, nil)
		_, _, err := c.GetACL(context.Background(), "bp")
		ts.Close()
		var apiErr *qovery.APIError
		if !errors.As(err, &apiErr) || apiErr.Message != tt.want {
			t.Errorf("body %s: message %q, want %q", tt.body, apiErr.Message, tt.want)
		}
		if strings.ContainsRune(err.Error(), '\u202e') || strings.Contains(err.Error(), "\n") {
			t.Errorf("error %q holds a raw control", err)
		}
	}
}

func TestValidOrganizationID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", true},
		{"0B5C2A34-7D0E-4F55-9A61-3B0D1C2E9F10", true},
		{"not-a-uuid", false},
		{"", false},
		{"0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f1", false},
		{"0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f100", false},
		{"0b5c2a34x7d0e-4f55-9a61-3b0d1c2e9f10", false},
		{"0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9g10", false},
		{"../../../../member/xxxxxxxxxxxxxxxxx", false},
		{" 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f1", false},
	}
	for _, tt := range tests {
		if got := qovery.ValidOrganizationID(tt.id); got != tt.want {
			t.Errorf("ValidOrganizationID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}
