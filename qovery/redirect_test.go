package qovery_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery/emulator"
	"github.com/qovery/portalctl/qovery/organization"
)

// TestRedirectsNotFollowed: an answer that redirects, to another host or to the
// same one, is not followed, by the portal's client nor the organization's: the
// token reaches no address but the one given, and the error names where the
// redirect pointed.
func TestRedirectsNotFollowed(t *testing.T) {
	var mu sync.Mutex
	var got []string // the Authorization of each request the other address got
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"results":[]}`))
	}))
	defer other.Close()
	emu, err := emulator.New(emulator.Options{Token: testToken, OrganizationID: testOrg})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		status int
		// to is where a request for uri is redirected.
		to   func(self, uri string) string
		want string
	}{
		{name: "307 to another port", status: http.StatusTemporaryRedirect,
			to: func(_, uri string) string { return other.URL + uri }, want: other.URL + "/organization/"},
		{name: "308 to another port", status: http.StatusPermanentRedirect,
			to: func(_, uri string) string { return other.URL + uri }, want: other.URL + "/organization/"},
		{name: "302 to another host", status: http.StatusFound,
			to: func(_, uri string) string { return "https://evil.example/steal?x=1" }, want: "https://evil.example/steal,"},
		{name: "307 on the same host", status: http.StatusTemporaryRedirect,
			to: func(self, uri string) string { return self + "/v2" + uri }, want: "/v2/organization/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			var self string
			redirected := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/v2/") {
					redirected++
					emu.ServeHTTP(w, r)
					return
				}
				http.Redirect(w, r, tt.to(self, r.URL.RequestURI()), tt.status)
			}))
			defer srv.Close()
			self = srv.URL
			c := newClient(t, srv.URL, nil)
			oc, err := organization.New(c.Transport(), testOrg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			calls := map[string]func() error{
				"portal: list members": func() error { _, err := c.ListMembers(ctx); return err },
				"portal: invite":       func() error { _, err := c.InviteMember(ctx, "a@company.com", portal.RoleUser); return err },
				"organization: list members": func() error {
					_, err := oc.ListMembers(ctx)
					return err
				},
			}
			for name, call := range calls {
				err := call()
				if err == nil {
					t.Errorf("%s: followed the redirect", name)
					continue
				}
				for _, w := range []string{"the API answered with a redirect to ", tt.want, "which portalctl does not follow", "--api-url"} {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s: error %q lacks %q", name, err, w)
					}
				}
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("%s: the error shows the token", name)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) > 0 || redirected > 0 {
				t.Errorf("the redirect was followed: %d requests elsewhere (Authorization %q), %d on the same host", len(got), got, redirected)
			}
		})
	}
}
