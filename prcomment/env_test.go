package prcomment

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func writeEvent(t *testing.T, payload string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFromEnv(t *testing.T) {
	base := func(event string) map[string]string {
		return map[string]string{
			"GITHUB_TOKEN":      testToken,
			"GITHUB_REPOSITORY": "octo/portal",
			"GITHUB_API_URL":    "https://ghe.example.com/api/v3",
			"GITHUB_EVENT_PATH": event,
			"GITHUB_EVENT_NAME": "push",
		}
	}
	tests := []struct {
		name    string
		vars    map[string]string
		pr      int
		wantPR  int
		wantErr []string
	}{
		{name: "pull_request event", vars: base(writeEvent(t, `{"action":"synchronize","number":12,"pull_request":{"number":12}}`)), wantPR: 12},
		{name: "pull_request wins over number", vars: base(writeEvent(t, `{"number":3,"pull_request":{"number":12}}`)), wantPR: 12},
		{name: "number only", vars: base(writeEvent(t, `{"number":5}`)), wantPR: 5},
		{name: "issue_comment on a PR", vars: base(writeEvent(t, `{"issue":{"number":9,"pull_request":{}}}`)), wantPR: 9},
		{name: "--pr overrides the event", vars: base(writeEvent(t, `{"number":5}`)), pr: 42, wantPR: 42},
		{name: "--pr without an event", vars: base(""), pr: 42, wantPR: 42},
		{name: "push event", vars: base(writeEvent(t, `{"ref":"refs/heads/main"}`)),
			wantErr: []string{"no pull request number in the push event at GITHUB_EVENT_PATH", "--pr N"}},
		{name: "no event path", vars: base(""), wantErr: []string{"GITHUB_EVENT_PATH is not set", "--pr N"}},
		{name: "negative --pr", vars: base(writeEvent(t, `{"number":5}`)), pr: -1, wantErr: []string{"--pr -1 is not a pull request number: it must be positive"}},
		{name: "missing event file", vars: base(filepath.Join(t.TempDir(), "nope.json")), wantErr: []string{"read GITHUB_EVENT_PATH", "--pr N"}},
		{name: "event not JSON", vars: base(writeEvent(t, `not json`)), wantErr: []string{"not valid JSON", "--pr N"}},
		{name: "no token", vars: func() map[string]string { v := base(""); delete(v, "GITHUB_TOKEN"); return v }(), pr: 1,
			wantErr: []string{"GITHUB_TOKEN is not set"}},
		{name: "no repository", vars: func() map[string]string { v := base(""); delete(v, "GITHUB_REPOSITORY"); return v }(), pr: 1,
			wantErr: []string{"GITHUB_REPOSITORY is not set"}},
		{name: "bad repository", vars: func() map[string]string { v := base(""); v["GITHUB_REPOSITORY"] = "portal"; return v }(), pr: 1,
			wantErr: []string{`invalid repository "portal"`}},
		{name: "everything missing", vars: map[string]string{},
			wantErr: []string{"GITHUB_TOKEN is not set", "GITHUB_REPOSITORY is not set", "GITHUB_EVENT_PATH is not set", "--pr N"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := FromEnv(env(tt.vars), tt.pr)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("FromEnv = %+v, want an error", o)
				}
				for _, m := range tt.wantErr {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("error %q does not contain %q", err, m)
					}
				}
				if strings.Contains(err.Error(), testToken) {
					t.Errorf("error leaks the token: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Options{Token: testToken, Repo: "octo/portal", PR: tt.wantPR, APIURL: "https://ghe.example.com/api/v3", Marker: DefaultMarker}
			if o != want {
				t.Fatalf("FromEnv = %+v, want %+v", o, want)
			}
		})
	}
}

func TestWriteStepSummary(t *testing.T) {
	t.Run("unset is a no-op", func(t *testing.T) {
		if err := WriteStepSummary(env(nil), "# hi"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("appends", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "summary.md")
		if err := os.WriteFile(p, []byte("earlier step\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		getenv := env(map[string]string{"GITHUB_STEP_SUMMARY": p})
		for _, md := range []string{"## Access preview", "second\n"} {
			if err := WriteStepSummary(getenv, md); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if want := "earlier step\n## Access preview\nsecond\n"; string(got) != want {
			t.Fatalf("summary = %q, want %q", got, want)
		}
	})
	t.Run("creates the file", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "summary.md")
		if err := WriteStepSummary(env(map[string]string{"GITHUB_STEP_SUMMARY": p}), "x"); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(p); string(got) != "x\n" {
			t.Fatalf("summary = %q", got)
		}
	})
	t.Run("unwritable path names the variable", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "missing-dir", "summary.md")
		err := WriteStepSummary(env(map[string]string{"GITHUB_STEP_SUMMARY": p}), "x")
		if err == nil || !strings.Contains(err.Error(), "GITHUB_STEP_SUMMARY") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRunURL(t *testing.T) {
	tests := []struct {
		name      string
		vars      map[string]string
		repo, run string
	}{
		{name: "github.com", vars: map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/portal", "GITHUB_RUN_ID": "123", "GITHUB_RUN_ATTEMPT": "1"},
			repo: "https://github.com/acme/portal", run: "https://github.com/acme/portal/actions/runs/123"},
		{name: "a second attempt", vars: map[string]string{"GITHUB_SERVER_URL": "https://ghe.example.com/", "GITHUB_REPOSITORY": "acme/portal", "GITHUB_RUN_ID": "9", "GITHUB_RUN_ATTEMPT": "2"},
			repo: "https://ghe.example.com/acme/portal", run: "https://ghe.example.com/acme/portal/actions/runs/9/attempts/2"},
		{name: "no run id", vars: map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/portal"},
			repo: "https://github.com/acme/portal"},
		{name: "run id not a number", vars: map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/portal", "GITHUB_RUN_ID": "1)](x"},
			repo: "https://github.com/acme/portal"},
		{name: "outside GitHub Actions", vars: map[string]string{}},
		{name: "a server that is no web address", vars: map[string]string{"GITHUB_SERVER_URL": "javascript:alert(1)", "GITHUB_REPOSITORY": "acme/portal", "GITHUB_RUN_ID": "1"}},
		{name: "a repository that is no owner/name", vars: map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme", "GITHUB_RUN_ID": "1"}},
		{name: "odd characters escaped", vars: map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "ac me/p>r", "GITHUB_RUN_ID": "1"},
			repo: "https://github.com/ac%20me/p%3Er", run: "https://github.com/ac%20me/p%3Er/actions/runs/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RepositoryURL(env(tt.vars)); got != tt.repo {
				t.Errorf("RepositoryURL = %q, want %q", got, tt.repo)
			}
			if got := RunURL(env(tt.vars)); got != tt.run {
				t.Errorf("RunURL = %q, want %q", got, tt.run)
			}
		})
	}
}

func TestForkOf(t *testing.T) {
	tests := []struct{ name, event, want string }{
		{"fork", `{"pull_request":{"head":{"repo":{"full_name":"mallory/portal","fork":true}},"base":{"repo":{"full_name":"acme/portal"}}}}`, "mallory/portal"},
		{"other repository, fork flag absent", `{"pull_request":{"head":{"repo":{"full_name":"mallory/portal"}},"base":{"repo":{"full_name":"acme/portal"}}}}`, "mallory/portal"},
		{"same repository", `{"pull_request":{"head":{"repo":{"full_name":"acme/portal","fork":false}},"base":{"repo":{"full_name":"acme/portal"}}}}`, ""},
		{"deleted fork", `{"pull_request":{"head":{"repo":null},"base":{"repo":{"full_name":"acme/portal"}}}}`, ""},
		{"push", `{"ref":"refs/heads/main"}`, ""},
		{"not JSON", `{`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ForkOf(env(map[string]string{"GITHUB_EVENT_PATH": writeEvent(t, tt.event)})); got != tt.want {
				t.Errorf("ForkOf = %q, want %q", got, tt.want)
			}
		})
	}
	if got := ForkOf(env(nil)); got != "" {
		t.Errorf("ForkOf without an event = %q", got)
	}
}

func TestWarning(t *testing.T) {
	got := Warning("portalctl preview", "100% done\nnext: line, with a comma")
	if want := "::warning title=portalctl preview::100%25 done%0Anext: line, with a comma\n"; got != want {
		t.Errorf("Warning = %q, want %q", got, want)
	}
	if got := Warning("a:b,c", "x"); got != "::warning title=a%3Ab%2Cc::x\n" {
		t.Errorf("Warning = %q", got)
	}
}

func TestStepSummaryRoom(t *testing.T) {
	if _, ok := StepSummaryRoom(env(nil)); ok {
		t.Error("room without GITHUB_STEP_SUMMARY")
	}
	p := filepath.Join(t.TempDir(), "summary.md")
	getenv := env(map[string]string{"GITHUB_STEP_SUMMARY": p})
	if room, ok := StepSummaryRoom(getenv); !ok || room != MaxStepSummary-1 {
		t.Errorf("room of a new file = %d, %v", room, ok)
	}
	if err := os.WriteFile(p, []byte(strings.Repeat("x", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	if room, _ := StepSummaryRoom(getenv); room != MaxStepSummary-1001 {
		t.Errorf("room after an earlier step wrote 1,000 bytes = %d", room)
	}
}
