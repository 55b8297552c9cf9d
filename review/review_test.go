package review

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

var today = portal.Date{Year: 2026, Month: 12, Day: 7}

// load reads a testdata file as the command does: its dates judged on the day
// the review runs (a file as of a past review day may hold a later reviewed:
// date than that day, not than today).
func load(t *testing.T, name string) *portal.Config {
	t.Helper()
	path := filepath.Join("testdata", name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l := testkit.Must(schema.New(schema.Today(today), schema.NoPolicy()))
	cfg, ds := l.Load(context.Background(), path, data, nil)
	if ds.HasErrors() {
		t.Fatalf("%s: %v", path, ds)
	}
	return cfg
}

// fixture is testdata/now.yaml, and testdata/then.yaml as of its reviews.
func fixture(t *testing.T, live *portal.Config) (*Book, []*portal.Blueprint, map[portal.Date]*Past) {
	t.Helper()
	now := load(t, "now.yaml")
	bk := NewBook(now, today, live)
	bps, err := bk.Select(Selection{})
	if err != nil {
		t.Fatal(err)
	}
	// The past file is loaded as the command loads it: judged on the day it
	// runs (a review date after the past day is no error), its access as of
	// the review day (NewPast).
	pasts := map[portal.Date]*Past{}
	for _, d := range Days(bps) {
		var names []string
		for _, b := range bps {
			if b.Reviewed == d {
				names = append(names, b.Name)
			}
		}
		pasts[d] = bk.NewPast(d, "0123456789abcdef0123456789abcdef01234567", load(t, "then.yaml"), names)
	}
	return bk, bps, pasts
}

func packets(bk *Book, bps []*portal.Blueprint, pasts map[portal.Date]*Past) []Packet {
	var out []Packet
	for _, b := range bps {
		out = append(out, bk.Packet(b, pasts[b.Reviewed]))
	}
	return out
}

func render(t *testing.T, f report.Format, h Header, ps []Packet, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f, h, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if err := w.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestStateOf(t *testing.T) {
	reviewed := func(d portal.Date) *portal.Blueprint {
		return &portal.Blueprint{Name: "b", Rules: []portal.Rule{{Kind: portal.RuleDomain, Value: "company.com"}}, Reviewed: d}
	}
	day := func(n int) portal.Date { return today.AddDays(n) }
	tests := []struct {
		name  string
		b     *portal.Blueprint
		every int
		want  State
		due   portal.Date
	}{
		{"no policy", reviewed(portal.Date{}), 0, NotDue, portal.Date{}},
		{"never reviewed", reviewed(portal.Date{}), 90, Never, portal.Date{}},
		{"open", &portal.Blueprint{Name: "o", Open: true}, 90, NotDue, portal.Date{}},
		{"due yesterday", reviewed(day(-91)), 90, Overdue, day(-1)},
		{"due today", reviewed(day(-90)), 90, Due, today},
		{"due in 14 days", reviewed(day(-76)), 90, Due, day(14)},
		{"due in 15 days", reviewed(day(-75)), 90, NotDue, day(15)},
		{"reviewed today", reviewed(today), 90, NotDue, day(90)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, due := StateOf(tt.b, tt.every, today)
			if st != tt.want || due != tt.due {
				t.Fatalf("StateOf = %s, %s; want %s, %s", st, due, tt.want, tt.due)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	bk := NewBook(load(t, "now.yaml"), today, nil)
	tests := []struct {
		name    string
		sel     Selection
		want    []string
		wantErr string
	}{
		{name: "due", sel: Selection{}, want: []string{"data-science", "ml", "soon"}},
		{name: "all", sel: Selection{All: true}, want: []string{"data-science", "finance", "ml", "soon"}},
		{name: "named, due or not, once", sel: Selection{Blueprints: []string{"finance", "ml", "finance"}}, want: []string{"finance", "ml"}},
		{name: "owner of due", sel: Selection{Owner: "bob@company.com"}, want: []string{"ml", "soon"}},
		{name: "owner of all", sel: Selection{Owner: "alice@company.com", All: true}, want: []string{"data-science", "finance"}},
		{name: "owner and name", sel: Selection{Owner: "bob@company.com", Blueprints: []string{"finance"}}, want: nil},
		{name: "no such blueprint", sel: Selection{Blueprints: []string{"finanse"}}, wantErr: `no blueprint "finanse" in testdata/now.yaml; did you mean finance?`},
		{name: "open", sel: Selection{Blueprints: []string{"handbook"}}, wantErr: `testdata/now.yaml:38:3: blueprint "handbook" is open to every member`},
		{name: "owner of nothing", sel: Selection{Owner: "carol@company.com"}, wantErr: "carol@company.com owns no blueprint in testdata/now.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bps, err := bk.Select(tt.sel)
			if testkit.WantErr(t, err, tt.wantErr) {
				return
			}
			var got []string
			for _, b := range bps {
				got = append(got, b.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Select = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestChangesSinceReview holds the fixture's gained and lost to what
// testdata/now.yaml says happened since testdata/then.yaml.
func TestChangesSinceReview(t *testing.T) {
	bk, bps, pasts := fixture(t, nil)
	type change struct {
		email  string
		reason Reason
	}
	want := map[string]struct{ gained, lost []change }{
		"data-science": {
			gained: []change{{"carol@company.com", Joined}, {"eve@company.com", Joined}},
			lost:   []change{{"dave@company.com", Left}, {"ext@partner.io", Rules}, {"old@partner.io", Expired}},
		},
		"soon": {gained: []change{{"eve@company.com", Joined}}},
	}
	for _, p := range packets(bk, bps, pasts) {
		w, ok := want[p.Blueprint]
		if !ok {
			if p.Since != nil {
				t.Errorf("%s: never reviewed, but compared with %s", p.Blueprint, p.Since.Reviewed)
			}
			continue
		}
		var gained, lost []change
		for _, c := range p.Since.Gained {
			gained = append(gained, change{c.Email, c.Reason})
		}
		for _, c := range p.Since.Lost {
			lost = append(lost, change{c.Email, c.Reason})
		}
		if !slices.Equal(gained, w.gained) || !slices.Equal(lost, w.lost) {
			t.Errorf("%s: gained %v, lost %v; want %v, %v", p.Blueprint, gained, lost, w.gained, w.lost)
		}
		if p.Counts.Gained != len(w.gained) || p.Counts.Lost != len(w.lost) {
			t.Errorf("%s: counts %+v", p.Blueprint, p.Counts)
		}
	}
}

func TestGolden(t *testing.T) {
	live := &portal.Config{Members: []portal.Member{
		{Email: "alice@company.com", Status: portal.StatusActive},
		{Email: "carol@company.com", Status: portal.StatusPending},
	}}
	for _, tt := range []struct {
		name string
		f    report.Format
		live *portal.Config
		opts Options
	}{
		{"text", report.Text, nil, Options{}},
		{"markdown", report.Markdown, nil, Options{}},
		{"markdown-live-rows", report.Markdown, live, Options{MaxRows: 2}},
		{"csv", report.CSV, live, Options{}},
		{"json", report.JSON, nil, Options{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bk, bps, pasts := fixture(t, tt.live)
			ps := packets(bk, bps, pasts)
			ps = append(ps, bk.Packet(bps[0], NoPast(portal.Date{Year: 2020, Month: 1, Day: 1}, "", "no commit on or before that day")))
			got := render(t, tt.f, bk.Header(bps, "portal.yaml", ""), ps, tt.opts)
			ext := map[report.Format]string{report.Text: "txt", report.Markdown: "md", report.CSV: "csv", report.JSON: "json"}[tt.f]
			testkit.Golden(t, filepath.Join("testdata", tt.name+"."+ext), got)
			if tt.f == report.JSON && !json.Valid([]byte(got)) {
				t.Fatalf("invalid JSON:\n%s", got)
			}
		})
	}
}

func TestNothingToReview(t *testing.T) {
	bk := NewBook(load(t, "now.yaml"), today, nil)
	for f, want := range map[report.Format]string{
		report.Text: "Access review of portal.yaml on 2026-12-07: no blueprint to review; a review every 90 days.\nNothing to review.\n",
		report.JSON: `{"version":1,"today":"2026-12-07","review_every_days":90,"source":"portal.yaml","states":{},"packets":[]}` + "\n",
		report.CSV:  strings.Join(csvColumns, ",") + "\n",
	} {
		if got := render(t, f, bk.Header(nil, "portal.yaml", ""), nil, Options{}); got != want {
			t.Errorf("%s: got %q, want %q", f, got, want)
		}
	}
}

// TestAudienceOracle holds the packet's audience, and who gained and lost
// access, to the obvious loop over members and rules (testkit.Audience), on
// random portals.
func TestAudienceOracle(t *testing.T) {
	pools := testkit.Pools{
		Locals:  []string{"a", "b", "c", "d"},
		Domains: []string{"x.com", "y.com", "z.io"},
		Groups:  []string{"g1", "g2", "g3"},
	}
	day := portal.Date{Year: 2026, Month: 6, Day: 1}
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		now, then := pools.Config(r, 5), pools.Config(r, 5)
		for i := range now.Members {
			if r.IntN(5) == 0 { // some have expired by today
				now.Members[i].Expires = today.AddDays(-r.IntN(3))
			}
		}
		if seed%3 == 0 {
			// Members out of email order, as a config built in code can be
			// (a loaded file's are in order).
			for _, c := range []*portal.Config{now, then} {
				r.Shuffle(len(c.Members), func(i, j int) { c.Members[i], c.Members[j] = c.Members[j], c.Members[i] })
			}
		}
		bk := NewBook(now, today, nil)
		var names []string
		for i := range now.Blueprints {
			names = append(names, now.Blueprints[i].Name)
		}
		past := bk.NewPast(day, "c", then, names)
		nowCfg, thenCfg := now.WithoutExpired(today), then.WithoutExpired(day)
		for i := range now.Blueprints {
			b := &now.Blueprints[i]
			if !Reviewable(b) {
				continue
			}
			p := bk.Packet(b, past)
			// Every list is in email order, as the goldens and the evidence
			// read it.
			if !slices.IsSortedFunc(p.Audience, func(a, b Member) int { return strings.Compare(a.Email, b.Email) }) ||
				!slices.IsSorted(emails(p.Since.Gained)) || !slices.IsSorted(emails(p.Since.Lost)) {
				t.Fatalf("seed %d, %s: not in email order: audience %v, gained %v, lost %v", seed, b.Name, p.Audience, p.Since.Gained, p.Since.Lost)
			}
			want := testkit.Audience(nowCfg, b)
			got := map[string]Member{}
			for _, m := range p.Audience {
				got[m.Email] = m
			}
			if len(got) != len(want) {
				t.Fatalf("seed %d, %s: audience %v, want %v", seed, b.Name, p.Audience, want)
			}
			for email, v := range want {
				m, ok := got[email]
				if !ok || !slices.Equal(m.Via, oracleVias(v, email)) {
					t.Fatalf("seed %d, %s, %s: via %q, want %q", seed, b.Name, email, m.Via, oracleVias(v, email))
				}
			}
			before := map[string]testkit.Via{}
			if tb, ok := then.Blueprint(b.Name); ok {
				before = testkit.Audience(thenCfg, &tb)
			}
			var gained, lost []string
			for e := range want {
				if _, ok := before[e]; !ok {
					gained = append(gained, e)
				}
			}
			for e := range before {
				if _, ok := want[e]; !ok {
					lost = append(lost, e)
				}
			}
			slices.Sort(gained)
			slices.Sort(lost)
			if g, l := emails(p.Since.Gained), emails(p.Since.Lost); !slices.Equal(g, gained) || !slices.Equal(l, lost) {
				t.Fatalf("seed %d, %s: gained %q lost %q; want %q, %q", seed, b.Name, g, l, gained, lost)
			}
			// Why: a gain is a join when they were no member that day; a loss
			// is through that day's rules, with that day's role, and left or
			// expired when they are no member today.
			for _, c := range p.Since.Gained {
				want := Rules
				if _, ok := memberOf(thenCfg, c.Email); !ok {
					want = Joined
				}
				if c.Reason != want {
					t.Fatalf("seed %d, %s: %s gained for %s, want %s", seed, b.Name, c.Email, c.Reason, want)
				}
			}
			for _, c := range p.Since.Lost {
				m, _ := memberOf(thenCfg, c.Email)
				want := Rules
				if _, ok := memberOf(nowCfg, c.Email); !ok {
					want = Left
					if m, ok := memberOf(now, c.Email); ok && m.Expired(today) {
						want = Expired
					}
				}
				if c.Reason != want || c.Role != string(m.Role) || !slices.Equal(c.Via, oracleVias(before[c.Email], c.Email)) {
					t.Fatalf("seed %d, %s: %s lost (%s, %s, via %q), want (%s, %s, via %q)", seed, b.Name, c.Email, c.Reason, c.Role, c.Via, want, m.Role, oracleVias(before[c.Email], c.Email))
				}
			}
		}
	}
}

// memberOf is the member of cfg with that email, found by the obvious walk.
func memberOf(cfg *portal.Config, email string) (portal.Member, bool) {
	for _, m := range cfg.Members {
		if m.Email == email {
			return m, true
		}
	}
	return portal.Member{}, false
}

// oracleVias writes the oracle's reasons as packets do: open, or each rule, an email rule from a
// group is the group's.
func oracleVias(v testkit.Via, email string) []string {
	if v.Open {
		return []string{"open"}
	}
	var out []string
	for _, r := range v.Rules {
		switch {
		case r.Kind == portal.RuleDomain:
			out = append(out, "domain:"+r.Value)
		case r.Group != "":
			out = append(out, "group:"+r.Group)
		default:
			out = append(out, "email:"+email)
		}
	}
	return out
}

func emails(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Email)
	}
	return out
}

// TestViasAgreeWithAccessAll: a packet's via is what access --all writes.
func TestViasAgreeWithAccessAll(t *testing.T) {
	v := vias([]access.Via{{Open: true}, {Rule: portal.RuleKey{Kind: portal.RuleDomain, Value: "x.com"}}, {Rule: portal.RuleKey{Kind: portal.RuleEmail, Value: "a@x.com"}}, {Rule: portal.RuleKey{Kind: portal.RuleEmail, Value: "a@x.com"}, Group: "g"}})
	if want := []string{"open", "domain:x.com", "email:a@x.com", "group:g"}; !slices.Equal(v, want) {
		t.Fatalf("vias = %q, want %q", v, want)
	}
}

// TestTextFitsTheTerminal: at a terminal's 80 columns, every line of the text
// packets fits, broken at spaces, and says what the unbroken text says.
func TestTextFitsTheTerminal(t *testing.T) {
	bk, bps, pasts := fixture(t, nil)
	ps := packets(bk, bps, pasts)
	wide := render(t, report.Text, bk.Header(bps, "portal.yaml", ""), ps, Options{})
	narrow := render(t, report.Text, bk.Header(bps, "portal.yaml", ""), ps, Options{Width: 80})
	long := 0
	for _, l := range strings.Split(wide, "\n") {
		if utf8.RuneCountInString(l) > 80 {
			long++
		}
	}
	if long == 0 {
		t.Fatal("no line of the fixture is longer than 80 columns: the test proves nothing")
	}
	for _, l := range strings.Split(narrow, "\n") {
		if utf8.RuneCountInString(l) > 80 {
			t.Errorf("%d columns: %q", utf8.RuneCountInString(l), l)
		}
	}
	if strings.Join(strings.Fields(wide), " ") != strings.Join(strings.Fields(narrow), " ") {
		t.Errorf("broken lines say something else:\n%s\nwant\n%s", narrow, wide)
	}
}

// TestRenamedSinceReview: a blueprint the file as of its review day did not
// have (renamed or added since) gets a note, not its whole audience as
// "gained through a change of rules".
func TestRenamedSinceReview(t *testing.T) {
	bk := NewBook(load(t, "now.yaml"), today, nil)
	bps, err := bk.Select(Selection{Blueprints: []string{"finance"}})
	if err != nil || len(bps) != 1 {
		t.Fatalf("%v %v", bps, err)
	}
	past := bk.NewPast(bps[0].Reviewed, "0123456789abcdef0123456789abcdef01234567", load(t, "then.yaml"), []string{"finance"})
	p := bk.Packet(bps[0], past)
	if p.Since == nil || !strings.Contains(p.Since.Note, "no blueprint finance") || len(p.Since.Gained)+len(p.Since.Lost) != 0 || p.Counts.Gained != 0 {
		t.Fatalf("since %+v, counts %+v", p.Since, p.Counts)
	}
}

// TestRenderOnManyGoroutines: packets laid out at once on several goroutines
// (Render, as the command does on every core) and written in order
// (WriteRendered) read as packets written one at a time (Write), in every
// format: the JSON commas, the CSV rows and the text's lines all come out the
// same, and a buffer a written packet gave back is laid out in afresh.
func TestRenderOnManyGoroutines(t *testing.T) {
	bk, bps, pasts := fixture(t, nil)
	ps := packets(bk, bps, pasts)
	ps = append(ps, ps...) // more packets than goroutines at once: buffers are reused
	h := bk.Header(bps, "portal.yaml", "")
	for _, f := range []report.Format{report.Text, report.Markdown, report.CSV, report.JSON} {
		want := render(t, f, h, ps, Options{Width: 80})
		var buf bytes.Buffer
		w, err := NewWriter(&buf, f, h, Options{Width: 80})
		if err != nil {
			t.Fatal(err)
		}
		laid := make([]chan Rendered, len(ps))
		for i, p := range ps {
			laid[i] = make(chan Rendered, 1)
			go func() {
				r, err := w.Render(p)
				if err != nil {
					t.Error(err)
				}
				laid[i] <- r
			}()
			if i >= 3 { // three at a time, as a bounded queue does
				if err := w.WriteRendered(<-laid[i-3]); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i := max(0, len(ps)-3); i < len(ps); i++ {
			if err := w.WriteRendered(<-laid[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != want {
			t.Errorf("%s: laid out on several goroutines:\n%s\nwant, written one at a time:\n%s", f, got, want)
		}
	}
}
