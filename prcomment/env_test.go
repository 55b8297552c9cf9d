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
