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
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
)

// oraclePools are small, so that random rules and members collide;
// eu.company.com is a sub-domain of company.com and must never match it, and the
// locals that start with - and + would run as formulas in a spreadsheet.
var oraclePools = testkit.Pools{
	Locals:  []string{"alice", "bob", "carol", "-dash", "+plus"},
	Domains: []string{"company.com", "eu.company.com", "partner.org", "gmail.com"},
	Groups:  []string{"contractors", "leads", "ops"},
}

// randomPortal writes a random portal (testkit.Pools.Config) as portal.yaml,
// spelling some emails and domains in upper case or with a leading "@" as people
// do, blueprints out of order, and returns it with the CSV rows the obvious
// members × blueprints × rules loop (testkit.Grants) gives for it.
func randomPortal(r *rand.Rand) (string, [][]string) {
	cfg := oraclePools.Config(r, 1+r.IntN(9))
	spell := func(s string) string {
		switch r.IntN(4) {
		case 0:
			return strings.ToUpper(s)
		case 1:
			return strings.ToUpper(s[:1]) + s[1:]
		}
		return s
	}
	list := func(values []string, write func(string) string) string {
		out := make([]string, len(values))
		for i, v := range values {
			out[i] = fmt.Sprintf("%q", write(v))
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	var y strings.Builder
	y.WriteString("version: 1\n")
	if len(cfg.Members) == 0 {
		y.WriteString("members: []\n")
	} else {
		y.WriteString("members:\n")
	}
	expires := map[string]string{}
	for _, m := range cfg.Members {
		fmt.Fprintf(&y, "  - email: %q\n", spell(m.Email))
		if m.Role == portal.RoleAdmin {
			y.WriteString("    role: admin\n")
		}
		if r.IntN(5) == 0 {
			expires[m.Email] = fmt.Sprintf("2099-0%d-1%d", 1+r.IntN(9), r.IntN(10))
			fmt.Fprintf(&y, "    expires: %s\n", expires[m.Email])
		}
	}
	y.WriteString("groups:\n")
	for _, g := range oraclePools.Groups {
		fmt.Fprintf(&y, "  %s: %s\n", g, list(cfg.Groups[g], spell))
	}
	y.WriteString("blueprints:\n")
	order := r.Perm(len(cfg.Blueprints)) // rows come sorted all the same
	for _, i := range order {
		b := cfg.Blueprints[i]
		fmt.Fprintf(&y, "  %s:\n", b.Name)
		if b.Open {
			y.WriteString("    access: open\n")
			continue
		}
		var domains, emails []string
		for _, rule := range b.Rules {
			switch {
			case rule.Kind == portal.RuleDomain:
				domains = append(domains, rule.Value)
			case rule.Group == "":
				emails = append(emails, rule.Value)
			}
		}
		for _, l := range []struct {
			key    string
			values []string
			write  func(string) string
		}{
			{"domains", domains, func(d string) string {
				if r.IntN(3) == 0 {
					return "@" + spell(d)
				}
				return spell(d)
			}},
			{"emails", emails, spell},
			{"groups", b.Groups, func(g string) string { return g }},
		} {
			if len(l.values) > 0 {
				fmt.Fprintf(&y, "    %s: %s\n", l.key, list(l.values, l.write))
			}
		}
	}
	var rows [][]string
	for _, g := range testkit.Grants(cfg) {
		var via []string
		if g.Open {
			via = append(via, "open")
		}
		for _, rule := range g.Rules {
			if rule.Group != "" {
				via = append(via, "group:"+rule.Group) // as the file writes it
			} else {
				via = append(via, string(rule.Kind)+":"+rule.Value)
			}
		}
		rows = append(rows, []string{spreadsheetSafe(g.Member.Email), string(g.Member.Role), g.Blueprint.Name, strings.Join(via, ";"), expires[g.Member.Email]})
	}
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
