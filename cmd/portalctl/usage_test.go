package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/schema"
)

func TestTopLevelHelp(t *testing.T) {
	for _, args := range [][]string{nil, {"--help"}, {"-h"}, {"help"}} {
		r := cli{env: map[string]string{}}.run(t, args...)
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("%q: exit %d\n%s", args, r.code, r.stderr)
		}
		testkit.Golden(t, "testdata/help.txt", r.stdout)
	}
}

func TestHelpCommandIsCommandHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			viaHelp := cli{env: map[string]string{}}.run(t, "help", c.name)
			viaFlag := cli{env: map[string]string{}}.run(t, c.name, "--help")
			if viaHelp.code != 0 || viaFlag.code != 0 {
				t.Fatalf("exit %d and %d\n%s%s", viaHelp.code, viaFlag.code, viaHelp.stderr, viaFlag.stderr)
			}
			if viaHelp.stdout != viaFlag.stdout {
				t.Errorf("help %s:\n%s\ndiffers from %s --help:\n%s", c.name, viaHelp.stdout, c.name, viaFlag.stdout)
			}
			for _, want := range []string{"Usage:\n  portalctl " + c.name, "Example:\n  ", "Flags:\n", "-h, --help"} {
				if !strings.Contains(viaHelp.stdout, want) {
					t.Errorf("help lacks %q:\n%s", want, viaHelp.stdout)
				}
			}
		})
	}
}

// TestFlagLines checks every flag of every command renders as "-s, --name PLACEHOLDER"
// or a plain switch: never pflag's "[=true|false]" nor a placeholder lifted from a
// backquoted word of the help text.
func TestFlagLines(t *testing.T) {
	line := regexp.MustCompile(`^  (-[a-zA-Z], |    )--[a-z][a-z0-9-]*( [A-Z][A-Z|]*)?   +\S`)
	for _, c := range commands() {
		r := cli{env: map[string]string{}}.run(t, "help", c.name)
		_, flags, _ := strings.Cut(r.stdout, "\nFlags:\n")
		for _, l := range strings.Split(strings.TrimRight(flags, "\n"), "\n") {
			if !line.MatchString(l) || strings.Contains(l, "[=") {
				t.Errorf("%s: flag line %q", c.name, l)
			}
		}
	}
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		command, flag, want string
	}{
		{"plan", "file", "-f, --file FILE"},
		{"plan", "organization", "    --organization ID"},
		{"plan", "out", "    --out PLAN"},
		{"apply", "plan", "    --plan PLAN"},
		{"plan", "output", "-o, --output FORMAT"},
		{"plan", "api-url", "    --api-url URL"},
		{"plan", "parallelism", "    --parallelism N"},
		{"preview", "base", "    --base REF"},
		{"access", "blueprint", "    --blueprint NAME"},
		{"plan", "debug", "    --debug"},
		{"plan", "detailed-exitcode", "    --detailed-exitcode"},
		{"validate", "strict", "    --strict"},
	}
	for _, tt := range tests {
		t.Run(tt.command+" "+tt.flag, func(t *testing.T) {
			c, _ := lookupCommand(tt.command)
			f := c.make(&app{}).flags().Lookup(tt.flag)
			if f == nil {
				t.Fatalf("%s has no --%s", tt.command, tt.flag)
			}
			if got := flagSynopsis(f); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestOutputFormatsFromUsage(t *testing.T) {
	tests := []struct {
		name, usage string
		want        []string
	}{
		{"three with or", "output format: text, json or github (workflow annotations)", []string{"text", "json", "github"}},
		{"two", "output format: text or json", []string{"text", "json"}},
		{"remarks in parentheses", "output format: markdown (the PR comment), text or json", []string{"markdown", "text", "json"}},
		{"with and", "output format: text, json and csv", []string{"text", "json", "csv"}},
		{"a format for one case", "output format: text or json; with --all also csv", []string{"text", "json", "csv"}},
		{"other words are not formats", "output format: markdown, text or json (the report, version 2)", []string{"markdown", "text", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := (&schemaCmd{}).flags()
			var o string
			fs.StringVarP(&o, "output", "o", "text", tt.usage)
			if got := outputFormats(fs); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a typo", []string{"plna"}, `unknown command "plna"; did you mean plan?`},
		{"nothing close", []string{"frobnicate"}, `unknown command "frobnicate"` + "\nRun 'portalctl --help'"},
		{"an unknown flag", []string{"--frob"}, `unknown command "--frob"`},
		{"help for a typo", []string{"help", "valdate"}, `unknown command "valdate"; did you mean validate?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cli{env: map[string]string{}}.run(t, tt.args...)
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

func TestSchemaPrintsTheEmbeddedSchema(t *testing.T) {
	r := cli{env: map[string]string{}}.run(t, "schema")
	if r.code != 0 || r.stdout != string(schema.JSON) {
		t.Errorf("exit %d; output is %d bytes, the schema %d\n%s", r.code, len(r.stdout), len(schema.JSON), r.stderr)
	}
	if r := (cli{env: map[string]string{}}).run(t, "schema", "extra"); r.code != 1 {
		t.Errorf("schema extra: exit %d, want 1", r.code)
	}
}

func TestParseBuildInfo(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	const rev = "55a87cd0b1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6"
	tests := []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"go build on a tagged commit", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "false", "GOOS", "linux", "GOARCH", "amd64")},
			"portalctl v1.2.0 (commit " + rev + ") go1.26.8 linux/amd64"},
		{"go build in a checkout with changes", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.1-0.20261123120000-55a87cd0b1e2+dirty"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "true", "GOOS", "darwin", "GOARCH", "arm64")},
			"portalctl v1.2.1-0.20261123120000-55a87cd0b1e2+dirty (commit " + rev + ", modified) go1.26.8 darwin/arm64"},
		{"go install module@version", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0", Sum: "h1:abc"},
			Settings: settings("GOOS", "linux", "GOARCH", "arm64")},
			"portalctl v1.2.0 go1.26.8 linux/arm64"},
		{"no VCS stamp (-buildvcs=false, go run)", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: settings("GOOS", "linux", "GOARCH", "amd64")},
			"portalctl devel go1.26.8 linux/amd64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseBuildInfo(&tt.bi).String(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestVersionCommandAndFlag(t *testing.T) {
	b := buildInfo{version: "v1.2.0", revision: "abc", goVersion: "go1.26.8", platform: "linux/amd64"}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := cli{env: map[string]string{}}.runWith(t, func(a *app) { a.build = b }, args...)
		if r.code != 0 || r.stdout != "portalctl v1.2.0 (commit abc) go1.26.8 linux/amd64\n" {
			t.Errorf("%q: exit %d, %q%s", args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestUserAgentCarriesTheVersion(t *testing.T) {
	p := startPortal(t, "members:\n  - email: alice@company.com\n    role: admin\nblueprints: {}\n")
	var mu sync.Mutex
	agents := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents[r.UserAgent()] = true
		mu.Unlock()
		p.emu.ServeHTTP(w, r)
	}))
	defer srv.Close()
	p.env["QOVERY_API_URL"] = srv.URL
	r := cli{env: p.env}.runWith(t, func(a *app) { a.build = buildInfo{version: "v1.2.0"} }, "export")
	if r.code != 0 {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	if len(agents) != 1 || !agents["portalctl/v1.2.0"] {
		t.Errorf("User-Agent %v, want portalctl/v1.2.0", agents)
	}
}
