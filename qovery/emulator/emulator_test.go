package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/qovery/portalctl/internal/testkit/emutest"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
)

const (
	token = "emu-token"
	org   = "org-1"
	base  = "/organization/org-1/portal"
)

// newServer serves an emulator whose answers are checked against the portal's
// OpenAPI document (the requests are this test's, some malformed on purpose).
func newServer(t *testing.T, opts emulator.Options) (*emulator.Server, *httptest.Server) {
	t.Helper()
	opts.Token = token
	if opts.OrganizationID == "" {
		opts.OrganizationID = org
	}
	s := emutest.Start(t, opts, emutest.AnswersOnly())
	return s.Emu, s.Server
}

type answer struct {
	status int
	header http.Header
	body   string
}

// endpointCase is a request to the emulator and what its answer must be: the
// status, and a part of the body.
type endpointCase struct {
	name       string
	method     string
	path       string
	body       string
	header     map[string]string
	wantStatus int
	wantInBody string
}

func call(t *testing.T, ts *httptest.Server, method, path, body string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+token)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(data)}
}

func seeded(t *testing.T) *emulator.State {
	t.Helper()
	st, err := emulator.ParseSeed("seed.yaml", []byte(`
members:
  - {email: alice@company.com, role: admin}
  - {email: bob@company.com}
blueprints:
  data-science:
    id: bp-ds
    domains: [company.com]
  python-starter:
    id: bp-py
    access: open
`))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAPIErrors(t *testing.T) {
	srv, ts := newServer(t, emulator.Options{Initial: seeded(t)})
	alice := srv.Members()[0]
	acl, _ := srv.ACL("data-science")
	tests := []endpointCase{
		{"no token", "GET", base + "/member", "", map[string]string{"Authorization": ""}, 401, "missing or invalid API token"},
		{"wrong token", "GET", base + "/member", "", map[string]string{"Authorization": "Token nope"}, 401, "invalid API token"},
		{"bearer accepted", "GET", base + "/member", "", map[string]string{"Authorization": "Bearer " + token}, 200, "alice@company.com"},
		{"unknown organization", "GET", "/organization/other/portal/member", "", nil, 404, `organization \"other\" not found`},
		{"unknown route", "GET", base + "/nothing", "", nil, 404, "no route for GET"},
		{"wrong method", "PATCH", base + "/member", "", nil, 405, "no route for PATCH"},
		{"page_size zero", "GET", base + "/member?page_size=0", "", nil, 400, "page_size"},
		{"page_size not a number", "GET", base + "/blueprint?page_size=ten", "", nil, 400, "page_size"},
		{"garbage cursor", "GET", base + "/member?cursor=!!!", "", nil, 400, "invalid cursor"},
		{"malformed query", "GET", base + "/member?cursor=%%%", "", nil, 400, "malformed query"},
		{"cursor of another resource", "GET", base + "/member?cursor=YjoxMA", "", nil, 400, "invalid cursor"},
		{"invite: bad JSON", "POST", base + "/member", `{"email":`, nil, 400, "malformed JSON"},
		{"invite: empty body", "POST", base + "/member", ``, nil, 400, "empty body"},
		{"invite: unknown field", "POST", base + "/member", `{"email":"c@company.com","role":"USER","team":"x"}`, nil, 400, "unknown field"},
		{"invite: trailing data", "POST", base + "/member", `{"email":"c@company.com","role":"USER"} {}`, nil, 400, "data after"},
		{"invite: bad email", "POST", base + "/member", `{"email":"not-an-email","role":"USER"}`, nil, 400, "not a valid email"},
		{"invite: no email", "POST", base + "/member", `{"role":"USER"}`, nil, 400, "email is required"},
		{"invite: bad role", "POST", base + "/member", `{"email":"c@company.com","role":"owner"}`, nil, 400, "role must be ADMIN or USER"},
		{"invite: missing role", "POST", base + "/member", `{"email":"c@company.com"}`, nil, 400, "role must be"},
		{"invite: duplicate, other case", "POST", base + "/member", `{"email":"Alice@Company.com","role":"USER"}`, nil, 409, "already a member"},
		{"role: unknown member", "PUT", base + "/member/nope", `{"role":"ADMIN"}`, nil, 404, `member \"nope\" not found`},
		{"role: bad role", "PUT", base + "/member/" + alice.ID, `{"role":"root"}`, nil, 400, "role must be"},
		{"role: unknown field", "PUT", base + "/member/" + alice.ID, `{"role":"USER","email":"x@y.z"}`, nil, 400, "unknown field"},
		{"remove: unknown member", "DELETE", base + "/member/nope", "", nil, 404, "not found"},
		{"acl: unknown blueprint", "GET", base + "/blueprint/nope/acl", "", nil, 404, `blueprint \"nope\" not found`},
		{"put acl: unknown rule type", "PUT", base + "/blueprint/bp-ds/acl", `{"rules":[{"type":"IP","value":"1.2.3.4"}]}`, nil, 400, "unknown rule type"},
		{"put acl: bad domain", "PUT", base + "/blueprint/bp-ds/acl", `{"rules":[{"type":"DOMAIN","value":"company"}]}`, nil, 400, "not a valid domain"},
		{"put acl: bad email", "PUT", base + "/blueprint/bp-ds/acl", `{"rules":[{"type":"EMAIL","value":"a@@b.com"}]}`, nil, 400, "not a valid email"},
		{"put acl: rules missing", "PUT", base + "/blueprint/bp-ds/acl", `{}`, nil, 400, "rules is required"},
		{"put acl: bad JSON", "PUT", base + "/blueprint/bp-ds/acl", `{"rules":[`, nil, 400, "malformed JSON"},
		{"put acl: too large", "PUT", base + "/blueprint/bp-ds/acl", `{"rules":["` + strings.Repeat("x", 1<<20) + `"]}`, map[string]string{"If-Match": acl.ETag}, 413, "body larger than 1048576 bytes"},
		{"put acl: stale If-Match", "PUT", base + "/blueprint/bp-ds/acl", `{"rules":[]}`, map[string]string{"If-Match": `"stale"`}, 412, "etag is stale"},
		{"put acl: weak If-Match never matches", "PUT", base + "/blueprint/bp-ds/acl", `{"rules":[]}`, map[string]string{"If-Match": "W/" + acl.ETag}, 412, "etag is stale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := call(t, ts, tt.method, tt.path, tt.body, tt.header)
			if got.status != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", got.status, tt.wantStatus, got.body)
			}
			if !strings.Contains(got.body, tt.wantInBody) {
				t.Errorf("body %s does not contain %q", got.body, tt.wantInBody)
			}
			if got.status >= 400 {
				var e struct {
					Status  int    `json:"status"`
					Error   string `json:"error"`
					Message string `json:"message"`
				}
				if err := json.Unmarshal([]byte(got.body), &e); err != nil || e.Status != got.status || e.Error != http.StatusText(got.status) || e.Message == "" {
					t.Errorf("error body %s is not {status,error,message} (%v)", got.body, err)
				}
			}
		})
	}
	if after, _ := srv.ACL("data-science"); after.ETag != acl.ETag {
		t.Errorf("a refused write changed the ETag")
	}
	if n := len(srv.Members()); n != 2 {
		t.Errorf("refused invitations changed the members: %d", n)
	}
}

func TestMemberLifecycle(t *testing.T) {
	srv, ts := newServer(t, emulator.Options{})
	got := call(t, ts, "POST", base+"/member", `{"email":"Carol@Example.COM","role":"USER"}`, nil)
	if got.status != 201 {
		t.Fatalf("invite: %d %s", got.status, got.body)
	}
	var m qovery.Member
	if err := json.Unmarshal([]byte(got.body), &m); err != nil {
		t.Fatal(err)
	}
	if m.Email != "carol@example.com" || m.Status != qovery.StatusPending || m.Role != qovery.RoleUser || len(m.ID) != 36 || m.CreatedAt.IsZero() {
		t.Fatalf("invited member = %+v", m)
	}
	got = call(t, ts, "PUT", base+"/member/"+m.ID, `{"role":"ADMIN"}`, nil)
	if got.status != 200 || !strings.Contains(got.body, `"role":"ADMIN"`) {
		t.Fatalf("update: %d %s", got.status, got.body)
	}
	if got := call(t, ts, "DELETE", base+"/member/"+m.ID, "", nil); got.status != 204 {
		t.Fatalf("delete: %d %s", got.status, got.body)
	}
	if n := len(srv.Members()); n != 0 {
		t.Fatalf("%d members after delete", n)
	}
}

func TestACLWrites(t *testing.T) {
	srv, ts := newServer(t, emulator.Options{Initial: seeded(t)})
	get := call(t, ts, "GET", base+"/blueprint/bp-ds/acl", "", nil)
	etag := get.header.Get("ETag")
	if get.status != 200 || !strings.HasPrefix(etag, `"`) || !strings.HasSuffix(etag, `"`) {
		t.Fatalf("get: %d etag %q", get.status, etag)
	}
	if !strings.Contains(get.body, `{"rules":[{"type":"DOMAIN","value":"company.com"}]}`) {
		t.Fatalf("get body %s", get.body)
	}
	tests := []struct {
		name    string
		ifMatch func() string
	}{
		{"matching If-Match", func() string { a, _ := srv.ACL("data-science"); return a.ETag }},
		{"If-Match list", func() string { a, _ := srv.ACL("data-science"); return `"x", ` + a.ETag }},
		{"If-Match star", func() string { return "*" }},
		{"no If-Match is unconditional", func() string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := srv.ACL("data-science")
			put := call(t, ts, "PUT", base+"/blueprint/bp-ds/acl",
				`{"rules":[{"type":"EMAIL","value":"Bob@Company.com"},{"type":"DOMAIN","value":"partner.org"}]}`,
				map[string]string{"If-Match": tt.ifMatch()})
			if put.status != 200 {
				t.Fatalf("put: %d %s", put.status, put.body)
			}
			after, _ := srv.ACL("data-science")
			if put.header.Get("ETag") != after.ETag || after.ETag == before.ETag {
				t.Fatalf("etag before %s, answer %s, after %s", before.ETag, put.header.Get("ETag"), after.ETag)
			}
			want := []qovery.Rule{{Type: qovery.RuleEmail, Value: "bob@company.com"}, {Type: qovery.RuleDomain, Value: "partner.org"}}
			if !equalRules(after.Rules, want) {
				t.Fatalf("rules %v, want %v", after.Rules, want)
			}
		})
	}
	// An open blueprint answers an empty list, never null.
	if got := call(t, ts, "GET", base+"/blueprint/bp-py/acl", "", nil); got.body != "{\"rules\":[]}\n" {
		t.Errorf("open blueprint body %q", got.body)
	}
}

func equalRules(a, b []qovery.Rule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPagination(t *testing.T) {
	tests := []struct {
		name        string
		members     int
		maxPage     int
		pageSize    string
		wantPages   int
		removeAfter int // remove this member index after the first page (-1: none)
	}{
		{"default page size 20", 45, 0, "", 3, -1},
		{"capped at max page size", 10, 3, "100", 4, -1},
		{"exact multiple", 6, 3, "3", 2, -1},
		{"empty", 0, 0, "", 1, -1},
		{"stable when an item of the next page is removed", 9, 3, "3", 3, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, ts := newServer(t, emulator.Options{MaxPageSize: tt.maxPage})
			var want []string
			for i := range tt.members {
				m := srv.AddMember(strings.Repeat("x", i+1)+"@company.com", qovery.RoleUser, qovery.StatusActive)
				want = append(want, m.Email)
			}
			var got []string
			cursor, pages := "", 0
			for {
				q := "?"
				if tt.pageSize != "" {
					q += "page_size=" + tt.pageSize + "&"
				}
				if cursor != "" {
					q += "cursor=" + cursor
				}
				a := call(t, ts, "GET", base+"/member"+q, "", nil)
				if a.status != 200 {
					t.Fatalf("page %d: %d %s", pages, a.status, a.body)
				}
				var p struct {
					Results    []qovery.Member `json:"results"`
					NextCursor *string         `json:"next_cursor"`
				}
				if err := json.Unmarshal([]byte(a.body), &p); err != nil || p.Results == nil || p.NextCursor == nil {
					t.Fatalf("page %s: %v", a.body, err)
				}
				pages++
				for _, m := range p.Results {
					got = append(got, m.Email)
				}
				if pages == 1 && tt.removeAfter >= 0 {
					srv.RemoveMember(want[tt.removeAfter])
					want = append(want[:tt.removeAfter:tt.removeAfter], want[tt.removeAfter+1:]...)
				}
				if *p.NextCursor == "" {
					break
				}
				cursor = *p.NextCursor
			}
			if pages != tt.wantPages {
				t.Errorf("%d pages, want %d", pages, tt.wantPages)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("members %v, want %v", got, want)
			}
		})
	}
}

func TestStats(t *testing.T) {
	srv, ts := newServer(t, emulator.Options{Initial: seeded(t)})
	call(t, ts, "GET", base+"/member", "", nil)
	call(t, ts, "GET", base+"/member", "", map[string]string{"Authorization": ""}) // 401s count too
	call(t, ts, "GET", base+"/blueprint/bp-ds/acl", "", nil)
	call(t, ts, "GET", base+"/unknown", "", nil)
	// The stats endpoint needs no token and is not counted.
	got := call(t, ts, "GET", "/_emulator/stats", "", map[string]string{"Authorization": ""})
	var st emulator.Stats
	if err := json.Unmarshal([]byte(got.body), &st); err != nil {
		t.Fatalf("stats %s: %v", got.body, err)
	}
	want := emulator.Stats{Total: 4, Requests: map[string]int{
		"GET /organization/{organizationId}/portal/member":                      2,
		"GET /organization/{organizationId}/portal/blueprint/{blueprintId}/acl": 1,
		"unmatched": 1,
	}}
	if st.Total != want.Total || len(st.Requests) != len(want.Requests) {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
	for k, v := range want.Requests {
		if st.Requests[k] != v {
			t.Errorf("stats[%q] = %d, want %d", k, st.Requests[k], v)
		}
	}
	if got := call(t, ts, "DELETE", "/_emulator/stats", "", map[string]string{"Authorization": ""}); got.status != 204 {
		t.Fatalf("reset: %d", got.status)
	}
	if s := srv.Stats(); s.Total != 0 || len(s.Requests) != 0 {
		t.Errorf("after reset: %+v", s)
	}
}

func TestFaultsAreNotAppliedToStats(t *testing.T) {
	srv, ts := newServer(t, emulator.Options{FailRate: 1, RateLimit: 1})
	for range 3 {
		if got := call(t, ts, "GET", "/_emulator/stats", "", nil); got.status != 200 {
			t.Fatalf("stats under faults: %d", got.status)
		}
	}
	srv.SetFaults(0, 0)
	if got := call(t, ts, "GET", base+"/member", "", nil); got.status != 200 {
		t.Fatalf("after SetFaults(0,0): %d", got.status)
	}
}

func TestInjectedFaults(t *testing.T) {
	srv, ts := newServer(t, emulator.Options{Initial: seeded(t)})
	srv.InjectFaults(emulator.FaultRateLimit, emulator.FaultBadGateway)
	got := call(t, ts, "GET", base+"/member", "", nil)
	if got.status != 429 || got.header.Get("Retry-After") != "1" || !strings.Contains(got.body, `"status":429`) {
		t.Fatalf("first: %d %v %s", got.status, got.header, got.body)
	}
	if got := call(t, ts, "GET", base+"/member", "", nil); got.status != 502 {
		t.Fatalf("second: %d", got.status)
	}
	if got := call(t, ts, "GET", base+"/member", "", nil); got.status != 200 {
		t.Fatalf("third: %d", got.status)
	}
}

func TestRateLimit(t *testing.T) {
	_, ts := newServer(t, emulator.Options{RateLimit: 1})
	statuses := map[int]int{}
	for range 5 {
		statuses[call(t, ts, "GET", base+"/member", "", nil).status]++
	}
	// A bucket of 1 refilled at 1/s: 5 back-to-back requests cannot all
	// pass unless the machine takes seconds per request.
	if statuses[429] == 0 || statuses[200] == 0 {
		t.Fatalf("statuses %v", statuses)
	}
}

func TestDroppedConnection(t *testing.T) {
	tests := []struct {
		name        string
		fault       emulator.Fault
		wantCreated bool
	}{
		{"dropped before processing", emulator.FaultDropBefore, false},
		{"dropped after processing", emulator.FaultDropAfter, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, ts := newServer(t, emulator.Options{})
			srv.InjectFaults(tt.fault)
			req, _ := http.NewRequest("POST", ts.URL+base+"/member", strings.NewReader(`{"email":"d@company.com","role":"USER"}`))
			req.Header.Set("Authorization", "Token "+token)
			resp, err := ts.Client().Do(req)
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got an answer %d, want a dropped connection", resp.StatusCode)
			}
			if created := len(srv.Members()) == 1; created != tt.wantCreated {
				t.Fatalf("created = %v, want %v", created, tt.wantCreated)
			}
		})
	}
}

// TestStateNotSaved: a change the emulator cannot save is answered 500, saying
// why, by the portal's handlers and the organization's alike.
func TestStateNotSaved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	srv, ts := newServer(t, emulator.Options{Initial: seeded(t), StatePath: filepath.Join(dir, "state.json")})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	alice := srv.Members()[0]
	for _, c := range []endpointCase{
		{"invite", "POST", base + "/member", `{"email":"new@company.com","role":"USER"}`, nil, 500, "save state"},
		{"role", "PUT", base + "/member/" + alice.ID, `{"role":"USER"}`, nil, 500, "save state"},
		{"organization invite", "POST", "/organization/" + org + "/inviteMember", `{"email":"new@company.com","role_id":"` + emulator.DefaultRoles[4].ID + `"}`, nil, 500, "save state"},
	} {
		if got := call(t, ts, c.method, c.path, c.body, c.header); got.status != c.wantStatus || !strings.Contains(got.body, c.wantInBody) {
			t.Errorf("%s: %d %s, want %d and %q", c.name, got.status, got.body, c.wantStatus, c.wantInBody)
		}
	}
}

func TestStatePersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	srv, ts := newServer(t, emulator.Options{Initial: seeded(t), StatePath: path})
	call(t, ts, "POST", base+"/member", `{"email":"new@company.com","role":"ADMIN"}`, nil)
	srv.SetACL("python-starter", []qovery.Rule{{Type: qovery.RuleEmail, Value: "New@Company.com"}})
	want := srv.State()

	// Restarted with another seed: the state file wins.
	again, err := emulator.New(emulator.Options{Token: token, OrganizationID: org, StatePath: path, Initial: &emulator.State{}})
	if err != nil {
		t.Fatal(err)
	}
	got := again.State()
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(got)
	if string(gotJSON) != string(wantJSON) {
		t.Fatalf("reloaded state\n%s\nwant\n%s", gotJSON, wantJSON)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	if err := os.WriteFile(path, []byte(`{"members":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.New(emulator.Options{Token: token, OrganizationID: org, StatePath: path}); err == nil || !strings.Contains(err.Error(), "format") {
		t.Errorf("foreign state file accepted: %v", err)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts emulator.Options
		want string
	}{
		{"no token", emulator.Options{OrganizationID: org}, "token"},
		{"no organization", emulator.Options{Token: token}, "organization"},
		{"fail rate above 1", emulator.Options{Token: token, OrganizationID: org, FailRate: 1.5}, "fail rate"},
		{"negative rate limit", emulator.Options{Token: token, OrganizationID: org, RateLimit: -1}, "negative"},
		{"duplicate member in initial state", emulator.Options{Token: token, OrganizationID: org, Initial: &emulator.State{Members: []qovery.Member{
			{Email: "a@b.co", Role: qovery.RoleUser, Status: qovery.StatusActive},
			{Email: "A@b.co", Role: qovery.RoleUser, Status: qovery.StatusActive},
		}}}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := emulator.New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestConcurrentRequests(t *testing.T) {
	srv, ts := newServer(t, emulator.Options{Initial: seeded(t)})
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			email := strings.Repeat("c", i+1) + "@company.com"
			call(t, ts, "POST", base+"/member", `{"email":"`+email+`","role":"USER"}`, nil)
			call(t, ts, "GET", base+"/member?page_size=5", "", nil)
			call(t, ts, "PUT", base+"/blueprint/bp-ds/acl", `{"rules":[{"type":"EMAIL","value":"`+email+`"}]}`, nil)
			srv.SetACL("python-starter", nil)
			_ = srv.Stats()
		})
	}
	wg.Wait()
	if n := len(srv.Members()); n != 18 {
		t.Fatalf("%d members, want 18", n)
	}
	if st := srv.Stats(); st.Total != 48 {
		t.Fatalf("total %d, want 48", st.Total)
	}
}
