package testkit_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/schema"
)

func TestGrants(t *testing.T) {
	domain := func(d string) portal.Rule { return portal.Rule{Kind: portal.RuleDomain, Value: d} }
	email := func(e, g string) portal.Rule { return portal.Rule{Kind: portal.RuleEmail, Value: e, Group: g} }
	cfg := &portal.Config{
		Members: []portal.Member{{Email: "zoe@company.com"}, {Email: "ann@eu.company.com"}, {Email: "bob@partner.org"}},
		Blueprints: []portal.Blueprint{
			{Name: "b-open", Open: true},
			{Name: "a-company", Rules: []portal.Rule{domain("company.com"), email("bob@partner.org", "contractors")}},
			{Name: "c-nobody", Rules: []portal.Rule{domain("gmail.com"), email("ann@company.com", "")}},
		},
	}
	var got []string
	for _, g := range testkit.Grants(cfg) {
		var via []string
		if g.Open {
			via = append(via, "open")
		}
		for _, r := range g.Rules {
			via = append(via, r.String()+"/"+r.Group)
		}
		got = append(got, g.Member.Email+" "+g.Blueprint.Name+" "+strings.Join(via, ","))
	}
	want := []string{
		"ann@eu.company.com b-open open", // a sub-domain is not its parent
		"bob@partner.org a-company email bob@partner.org/contractors",
		"bob@partner.org b-open open",
		"zoe@company.com a-company domain company.com/",
		"zoe@company.com b-open open",
	}
	if !slices.Equal(got, want) {
		t.Errorf("grants\n%q\nwant\n%q", got, want)
	}
	if a := testkit.Audience(cfg, &cfg.Blueprints[1]); len(a) != 2 || !a["zoe@company.com"].Sees() || a["ann@eu.company.com"].Sees() {
		t.Errorf("audience of a-company: %+v", a)
	}
}

// TestPoolsConfig: a random config is normalised as schema leaves one (sorted,
// rules de-duplicated, an open blueprint without rules), and its blueprints
// name the groups their rules come from.
func TestPoolsConfig(t *testing.T) {
	p := testkit.Pools{Locals: []string{"a", "b"}, Domains: []string{"x.com", "y.org"}, Groups: []string{"g1", "g2"}}
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		cfg := p.Config(r, 6)
		if !slices.IsSortedFunc(cfg.Members, func(a, b portal.Member) int { return strings.Compare(a.Email, b.Email) }) {
			t.Fatalf("members not sorted: %+v", cfg.Members)
		}
		for _, b := range cfg.Blueprints {
			if b.Open != (len(b.Rules) == 0) {
				t.Fatalf("%s: open %v with %d rules", b.Name, b.Open, len(b.Rules))
			}
			for i, rule := range b.Rules {
				if i > 0 && !portal.LessKey(b.Rules[i-1].Key(), rule.Key()) {
					t.Fatalf("%s: rules not sorted and distinct: %v", b.Name, b.Rules)
				}
				if rule.Group != "" && !slices.Contains(b.Groups, rule.Group) {
					t.Fatalf("%s: a rule of group %s, not among its groups %v", b.Name, rule.Group, b.Groups)
				}
			}
		}
	}
	if got := p.Emails(); !slices.Equal(got, []string{"a@x.com", "a@y.org", "b@x.com", "b@y.org"}) {
		t.Errorf("emails %v", got)
	}
}

// TestRandomFile: most random files are valid, and they cover what they mean to.
func TestRandomFile(t *testing.T) {
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	valid, withOrg, withGroups := 0, 0, 0
	for range 300 {
		cfg, ds := l.Parse("portal.yaml", testkit.RandomFile(r))
		if ds.HasErrors() {
			continue
		}
		valid++
		if cfg.Org != nil {
			withOrg++
		}
		if slices.ContainsFunc(cfg.Blueprints, func(b portal.Blueprint) bool { return len(b.Groups) > 0 }) {
			withGroups++
		}
	}
	if valid < 150 || withOrg == 0 || withGroups == 0 {
		t.Errorf("%d valid of 300, %d with organization members, %d with groups", valid, withOrg, withGroups)
	}
}

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.golden")
	if err := os.WriteFile(path, []byte("same\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, path, "same\n")
	testkit.Golden(t, path, []byte("same\n"))
	ft := &fakeT{T: t}
	testkit.Golden(ft, path, "other\n")
	if !strings.Contains(ft.msg, "a.golden differs") || !strings.Contains(ft.msg, "-run '^TestGolden$' -update") {
		t.Errorf("a differing file says %q", ft.msg)
	}
}

// fakeT records a failure instead of failing.
type fakeT struct {
	*testing.T
	msg string
}

func (f *fakeT) Errorf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }
func (f *fakeT) Fatalf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }
func (f *fakeT) Fatal(args ...any)                 { f.msg = fmt.Sprint(args...) }

func TestWantErr(t *testing.T) {
	boom := errors.New("the file changed")
	tests := []struct {
		name     string
		err      error
		want     string
		expected bool
		fails    string
	}{
		{"none, none wanted", nil, "", false, ""},
		{"the one wanted", boom, "changed", true, ""},
		{"another", boom, "gone", true, `err = the file changed, want "gone"`},
		{"none, one wanted", nil, "gone", true, `err = <nil>, want "gone"`},
		{"one, none wanted", boom, "", false, "the file changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ft := &fakeT{T: t}
			if got := testkit.WantErr(ft, tt.err, tt.want); got != tt.expected || ft.msg != tt.fails {
				t.Errorf("WantErr = %v, failing with %q; want %v, %q", got, ft.msg, tt.expected, tt.fails)
			}
		})
	}
}

func TestRewriting(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Kept", "yes")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, `{"a":1,"a":1}`)
	})
	ts := httptest.NewServer(testkit.Rewriting(h, "/org/1", testkit.Replace("GET", "/x", `"a"`, `"b"`, 1)))
	defer ts.Close()
	for _, tt := range []struct{ path, want string }{{"/org/1/x", `{"b":1,"a":1}`}, {"/org/1/y", `{"a":1,"a":1}`}} {
		res, err := http.Get(ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(body) != tt.want || res.StatusCode != http.StatusTeapot || res.Header.Get("X-Kept") != "yes" {
			t.Errorf("%s: %d %q %v", tt.path, res.StatusCode, body, res.Header)
		}
	}
}

// TestFilesAndGit: a file written with its mode past the umask, a link, and a
// commit made by git as the fixed author.
func TestFilesAndGit(t *testing.T) {
	dir := t.TempDir()
	path := testkit.WriteFile(t, filepath.Join(dir, "sub", "portal.yaml"), "version: 1\n", 0o664)
	if st := testkit.Stat(t, path); st.Mode().Perm() != 0o664 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	link := testkit.Symlink(t, path, filepath.Join(dir, "link", "portal.yaml"))
	if data, err := os.ReadFile(link); err != nil || string(data) != "version: 1\n" {
		t.Errorf("through the link: %q, %v", data, err)
	}
	testkit.Git(t, dir, "init", "-q")
	testkit.Git(t, dir, "add", "sub/portal.yaml")
	testkit.Git(t, dir, "commit", "-q", "-m", "first")
	if got := testkit.Git(t, dir, "log", "--format=%an <%ae> %s"); got != "t <t@example.com> first" {
		t.Errorf("git log: %q", got)
	}
}
