package qovery_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
)

// fromAPIBase is a portal of two members and two blueprints, as the API answers it.
func fromAPIBase() ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
	return []qovery.Member{
			{ID: "m-1", Email: "Alice@Company.com", Role: qovery.RoleAdmin, Status: qovery.StatusActive},
			{ID: "m-2", Email: "bob@bücher.example", Role: qovery.RoleUser, Status: qovery.StatusPending, CreatedAt: time.Date(2026, 11, 1, 23, 59, 0, 0, time.UTC)},
		}, []qovery.Blueprint{
			{ID: "bp-1", Name: "data-science", Description: "Notebooks"},
			{ID: "bp-2", Name: "python-starter"},
		}, []qovery.ACL{
			{ETag: `"e1"`, Rules: []qovery.Rule{{Type: qovery.RuleDomain, Value: "Company.com"}, {Type: qovery.RuleEmail, Value: "Zed@Bücher.example"}}},
			{ETag: `"e2"`, Rules: []qovery.Rule{}},
		}
}

// TestFromAPIRefusesTheUnknown: every answer the model has no room for is refused
// with an *UnexpectedError naming the object and what was unexpected; nothing is
// read as open, empty or a default.
func TestFromAPIRefusesTheUnknown(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL)
		wantObject string // "" means read correctly
		wantWhat   string
	}{
		{"as answered", nil, "", ""},
		{"an unknown rule type is not dropped (the blueprint would read as open)", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			acls[0].Rules = []qovery.Rule{{Type: "GROUP", Value: "data-team"}}
			return ms, bs, acls
		}, `blueprint "data-science" (id "bp-1")`, `ACL rule of type "GROUP" (portalctl knows DOMAIN and EMAIL)`},
		{"a lower-case rule type", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			acls[0].Rules[0].Type = "domain"
			return ms, bs, acls
		}, `blueprint "data-science"`, `ACL rule of type "domain"`},
		{"an empty rule value", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			acls[0].Rules[1].Value = ""
			return ms, bs, acls
		}, `blueprint "data-science"`, `ACL rule EMAIL "": not an address`},
		{"a domain that does not parse", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			acls[0].Rules[0].Value = "company"
			return ms, bs, acls
		}, `blueprint "data-science"`, `ACL rule DOMAIN "company": not a domain`},
		{"an ACL without rules is not open", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			acls[0].Rules = nil
			return ms, bs, acls
		}, `blueprint "data-science"`, `an answer without "rules"`},
		{"an ACL without an ETag", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			acls[1].ETag = ""
			return ms, bs, acls
		}, `blueprint "python-starter"`, "without an ETag"},
		{"an unknown member role is not user", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			ms[1].Role = "OWNER"
			return ms, bs, acls
		}, `member "bob@bücher.example" (id "m-2")`, `role "OWNER" (portalctl knows ADMIN and USER)`},
		{"an unknown status", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			ms[0].Status = "SUSPENDED"
			return ms, bs, acls
		}, `member "Alice@Company.com" (id "m-1")`, `status "SUSPENDED" (portalctl knows ACTIVE and PENDING)`},
		{"a member without a role", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			ms[0].Role = ""
			return ms, bs, acls
		}, `member "Alice@Company.com"`, `role ""`},
		{"a member without an id", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			ms[0].ID = " "
			return ms, bs, acls
		}, `member "Alice@Company.com"`, "no id"},
		{"a member without an email", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			ms[0].Email = ""
			return ms, bs, acls
		}, `member "" (id "m-1")`, "no email"},
		{"an email that does not parse", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			ms[0].Email = "alice\u202e@company.com"
			return ms, bs, acls
		}, `member "alice\u202e@company.com"`, "cannot read as an address"},
		{"two members whose emails differ only in case", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			return append(ms, qovery.Member{ID: "m-3", Email: "alice@company.COM", Role: qovery.RoleUser, Status: qovery.StatusActive}), bs, acls
		}, `members "Alice@Company.com" (id "m-1") and "alice@company.COM" (id "m-3")`, `two members with the address "alice@company.com"`},
		{"two members whose emails differ only in the IDN spelling", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			return append(ms, qovery.Member{ID: "m-3", Email: "bob@xn--bcher-kva.example", Role: qovery.RoleUser, Status: qovery.StatusActive}), bs, acls
		}, `members "bob@bücher.example" (id "m-2") and "bob@xn--bcher-kva.example" (id "m-3")`, `"bob@xn--bcher-kva.example"`},
		{"two members with one id", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			ms[1].ID = "m-1"
			return ms, bs, acls
		}, `members "Alice@Company.com" and "bob@bücher.example"`, `two members with the id "m-1"`},
		{"twin blueprints", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			return ms, append(bs, qovery.Blueprint{ID: "bp-3", Name: "data-science"}), append(acls, qovery.ACL{ETag: `"e3"`, Rules: []qovery.Rule{}})
		}, `blueprint "data-science"`, `two blueprints have this name (ids "bp-1" and "bp-3")`},
		{"blueprints whose names differ in case are two", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			return ms, append(bs, qovery.Blueprint{ID: "bp-3", Name: "Data-Science"}), append(acls, qovery.ACL{ETag: `"e3"`, Rules: []qovery.Rule{}})
		}, "", ""},
		{"a blueprint without a name", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			bs[1].Name = ""
			return ms, bs, acls
		}, `blueprint "" (id "bp-2")`, "no name"},
		{"a blueprint without an id", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			bs[1].ID = ""
			return ms, bs, acls
		}, `blueprint "python-starter" (id "")`, "no id"},
		{"two blueprints with one id", func(ms []qovery.Member, bs []qovery.Blueprint, acls []qovery.ACL) ([]qovery.Member, []qovery.Blueprint, []qovery.ACL) {
			bs[1].ID = "bp-1"
			return ms, bs, acls
		}, `blueprints "data-science" and "python-starter"`, `two blueprints with the id "bp-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, bs, acls := fromAPIBase()
			if tt.edit != nil {
				ms, bs, acls = tt.edit(ms, bs, acls)
			}
			cfg, err := qovery.FromAPI("org", ms, bs, acls)
			if tt.wantObject == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				checkReadAsModel(t, cfg)
				return
			}
			var ue *qovery.UnexpectedError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v (%T), want an *UnexpectedError", err, err)
			}
			if ue.API != "the portal" || !strings.Contains(ue.Object, tt.wantObject) || !strings.Contains(ue.What, tt.wantWhat) {
				t.Errorf("refused with\n%s\nwant object %s, what %s", err, tt.wantObject, tt.wantWhat)
			}
			if !strings.HasPrefix(err.Error(), "the portal answered something portalctl does not understand: ") {
				t.Errorf("message %q", err)
			}
			if strings.ContainsAny(err.Error(), "\u202e") {
				t.Errorf("message holds a raw control: %q", err)
			}
		})
	}
}

// checkReadAsModel: emails and rules normalised as the file's are, roles and
// statuses in the model's words, an empty ACL open.
func checkReadAsModel(t *testing.T, cfg *portal.Config) {
	t.Helper()
	var got []string
	for _, m := range cfg.Members {
		got = append(got, fmt.Sprintf("%s %s %s %s", m.ID, m.Email, m.Role, m.Status))
	}
	for _, b := range cfg.Blueprints {
		got = append(got, fmt.Sprintf("%s %s open=%v %v %s", b.ID, b.Name, b.Open, b.Rules, b.ETag))
	}
	want := []string{
		"m-1 alice@company.com admin active",
		"m-2 bob@xn--bcher-kva.example user pending",
		`bp-1 data-science open=false [domain company.com email zed@xn--bcher-kva.example] "e1"`,
		`bp-2 python-starter open=true [] "e2"`,
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("read as\n%s\nwant among them\n%s", strings.Join(got, "\n"), w)
		}
	}
}

// TestListWithoutResults: a list answer without "results", absent or null, on any
// page, is refused; "results": [] is an empty list.
func TestListWithoutResults(t *testing.T) {
	tests := []struct {
		name   string
		pages  []string // answered in turn
		want   string   // "" means the list is read (and holds that many members)
		wantN  int
		isList string
	}{
		{"empty list", []string{`{"results":[]}`}, "", 0, "members"},
		{"results absent", []string{`{"next_cursor":""}`}, `the member list: an answer without "results"`, 0, "members"},
		{"results null", []string{`{"results":null}`}, `the member list: an answer without "results"`, 0, "members"},
		{"a later page without results", []string{`{"results":[{"id":"m-1","email":"a@company.com","role":"USER","status":"ACTIVE"}],"next_cursor":"c1"}`, `{}`}, `the member list: an answer without "results"`, 0, "members"},
		{"two pages", []string{`{"results":[{"id":"m-1","email":"a@company.com","role":"USER","status":"ACTIVE"}],"next_cursor":"c1"}`, `{"results":[]}`}, "", 1, "members"},
		{"blueprints: results absent", []string{`{}`}, `the blueprint list: an answer without "results"`, 0, "blueprints"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, tt.pages[min(n, len(tt.pages)-1)])
				n++
			}))
			defer ts.Close()
			c := newClient(t, ts.URL, nil)
			var got int
			var err error
			if tt.isList == "members" {
				var ms []portal.Member
				ms, err = c.ListMembers(context.Background())
				got = len(ms)
			} else {
				var bs []portal.Blueprint
				bs, err = c.ListBlueprints(context.Background())
				got = len(bs)
			}
			var ue *qovery.UnexpectedError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.want == "" && got != tt.wantN:
				t.Errorf("%d read, want %d", got, tt.wantN)
			case tt.want != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want an *UnexpectedError saying %q", err, tt.want)
			}
		})
	}
}

// TestLiveValuesAsWritten: a live email or domain is read into its normal form
// only when it is written as that form is, but for the case of ASCII letters (of
// any letter in a domain, as IDNA lower-cases them) and a domain in Unicode
// rather than punycode; anything else the normal form would smooth over is
// refused naming the object and the value: the portal matches a value as it holds
// it, and " @Company.COM. " matches nobody.
func TestLiveValuesAsWritten(t *testing.T) {
	tests := []struct {
		name  string
		field string // member, domain (a DOMAIN rule), email (an EMAIL rule)
		value string
		want  string // the normal form read; "" refused
	}{
		{"an address as the file writes it", "member", "carol@company.com", "carol@company.com"},
		{"ASCII letters in another case", "member", "Carol@COMPANY.com", "carol@company.com"},
		{"a Unicode domain", "member", "carol@bücher.example", "carol@xn--bcher-kva.example"},
		{"a Unicode domain in upper case", "member", "CAROL@BÜCHER.example", "carol@xn--bcher-kva.example"},
		{"a punycode domain in upper case", "member", "carol@XN--BCHER-KVA.example", "carol@xn--bcher-kva.example"},
		{"a Unicode local part in lower case", "member", "ünal@company.com", "ünal@company.com"},
		{"the Kelvin sign, which lower-cases to k", "member", "\u212aarol@company.com", ""},
		{"the Kelvin sign in the domain", "member", "karol@\u212aompany.com", ""},
		{"a Unicode local part in upper case", "member", "Ünal@company.com", ""},
		{"blanks around it", "member", " carol@company.com", ""},
		{"a trailing dot", "member", "carol@company.com.", ""},
		{"a full-width letter in the domain", "member", "carol@ｃompany.com", ""},
		{"a decomposed ü", "member", "carol@bu\u0308cher.example", ""},
		{"a domain as the file writes it", "domain", "company.com", "company.com"},
		{"a domain in upper case", "domain", "Company.COM", "company.com"},
		{"a Unicode domain rule", "domain", "Bücher.example", "xn--bcher-kva.example"},
		{"a domain with blanks, @ and a dot", "domain", " @Company.COM. ", ""},
		{"a domain with a leading @", "domain", "@company.com", ""},
		{"a domain with a trailing dot", "domain", "company.com.", ""},
		{"a domain with a dotted capital İ, which lower-cases to an i and a dot", "domain", "İcompany.com", ""},
		{"an email rule in another case", "email", "Zed@Company.com", "zed@company.com"},
		{"an email rule with the Kelvin sign", "email", "zed@compan\u212a.com", ""},
		{"an email rule with a blank", "email", "zed@company.com ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, bs, acls := fromAPIBase()
			object := `member "Alice@Company.com" (id "m-1")`
			switch tt.field {
			case "member":
				ms[0].Email = tt.value
				object = fmt.Sprintf("member %q (id \"m-1\")", tt.value)
			case "domain":
				acls[0].Rules = []qovery.Rule{{Type: qovery.RuleDomain, Value: tt.value}}
				object = `blueprint "data-science" (id "bp-1")`
			case "email":
				acls[0].Rules = []qovery.Rule{{Type: qovery.RuleEmail, Value: tt.value}}
				object = `blueprint "data-science" (id "bp-1")`
			}
			cfg, err := qovery.FromAPI("org", ms, bs, acls)
			if tt.want == "" {
				var ue *qovery.UnexpectedError
				if !errors.As(err, &ue) || ue.Object != object || tt.field != "member" && !strings.Contains(ue.What, strconv.Quote(tt.value)) {
					t.Fatalf("err = %v\nwant an *UnexpectedError about %s naming %q", err, object, tt.value)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			got := ""
			for _, m := range cfg.Members {
				if m.ID == "m-1" && tt.field == "member" {
					got = m.Email
				}
			}
			for _, b := range cfg.Blueprints {
				if b.ID == "bp-1" && tt.field != "member" {
					got = b.Rules[0].Value
				}
			}
			if got != tt.want {
				t.Errorf("read as %q, want %q", got, tt.want)
			}
		})
	}
}

// TestListsEnd: a list whose next_cursor keeps changing, each page empty, is
// read for at most 10,000 pages (1,000,000 entries at 100 a page), then refused
// naming the list, the route and the bound.
func TestListsEnd(t *testing.T) {
	for _, list := range []string{"members", "blueprints"} {
		t.Run(list, func(t *testing.T) {
			var n atomic.Int64
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if i := n.Add(1); i <= 20000 {
					fmt.Fprintf(w, `{"results":[],"next_cursor":"c%d"}`, i)
					return
				}
				fmt.Fprint(w, `{"results":[]}`) // so that a client without a bound fails, not hangs

			}))
			defer ts.Close()
			c := newClient(t, ts.URL, nil)
			var err error
			want := `the member list: a next_cursor after 10000 pages of GET /member (1000000 entries at most, the most portalctl reads)`
			if list == "members" {
				_, err = c.ListMembers(context.Background())
			} else {
				want = `the blueprint list: a next_cursor after 10000 pages of GET /blueprint`
				_, err = c.ListBlueprints(context.Background())
			}
			var ue *qovery.UnexpectedError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v\nwant an *UnexpectedError saying %s", err, want)
			}
			if got := n.Load(); got != 10000 {
				t.Errorf("%d pages read, want 10000", got)
			}
		})
	}
}

// A pending member's day of invitation is the day of created_at, UTC; a pending
// member without one is refused, naming them: how long it waited is not guessed.
func TestFromAPIInvited(t *testing.T) {
	ms, bps, acls := fromAPIBase()
	cfg, err := qovery.FromAPI("org", ms, bps, acls)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cfg.Members {
		want := portal.Date{}
		if m.Status == portal.StatusPending {
			want = portal.Date{Year: 2026, Month: time.November, Day: 1}
		}
		if m.Invited != want {
			t.Errorf("%s invited %v, want %v", m.Email, m.Invited, want)
		}
	}
	ms[1].CreatedAt = time.Time{}
	_, err = qovery.FromAPI("org", ms, bps, acls)
	var ue *qovery.UnexpectedError
	if !errors.As(err, &ue) || !strings.Contains(ue.Object, `member "bob@bücher.example"`) || !strings.Contains(ue.What, "without created_at") {
		t.Fatalf("FromAPI = %v, want the pending member without created_at refused", err)
	}
}
