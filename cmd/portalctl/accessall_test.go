package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/qovery"
)

// Small pools, so that random rules and members collide; eu.company.com is a
// sub-domain of company.com and must never match it, and the locals that start
// with - and + would run as formulas in a spreadsheet.
var (
	oracleLocals  = []string{"alice", "bob", "carol", "-dash", "+plus"}
	oracleDomains = []string{"company.com", "eu.company.com", "partner.org", "gmail.com"}
	oracleGroups  = []string{"contractors", "leads", "ops"}
)

// randomPortal writes a random portal.yaml, spelling some emails and domains in
// upper case or with a leading "@" as people do, and returns it with the CSV rows
// the obvious members × blueprints × rules loop gives for it.
func randomPortal(r *rand.Rand) (string, [][]string) {
	email := func() string {
		return oracleLocals[r.IntN(len(oracleLocals))] + "@" + oracleDomains[r.IntN(len(oracleDomains))]
	}
	spell := func(s string) string {
		switch r.IntN(4) {
		case 0:
			return strings.ToUpper(s)
		case 1:
			return strings.ToUpper(s[:1]) + s[1:]
		}
		return s
	}
	quote := func(s string) string { return fmt.Sprintf("%q", s) }
	var y strings.Builder
	y.WriteString("version: 1\nmembers:\n")
	type member struct{ email, role, expires string }
	var members []member
	seen := map[string]bool{}
	for range r.IntN(14) {
		e := email()
		if seen[e] {
			continue
		}
		seen[e] = true
		m := member{e, "user", ""}
		fmt.Fprintf(&y, "  - email: %s\n", quote(spell(e)))
		if r.IntN(4) == 0 {
			m.role = "admin"
			y.WriteString("    role: admin\n")
		}
		if r.IntN(5) == 0 {
			m.expires = fmt.Sprintf("2099-0%d-1%d", 1+r.IntN(9), r.IntN(10))
			fmt.Fprintf(&y, "    expires: %s\n", m.expires)
		}
		members = append(members, m)
	}
	if len(members) == 0 {
		y.Reset()
		y.WriteString("version: 1\nmembers: []\n")
	}
	groups := map[string][]string{}
	y.WriteString("groups:\n")
	for _, g := range oracleGroups {
		set := map[string]bool{}
		for range 1 + r.IntN(3) {
			set[email()] = true
		}
		for e := range set {
			groups[g] = append(groups[g], e)
		}
		slices.Sort(groups[g])
		var spelled []string
		for _, e := range groups[g] {
			spelled = append(spelled, quote(spell(e)))
		}
		fmt.Fprintf(&y, "  %s: [%s]\n", g, strings.Join(spelled, ", "))
	}
	type blueprint struct {
		name           string
		open           bool
		domains, mails map[string]bool
		// grouped are the emails its groups bring, with the first group that
		// brings each (a rule written on the blueprint itself wins).
		grouped map[string]string
	}
	var bps []blueprint
	y.WriteString("blueprints:\n")
	for i := range 1 + r.IntN(9) {
		// Names out of order in the file: rows come sorted all the same.
		b := blueprint{name: fmt.Sprintf("bp-%02d", (i*7)%9), domains: map[string]bool{}, mails: map[string]bool{}, grouped: map[string]string{}}
		fmt.Fprintf(&y, "  %s:\n", b.name)
		if r.IntN(5) == 0 {
			b.open = true
			y.WriteString("    access: open\n")
			bps = append(bps, b)
			continue
		}
		var domains, mails, gs []string
		for range r.IntN(3) {
			d := oracleDomains[r.IntN(len(oracleDomains))]
			if !b.domains[d] {
				b.domains[d] = true
				prefix := ""
				if r.IntN(3) == 0 {
					prefix = "@"
				}
				domains = append(domains, quote(prefix+spell(d)))
			}
		}
		for range r.IntN(3) {
			if e := email(); !b.mails[e] {
				b.mails[e] = true
				mails = append(mails, quote(spell(e)))
			}
		}
		for _, g := range oracleGroups {
			if r.IntN(4) == 0 {
				gs = append(gs, g)
				for _, e := range groups[g] {
					if _, ok := b.grouped[e]; !ok {
						b.grouped[e] = g
					}
				}
			}
		}
		if len(domains)+len(mails)+len(gs) == 0 {
			b.domains["company.com"] = true
			domains = append(domains, "company.com")
		}
		for _, l := range []struct {
			key    string
			values []string
		}{{"domains", domains}, {"emails", mails}, {"groups", gs}} {
			if len(l.values) > 0 {
				fmt.Fprintf(&y, "    %s: [%s]\n", l.key, strings.Join(l.values, ", "))
			}
		}
		bps = append(bps, b)
	}
	// The oracle: every member against every blueprint against every rule.
	var rows [][]string
	for _, m := range members {
		for _, b := range bps {
			var via []string
			if b.open {
				via = append(via, "open")
			}
			for d := range b.domains {
				if d == m.email[strings.LastIndex(m.email, "@")+1:] {
					via = append(via, "domain:"+d)
				}
			}
			switch g, grouped := b.grouped[m.email]; {
			case b.mails[m.email]:
				via = append(via, "email:"+m.email)
			case grouped:
				via = append(via, "group:"+g) // as the file writes it
			}
			if len(via) > 0 {
				rows = append(rows, []string{spreadsheetSafe(m.email), m.role, b.name, strings.Join(via, ";"), m.expires})
			}
		}
	}
	slices.SortFunc(rows, func(a, b []string) int {
		return strings.Compare(strings.TrimPrefix(a[0], "'")+"\x00"+a[2], strings.TrimPrefix(b[0], "'")+"\x00"+b[2])
	})
	return y.String(), rows
}

// spreadsheetSafe is what the README promises for a cell that starts like a formula.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// TestAccessAllAgainstOracle checks `access --all -o csv` end to end, from a
// random file through the loader to the CSV, against the obvious triple loop.
func TestAccessAllAgainstOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 3))
	p := &portalEnv{dir: t.TempDir()}
	for seed := range 300 {
		yaml, want := randomPortal(r)
		file := p.write(t, "portal.yaml", yaml)
		res := cli{env: map[string]string{}}.run(t, "access", "--all", "-o", "csv", "-f", file)
		if res.code != 0 {
			t.Fatalf("seed %d: exit %d\n%s\n%s", seed, res.code, res.stderr, yaml)
		}
		records, err := csv.NewReader(strings.NewReader(res.stdout)).ReadAll()
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, res.stdout)
		}
		if len(records) == 0 || !slices.Equal(records[0], []string{"email", "role", "blueprint", "via", "expires"}) {
			t.Fatalf("seed %d: no header:\n%s", seed, res.stdout)
		}
		got := records[1:]
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("seed %d: rows\n%q\nwant\n%q\nfile:\n%s", seed, got, want, yaml)
		}
		if !strings.Contains(res.stderr, fmt.Sprintf(", %d rows\n", len(want))) && !strings.Contains(res.stderr, ", 1 row\n") {
			t.Fatalf("seed %d: the summary on stderr does not count %d rows:\n%s", seed, len(want), res.stderr)
		}
	}
}

func TestAccessAllGolden(t *testing.T) {
	file := filepath.Join("testdata", "portal.yaml")
	r := cli{env: map[string]string{}}.run(t, "access", "--all", "-o", "csv", "-f", file)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	testkit.Golden(t, "testdata/access-all.csv", r.stdout)
	// The summary goes to stderr, so that stdout is the CSV file and nothing else.
	for _, want := range []string{
		"Summary of testdata/portal.yaml: 10 members, 4 blueprints, 24 rows",
		"Members per blueprint: min 2, median 6, max 10",
		"Blueprints per member: min 2, median 2, max 3",
		"company.com 8 (80%)",
		"Outside the usual domains: 2 members in 2 domains",
		"  freelancer@gmail.com\n",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	r = cli{env: map[string]string{}}.run(t, "access", "--all", "-f", file)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	testkit.Golden(t, "testdata/access-all.text", r.stdout)
	r = cli{env: map[string]string{}}.run(t, "access", "--all", "-o", "json", "-f", file)
	type row struct {
		Email, Blueprint string
		Via              []struct{ Rule, Group string }
	}
	var doc struct {
		Rows    []row
		Summary struct{ Rows int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if len(doc.Rows) != 24 || doc.Summary.Rows != 24 {
		t.Errorf("%d rows, summary counts %d", len(doc.Rows), doc.Summary.Rows)
	}
	// A rule from a group is its email rule; JSON adds the group.
	i := slices.IndexFunc(doc.Rows, func(r row) bool { return r.Email == "erin@partner.org" && r.Blueprint == "data-science" })
	if i < 0 || len(doc.Rows[i].Via) != 1 || doc.Rows[i].Via[0].Rule != "email:erin@partner.org" || doc.Rows[i].Via[0].Group != "contractors" {
		t.Errorf("erin's data-science row: %+v", doc.Rows)
	}
}

// TestAccessAllLive exports the live portal over loopback HTTP, including a member
// and blueprints the portal holds with values no file would pass.
func TestAccessAllLive(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	r := cli{env: p.env}.run(t, "access", "--all", "--live", "-o", "csv")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	testkit.Golden(t, "testdata/access-all-live.csv", r.stdout)
	if !strings.Contains(r.stderr, "Summary of the live portal: 10 members, 5 blueprints") {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	p.emu.AddMember("-2+3@company.com", qovery.RoleUser, qovery.StatusActive)
	p.emu.AddBlueprint(`=HYPERLINK("https://evil.example","x")`, "", nil)
	p.emu.AddBlueprint("invoice\u202egpj.exe", "", []qovery.Rule{{Type: qovery.RuleDomain, Value: "company.com"}})
	p.emu.AddBlueprint("a,b\n\"c\"", "", []qovery.Rule{{Type: qovery.RuleEmail, Value: "-2+3@company.com"}})
	for _, format := range []string{"csv", "text", "json"} {
		r := cli{env: p.env}.run(t, "access", "--all", "--live", "-o", format)
		if r.code != 0 {
			t.Fatalf("-o %s: exit %d\n%s", format, r.code, r.stderr)
		}
		if strings.ContainsRune(r.stdout+r.stderr, '\u202e') {
			t.Errorf("-o %s: a raw bidi override in the output:\n%s", format, r.stdout)
		}
		switch format {
		case "csv":
			records, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range [][]string{
				{`'-2+3@company.com`, "user", `'=HYPERLINK("https://evil.example","x")`, "open", ""},
				{`'-2+3@company.com`, "user", "a,b\n\"c\"", `email:-2+3@company.com`, ""},
				{"alice@company.com", "admin", `invoice\u202egpj.exe`, "domain:company.com", ""},
			} {
				if !slices.ContainsFunc(records, func(rec []string) bool { return slices.Equal(rec, want) }) {
					t.Errorf("no record %q in\n%s", want, r.stdout)
				}
			}
		case "text":
			if !strings.Contains(r.stdout, `invoice\u202egpj.exe`) || !strings.Contains(r.stdout, `a,b\n"c"`) {
				t.Errorf("text does not escape:\n%s", r.stdout)
			}
		case "json":
			if !strings.Contains(r.stdout, `invoice\u202egpj.exe`) || !json.Valid([]byte(r.stdout)) {
				t.Errorf("JSON does not escape:\n%s", r.stdout)
			}
		}
	}
}

func TestAccessAllFlags(t *testing.T) {
	file := filepath.Join("testdata", "portal.yaml")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"with an email", []string{"--all", "bob@company.com"}, `drop "bob@company.com"`},
		{"with a blueprint", []string{"--all", "--blueprint", "data-science"}, "drop --blueprint"},
		{"csv without --all", []string{"-o", "csv", "bob@company.com"}, "-o csv needs --all"},
		{"markdown", []string{"--all", "-o", "markdown"}, "unknown output format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli{env: map[string]string{}}.run(t, append([]string{"access", "-f", file}, tt.args...)...)
			if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, want 1 and %q\n%s%s", r.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
	r := cli{env: map[string]string{}}.run(t, "access", "--help")
	if !strings.Contains(r.stdout, "portalctl access --all -o csv") {
		t.Errorf("--help shows no --all example:\n%s", r.stdout)
	}
}
