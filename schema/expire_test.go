package schema

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
)

// expireToday is the fixed day the expire cases are checked on.
var expireToday = portal.Date{Year: 2026, Month: 11, Day: 20}

func expireLoader(t testing.TB) *Loader {
	t.Helper()
	l, err := New(Today(expireToday))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// renderExpiry is a golden file of an expire run: the entries removed, then the
// file written, or the error.
func renderExpiry(ex *Expiry, data []byte, err error) string {
	var b strings.Builder
	if err != nil {
		return "--- error\n" + err.Error() + "\n"
	}
	for _, e := range ex.Entries {
		what := "member"
		if e.Org {
			what = "organization member"
		}
		fmt.Fprintf(&b, "%d:%d %s %s expired on %s (lines %d-%d)\n", e.Pos.Line, e.Pos.Col, what, e.Email, e.Expires, e.First, e.Last)
	}
	fmt.Fprintf(&b, "--- result (%d warnings)\n%s", ex.Warnings, ex.After("portal.yaml", data))
	return b.String()
}

// TestExpireGolden deletes the expired entries of each testdata/expire case and
// compares the file written with its golden file: comments, blank lines, flow and
// block styles, anchors and quoting of everything else stay byte for byte. The
// same cases with CRLF line endings give the same result with CRLF endings.
func TestExpireGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/expire/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatal("no cases")
	}
	l := expireLoader(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			ex, ds, err := l.Expire(context.Background(), "portal.yaml", data, nil)
			if ds.HasErrors() {
				t.Fatalf("the case does not validate: %v", ds)
			}
			got := renderExpiry(ex, data, err)
			testkit.Golden(t, strings.TrimSuffix(file, ".yaml")+".golden", got)
			if err == nil {
				checkOnlyCut(t, data, ex.After("portal.yaml", data))
			}

			crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
			cex, _, cerr := l.Expire(context.Background(), "portal.yaml", crlf, nil)
			if (cerr == nil) != (err == nil) {
				t.Fatalf("with CRLF: %v; with LF: %v", cerr, err)
			}
			if err == nil {
				if want := bytes.ReplaceAll(ex.After("portal.yaml", data), []byte("\n"), []byte("\r\n")); !bytes.Equal(cex.After("portal.yaml", crlf), want) {
					t.Errorf("with CRLF endings:\n%q\nwant\n%q", cex.After("portal.yaml", crlf), want)
				}
			}
		})
	}
}

// checkOnlyCut checks that out is in, less some bytes: nothing added, moved or
// rewritten (but the " []" of a members list left empty).
func checkOnlyCut(t *testing.T, in, out []byte) {
	t.Helper()
	out = bytes.Replace(out, []byte("members: []"), []byte("members:"), 1)
	i := 0
	for _, c := range out {
		for i < len(in) && in[i] != c {
			i++
		}
		if i == len(in) {
			t.Fatalf("the result is not the input with parts cut out:\n%s", out)
		}
		i++
	}
}

// TestExpireNothing: a file with nothing expired comes back as it is.
func TestExpireNothing(t *testing.T) {
	data := []byte("version: 1\nmembers:\n  - email: a@company.com\n    role: admin\nblueprints:\n  b:\n    access: open\n")
	ex, ds, err := expireLoader(t).Expire(context.Background(), "portal.yaml", data, nil)
	if err != nil || ds.HasErrors() || len(ex.Entries) != 0 || !bytes.Equal(ex.After("portal.yaml", data), data) {
		t.Fatalf("got %+v, %v, %v", ex, ds, err)
	}
	if _, _, err := newLoader(t).Expire(context.Background(), "portal.yaml", data, nil); err != ErrNoDay {
		t.Errorf("without a day: %v", err)
	}
	bad := []byte("version: 1\nmembers:\n  - email: nope\nblueprints: {}\n")
	if ex, ds, err := expireLoader(t).Expire(context.Background(), "portal.yaml", bad, nil); ex != nil || err != nil || !ds.HasErrors() {
		t.Errorf("an invalid file: %v, %v, %v", ex, ds, err)
	}
}

// TestExpireLoneCR: a file whose lines end in a carriage return alone validates
// (YAML reads a CR as a line break), but is not edited in place: an error says
// why, where the editor once cut the wrong bytes or crashed.
func TestExpireLoneCR(t *testing.T) {
	src := "version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\n  - email: bob@company.com\n    expires: 2026-01-01\nblueprints:\n  a:\n    access: open\n"
	data := []byte(strings.ReplaceAll(src, "\n", "\r"))
	ex, ds, err := expireLoader(t).Expire(context.Background(), "portal.yaml", data, nil)
	if ds.HasErrors() {
		t.Fatalf("the file does not validate: %v", ds)
	}
	if ex != nil || err == nil || !strings.Contains(err.Error(), "portal.yaml: line 1 ends in a carriage return alone (CR)") {
		t.Fatalf("want a refusal naming the line ending, got %+v, %v", ex, err)
	}
}

// expireModel is what Expire must leave: the file's configuration without the
// entries expired on the day, computed apart from Expire.
func expireModel(cfg *portal.Config, today portal.Date) *portal.Config {
	want := *cfg
	want.Members = nil
	for _, m := range cfg.Members {
		if !m.Expired(today) {
			want.Members = append(want.Members, m)
		}
	}
	if cfg.Org != nil {
		org := *cfg.Org
		org.Members = nil
		for _, m := range cfg.Org.Members {
			if !m.Expired(today) {
				org.Members = append(org.Members, m)
			}
		}
		want.Org = &org
	}
	return &want
}

// FuzzExpire: whatever the file, Expire either refuses it or writes a file that
// parses, holds the configuration less the expired entries, and is the input
// with parts cut out.
func FuzzExpire(f *testing.F) {
	files, _ := filepath.Glob("testdata/expire/*.yaml")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	l, err := New(Today(expireToday), MaxFileSize(1<<20))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, ds := l.Parse("portal.yaml", data)
		ex, eds, err := l.Expire(context.Background(), "portal.yaml", data, nil)
		switch {
		case ds.HasErrors():
			if ex != nil || err != nil || !eds.HasErrors() {
				t.Fatalf("an invalid file was not refused with its diagnostics: %v %v", ex, err)
			}
			return
		case err != nil:
			return // refused, with a reason
		}
		after, ads := l.Parse("portal.yaml", ex.After("portal.yaml", data))
		if ads.HasErrors() {
			t.Fatalf("the result does not validate: %v\n%s", ads, ex.After("portal.yaml", data))
		}
		if why := SameConfig(expireModel(cfg, expireToday), after); why != "" {
			t.Fatalf("the result is not the input less the expired entries: %s\n--- in\n%s\n--- out\n%s", why, data, ex.After("portal.yaml", data))
		}
		var expired []string
		for _, m := range cfg.Members {
			if m.Expired(expireToday) {
				expired = append(expired, m.Email)
			}
		}
		for _, e := range ex.Entries {
			if !e.Org && !slices.Contains(expired, e.Email) {
				t.Fatalf("removed %s, who has not expired", e.Email)
			}
		}
		checkOnlyCut(t, data, ex.After("portal.yaml", data))
	})
}

// TestExpireRandom is the property of FuzzExpire on generated files that fuzzing
// rarely reaches: valid portal.yaml files written every way a person might
// (block and flow lists and entries, keys in any order, indented or not, head,
// line and foot comments, blank lines, quoting, anchors and merge keys, LF or
// CRLF), with random entries expired. Expire must always manage, and write the
// configuration less the expired entries by cutting bytes out.
func TestExpireRandom(t *testing.T) {
	t.Parallel() // seconds of CPU each, independent: they share the cores at the end of make test
	l := expireLoader(t)
	r := rand.New(rand.NewPCG(14, 2026))
	dates := []string{"2026-01-01", "2026-11-19", "2026-11-20", "2026-11-21", "2027-06-30"}
	for round := range 3000 {
		data := randomPortal(r, dates)
		cfg, ds := l.Parse("portal.yaml", data)
		if ds.HasErrors() {
			t.Fatalf("round %d: the generator wrote an invalid file: %v\n%s", round, ds, data)
		}
		ex, eds, err := l.Expire(context.Background(), "portal.yaml", data, nil)
		if err != nil || eds.HasErrors() {
			t.Fatalf("round %d: %v %v\n%s", round, err, eds, data)
		}
		after, ads := l.Parse("portal.yaml", ex.After("portal.yaml", data))
		if ads.HasErrors() {
			t.Fatalf("round %d: the result does not validate: %v\n--- in\n%s\n--- out\n%s", round, ads, data, ex.After("portal.yaml", data))
		}
		if why := SameConfig(expireModel(cfg, expireToday), after); why != "" {
			t.Fatalf("round %d: %s\n--- in\n%s\n--- out\n%s", round, why, data, ex.After("portal.yaml", data))
		}
		checkOnlyCut(t, data, ex.After("portal.yaml", data))
	}
}

func randomPortal(r *rand.Rand, dates []string) []byte {
	var b strings.Builder
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	comment := func() string {
		if r.IntN(3) == 0 {
			return "  # " + pick("note", "until the audit", "ticket SEC-1", "é ü")
		}
		return ""
	}
	b.WriteString("version: 1\n")
	if r.IntN(3) == 0 {
		b.WriteString("x-base: &base\n  role: user\n")
	}
	entry := func(i int, prefix string, org bool) []string { // key: value lines of one entry
		email := fmt.Sprintf("%s%d@company.com", prefix, i)
		if r.IntN(4) == 0 {
			email = `"` + email + `"`
		}
		kv := []string{"email: " + email}
		switch {
		case org && i == 0:
			kv = append(kv, "role: Owner")
		case org:
			kv = append(kv, "role: "+pick("Viewer", "Admin", "\"Billing Manager\""))
		case i == 0:
			kv = append(kv, "role: admin")
		case r.IntN(3) == 0:
			kv = append(kv, "role: "+pick("user", "admin"))
		}
		if !(org && i == 0) && r.IntN(3) > 0 {
			d := pick(dates...)
			if r.IntN(2) == 0 {
				d = `"` + d + `"`
			}
			kv = append(kv, "expires: "+d)
		}
		r.Shuffle(len(kv), func(a, c int) { kv[a], kv[c] = kv[c], kv[a] })
		return kv
	}
	list := func(key, prefix string, org bool) {
		n := 1 + r.IntN(6)
		if r.IntN(5) == 0 {
			// A flow list, one entry a line or all on one.
			var items []string
			for i := range n {
				items = append(items, "{"+strings.Join(entry(i, prefix, org), ", ")+"}")
			}
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "%s: [%s]%s\n", key, strings.Join(items, ", "), comment())
			} else {
				fmt.Fprintf(&b, "%s: [\n  %s\n]\n", key, strings.Join(items, ",\n  "))
			}
			return
		}
		fmt.Fprintf(&b, "%s:%s\n", key, comment())
		ind := pick("", "  ", "    ")
		for i := range n {
			if r.IntN(4) == 0 {
				b.WriteString("\n")
			}
			if r.IntN(4) == 0 {
				b.WriteString(ind + "# about entry " + fmt.Sprint(i) + "\n")
			}
			kv := entry(i, prefix, org)
			switch {
			case r.IntN(5) == 0:
				fmt.Fprintf(&b, "%s- {%s}%s\n", ind, strings.Join(kv, ", "), comment())
			case r.IntN(6) == 0:
				fmt.Fprintf(&b, "%s-\n", ind)
				for _, x := range kv {
					fmt.Fprintf(&b, "%s  %s%s\n", ind, x, comment())
				}
			default:
				for j, x := range kv {
					lead := ind + "  "
					if j == 0 {
						lead = ind + "- "
					}
					fmt.Fprintf(&b, "%s%s%s\n", lead, x, comment())
				}
				if r.IntN(4) == 0 {
					b.WriteString(ind + "  # foot of entry " + fmt.Sprint(i) + "\n")
				}
			}
		}
		if r.IntN(3) == 0 {
			b.WriteString("\n# end of " + key + "\n")
		}
	}
	list("members", "m", false)
	if r.IntN(2) == 0 {
		list("organization_members", "o", true)
	}
	b.WriteString("groups:\n  team: [m0@company.com, m1@company.com]\nblueprints:\n  open: {access: open}\n  team:\n    groups: [team]\n    emails: [m2@company.com]\n")
	out := []byte(b.String())
	if r.IntN(4) == 0 {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	return out
}

// TestExpireRefusesToBreakThePolicy: deleting the entry of a stale invitation
// that the policy requires as an admin is refused, files untouched, and the
// error does not advise deleting it by hand, which breaks the policy alike.
func TestExpireRefusesToBreakThePolicy(t *testing.T) {
	data := []byte("version: 1\npolicy:\n  required_admins: [bob@company.com]\nmembers:\n  - email: alice@company.com\n    role: admin\n  - email: bob@company.com\n    role: admin\nblueprints:\n  handbook:\n    access: open\n")
	_, _, err := expireLoader(t).ExpireAndDelete(context.Background(), "portal.yaml", data, nil, []Stale{{Email: "bob@company.com"}})
	if err == nil || !strings.Contains(err.Error(), "the policy forbids deleting them") || strings.Contains(err.Error(), "by hand") {
		t.Fatalf("got %v", err)
	}
}
