package emutest_test

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit/emutest"
	"github.com/qovery/portalctl/qovery/emulator"
)

const org = "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"

// TestStart: the emulator starts from the seed, answers through the wraps, and
// the checker counts what it answered.
func TestStart(t *testing.T) {
	var through []string
	wrap := func(name string) emutest.Option {
		return emutest.Through(func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				through = append(through, name)
				h.ServeHTTP(w, r)
			})
		})
	}
	s := emutest.Start(t, emulator.Options{Token: "tok", OrganizationID: org},
		emutest.Seed("version: 1\nmembers:\n  - {email: alice@company.com, role: admin}\n"), wrap("inner"), wrap("outer"))
	req, err := http.NewRequest(http.MethodGet, s.URL+"/organization/"+org+"/portal/member", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token tok")
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "alice@company.com") {
		t.Errorf("%d %s", res.StatusCode, body)
	}
	if !slices.Equal(through, []string{"outer", "inner"}) {
		t.Errorf("wrapped %v, want the last option outermost", through)
	}
	if got := s.Check.Answered(); len(got) != 1 {
		t.Errorf("answered %v", got)
	}
	if len(s.Emu.Members()) != 1 {
		t.Errorf("members %+v", s.Emu.Members())
	}
}
