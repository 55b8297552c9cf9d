package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
)

// gitRepo makes a repository with portal.yaml committed on main, using the git CLI.
func gitRepo(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	testkit.Git(t, dir, "init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "portal.yaml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, dir, "add", "portal.yaml")
	testkit.Git(t, dir, "commit", "-q", "-m", "base")
	return dir
}

// prCheckout makes what actions/checkout gives a pull_request workflow: a merge
// commit (HEAD) of the pull request's commit (HEAD^2, portal.yaml = head) into main
// (HEAD^1, portal.yaml = base, which moved on after the branch was made). It returns
// the directory and the SHAs of main and of the pull request's commit.
func prCheckout(t *testing.T, base, head string) (dir, baseSHA, headSHA string) {
	t.Helper()
	dir = gitRepo(t, base)
	testkit.Git(t, dir, "checkout", "-q", "-b", "pr")
	if err := os.WriteFile(filepath.Join(dir, "portal.yaml"), []byte(head), 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, dir, "commit", "-q", "-am", "the change")
	headSHA = testkit.Git(t, dir, "rev-parse", "HEAD")
	testkit.Git(t, dir, "checkout", "-q", "main")
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("unrelated\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, dir, "add", "README")
	testkit.Git(t, dir, "commit", "-q", "-m", "meanwhile on main")
	baseSHA = testkit.Git(t, dir, "rev-parse", "HEAD")
	testkit.Git(t, dir, "checkout", "-q", "--detach")
	testkit.Git(t, dir, "merge", "-q", "--no-ff", "-m", "Merge pr into main", "pr")
	return dir, baseSHA, headSHA
}

// scrubSHAs names the commits of a test repository in golden files: $NAME for the
// full SHA, $NAME7 for the short one.
func scrubSHAs(s string, shas map[string]string) string {
	for sha, name := range shas {
		s = strings.ReplaceAll(s, sha, name)
		s = strings.ReplaceAll(s, sha[:7], name+"7")
	}
	return s
}

// actionsEnv is the environment of a pull_request workflow on GitHub Enterprise
// Server at api, for pull request 7 of acme/portal.
func actionsEnv(t *testing.T, api string, event string) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"GITHUB_TOKEN": "gh-token", "GITHUB_REPOSITORY": "acme/portal", "GITHUB_API_URL": api,
		"GITHUB_SERVER_URL": "https://github.example", "GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1",
		"GITHUB_EVENT_PATH": path, "GITHUB_EVENT_NAME": "pull_request",
		"GITHUB_STEP_SUMMARY": filepath.Join(t.TempDir(), "summary.md"),
	}
}

const sameRepoEvent = `{"number":7,"pull_request":{"number":7,"head":{"repo":{"full_name":"acme/portal","fork":false}},"base":{"repo":{"full_name":"acme/portal"}}}}`
const forkEvent = `{"number":7,"pull_request":{"number":7,"head":{"repo":{"full_name":"mallory/portal","fork":true}},"base":{"repo":{"full_name":"acme/portal"}}}}`

// previewHead is testdata/portal.yaml with gpu-training given to everyone at
// company.com and ken invited.
func previewHead(base string) string {
	head := strings.Replace(base, "  gpu-training:\n    emails: [alice@company.com, carol@company.com]\n",
		"  gpu-training:\n    domains: [company.com]\n", 1)
	return strings.Replace(head, "  - email: judy@company.com\n", "  - email: judy@company.com\n  - email: ken@company.com\n", 1)
}

func TestPreviewGolden(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	dir, baseSHA, headSHA := prCheckout(t, base, previewHead(base))
	file := filepath.Join(dir, "portal.yaml")
	shas := map[string]string{baseSHA: "$BASE", headSHA: "$HEAD"}
	for _, format := range []string{"markdown", "text", "json"} {
		t.Run(format, func(t *testing.T) {
			// No token: preview works for pull requests from forks.
			env := map[string]string{"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "acme/portal", "GITHUB_RUN_ID": "4242"}
			r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "-o", format)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			// The pull request's own commit is named, not the merge commit.
			if !strings.Contains(r.stdout, headSHA[:7]) || !strings.Contains(r.stdout, baseSHA[:7]) {
				t.Errorf("the report does not name the base %s and head %s:\n%s", baseSHA[:7], headSHA[:7], r.stdout)
			}
			testkit.Golden(t, "testdata/preview."+format, scrubSHAs(scrub(r.stdout, dir), shas))
		})
	}
	t.Run("unknown base", func(t *testing.T) {
		r := cli{env: map[string]string{}}.run(t, "preview", "--base", "nope", "-f", file)
		if r.code != 1 || !strings.Contains(r.stderr, "nope") {
			t.Errorf("exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("uncommitted change", func(t *testing.T) {
		if err := os.WriteFile(file, []byte(previewHead(base)+"  # local edit\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { testkit.Git(t, dir, "checkout", "-q", "--", "portal.yaml") })
		r := cli{env: map[string]string{}}.run(t, "preview", "--base", "HEAD^1", "-f", file)
		merge := testkit.Git(t, dir, "rev-parse", "HEAD")
		if want := "with the working tree (uncommitted changes on `" + merge[:7] + "`)"; r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("exit %d, want %q in\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	})
	t.Run("no file at the base", func(t *testing.T) {
		other := filepath.Join(dir, "other.yaml")
		if err := os.WriteFile(other, []byte(base), 0o644); err != nil {
			t.Fatal(err)
		}
		r := cli{env: map[string]string{}}.run(t, "preview", "--base", "HEAD^1", "-f", other)
		if want := "At `HEAD^1`, the file does not exist: compared with an empty portal."; r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("exit %d, want %q in\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	})
}

// TestPreviewInvalid: a pull request whose file is invalid gets a comment listing
// the errors, then the warnings, each linked to its line at the pull request's
// commit, hints with real code spans and emails copyable as written.
func TestPreviewInvalid(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	head := strings.Replace(base, "  - email: judy@company.com\n",
		"  - email: judy@company.com\n  - emial: ken@company.com\n  - email: ken@@company.com\n", 1) + // errors, lines 14 and 15
		"  gpu-sandbox:\n    emails: [zoe@company.com]\n" + // a warning (dormant rule), line 30
		"  broken: {}\n" // an error, line 31
	head = strings.Replace(head, "  data-science:\n    domains: [company.com]\n",
		"  data-science:\n    domains: [company.com, gmail.com]\n", 1) // a warning, line 20
	dir, baseSHA, headSHA := prCheckout(t, base, head)
	file := filepath.Join(dir, "portal.yaml")
	gh := newFakeGitHub()
	env := gh.serve(t)
	r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment", "--labels")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 for an invalid file\n%s%s", r.code, r.stdout, r.stderr)
	}
	testkit.Golden(t, "testdata/preview-invalid.markdown", scrubSHAs(scrub(r.stdout, dir), map[string]string{baseSHA: "$BASE", headSHA: "$HEAD"}))
	body := gh.comment()
	for _, want := range []string{
		"https://github.example/acme/portal/blob/" + headSHA + "/portal.yaml#L14",
		"https://github.example/acme/portal/blob/" + headSHA + "/portal.yaml#L32",
		"`ken@@company.com`",
		"did you mean `email`?",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q:\n%s", want, body)
		}
	}
	if i, j := strings.Index(body, "**Errors**"), strings.Index(body, "**Warnings**"); i < 0 || j < i {
		t.Errorf("errors do not come before warnings:\n%s", body)
	}
	if strings.Contains(body, "\\`") || strings.Contains(body, "\u200b") {
		t.Errorf("the comment shows literal backticks or holds zero-width spaces:\n%q", body)
	}
	// Labels are left alone: the change is unknown.
	gh.wantRequests(t, "GET /api/v3/repos/acme/portal/issues/7/comments?page=1&per_page=100", "POST /api/v3/repos/acme/portal/issues/7/comments")
}

// fakeGitHub answers the comment and label endpoints of pull request 7 of
// acme/portal as GitHub does, and records every request.
type fakeGitHub struct {
	mu       sync.Mutex
	requests []string
	bodies   []string
	comments map[int64]string
	next     int64
	labels   []string
	// fail answers "METHOD /path" with a status.
	fail map[string]int
	// authors are the logins of comments written by others than
	// github-actions[bot], by id.
	authors map[int64]string
}

func newFakeGitHub() *fakeGitHub { return &fakeGitHub{comments: map[int64]string{}, next: 100} }

// serve serves gh over loopback until t ends, and returns the environment of a
// pull_request workflow run that talks to it.
func (gh *fakeGitHub) serve(t *testing.T) map[string]string {
	t.Helper()
	srv := httptest.NewServer(gh)
	t.Cleanup(srv.Close)
	return actionsEnv(t, srv.URL+"/api/v3", sameRepoEvent)
}

const ghRepo = "/api/v3/repos/acme/portal"

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	req := r.Method + " " + r.URL.Path
	if r.URL.RawQuery != "" {
		req += "?" + r.URL.RawQuery
	}
	body, _ := io.ReadAll(r.Body)
	f.requests = append(f.requests, req)
	f.bodies = append(f.bodies, string(body))
	w.Header().Set("Content-Type", "application/json")
	if got := r.Header.Get("Authorization"); got != "Bearer gh-token" {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`)
		return
	}
	if code := f.fail[r.Method+" "+r.URL.Path]; code != 0 {
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"message":"Resource not accessible by integration","status":"%d"}`, code)
		return
	}
	label := func(name string) map[string]any {
		return map[string]any{"id": len(name), "name": name, "color": "ededed", "default": false}
	}
	labels := func() []map[string]any {
		out := []map[string]any{}
		for _, l := range f.labels {
			out = append(out, label(l))
		}
		return out
	}
	comment := func(id int64) map[string]any {
		login, typ := "github-actions[bot]", "Bot"
		if a, ok := f.authors[id]; ok {
			login, typ = a, "User"
		}
		return map[string]any{"id": id, "body": f.comments[id], "html_url": fmt.Sprintf("https://github.example/acme/portal/pull/7#issuecomment-%d", id),
			"user": map[string]any{"login": login, "type": typ}, "author_association": "NONE"}
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == ghRepo+"/issues/7/comments":
		list := []map[string]any{}
		for id := range f.comments {
			list = append(list, comment(id))
		}
		json.NewEncoder(w).Encode(list)
	case r.Method == http.MethodPost && r.URL.Path == ghRepo+"/issues/7/comments":
		var in struct{ Body string }
		json.Unmarshal(body, &in)
		f.next++
		f.comments[f.next] = in.Body
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(comment(f.next))
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, ghRepo+"/issues/comments/"):
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, ghRepo+"/issues/comments/"), 10, 64)
		var in struct{ Body string }
		json.Unmarshal(body, &in)
		f.comments[id] = in.Body
		json.NewEncoder(w).Encode(comment(id))
	case r.Method == http.MethodGet && r.URL.Path == ghRepo+"/issues/7/labels":
		json.NewEncoder(w).Encode(labels())
	case r.Method == http.MethodPost && r.URL.Path == ghRepo+"/issues/7/labels":
		var in []string
		if err := json.Unmarshal(body, &in); err != nil {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"message":"Invalid request."}`)
			return
		}
		for _, l := range in {
			if !slices.Contains(f.labels, l) {
				f.labels = append(f.labels, l)
			}
		}
		json.NewEncoder(w).Encode(labels())
	case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, ghRepo+"/issues/7/labels/"):
		name := strings.TrimPrefix(r.URL.Path, ghRepo+"/issues/7/labels/")
		i := slices.Index(f.labels, name)
		if i < 0 {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Label does not exist"}`)
			return
		}
		f.labels = slices.Delete(f.labels, i, i+1)
		json.NewEncoder(w).Encode(labels())
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"Not Found"}`)
	}
}

func (f *fakeGitHub) wantRequests(t *testing.T, want ...string) {
	t.Helper()
	f.mu.Lock()
	got := slices.Clone(f.requests)
	f.requests, f.bodies = nil, nil
	f.mu.Unlock()
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func (f *fakeGitHub) comment() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range f.comments {
		return b
	}
	return ""
}

func TestPreviewComment(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	dir, _, headSHA := prCheckout(t, base, strings.Replace(base, "  python-starter:\n    access: open\n", "  python-starter:\n    domains: [company.com]\n", 1))
	file := filepath.Join(dir, "portal.yaml")
	gh := newFakeGitHub()
	env := gh.serve(t)
	for i, want := range [][]string{
		{"GET " + ghRepo + "/issues/7/comments?page=1&per_page=100", "POST " + ghRepo + "/issues/7/comments"},
		{"GET " + ghRepo + "/issues/7/comments?page=1&per_page=100"}, // the same body: nothing to edit
	} {
		r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment")
		if r.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i+1, r.code, r.stderr)
		}
		gh.wantRequests(t, want...)
	}
	if len(gh.comments) != 1 {
		t.Fatalf("%d comments, want exactly one", len(gh.comments))
	}
	body := gh.comment()
	for _, want := range []string{
		"<!-- portalctl:preview -->\n### Access preview of ",
		"`python-starter`",
		"[`" + headSHA[:7] + "`](<https://github.example/acme/portal/commit/" + headSHA + ">)",
		"[workflow run](<https://github.example/acme/portal/actions/runs/4242>)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q:\n%s", want, body)
		}
	}
	// A new push: the comment is edited in place.
	if err := os.WriteFile(file, []byte(strings.Replace(base, "  python-starter:\n    access: open\n", "  python-starter:\n    domains: [partner.org]\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.Git(t, dir, "commit", "-q", "-am", "second push")
	if r := (cli{env: env}).run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	gh.wantRequests(t, "GET "+ghRepo+"/issues/7/comments?page=1&per_page=100", "PATCH "+ghRepo+"/issues/comments/101")
	if !strings.Contains(gh.comment(), "`partner.org`") {
		t.Errorf("the comment was not updated:\n%s", gh.comment())
	}
	data, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if err != nil || strings.Count(string(data), "### Access preview of ") != 3 || strings.Contains(string(data), "portalctl:preview") {
		t.Errorf("the step summary does not hold the three reports: %v\n%s", err, data)
	}

	// A token GitHub rejects is reported without being printed.
	env["GITHUB_TOKEN"] = "gh-wrong"
	r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment")
	if r.code != 1 || !strings.Contains(r.stderr, "GITHUB_TOKEN") || strings.Contains(r.stderr, "gh-wrong") {
		t.Errorf("rejected token: exit %d\n%s", r.code, r.stderr)
	}
}

// TestPreviewStepSummary: the step summary gets the report with or without
// --comment, and a report over GitHub's comment limit is whole there.
func TestPreviewStepSummary(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	var many strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&many, "  - email: person%04d@company.com\n", i)
	}
	head := strings.Replace(base, "  - email: judy@company.com\n", "  - email: judy@company.com\n"+many.String(), 1)
	dir, _, _ := prCheckout(t, base, head)
	file := filepath.Join(dir, "portal.yaml")
	gh := newFakeGitHub()
	env := gh.serve(t)
	r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	summary, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	if err != nil {
		t.Fatal(err)
	}
	if string(summary) != r.stdout {
		t.Errorf("without --comment, the step summary is not the whole report (%d bytes, stdout %d)", len(summary), len(r.stdout))
	}
	if len(summary) <= commentLimit || !strings.Contains(string(summary), "person2999@company.com") {
		t.Fatalf("the fixture should be over the comment limit with every invitation named: %d bytes", len(summary))
	}
	gh.wantRequests(t)

	env = gh.serve(t) // a fresh step summary
	if r := (cli{env: env}).run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	body := gh.comment()
	if n := len(body); n > 65536 {
		t.Errorf("comment of %d bytes", n)
	}
	for _, want := range []string{"> [!NOTE]\n> Shortened to fit GitHub's 65,536-character comment limit: ", "The [job summary](<https://github.example/acme/portal/actions/runs/4242>) has the whole report."} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q", want)
		}
	}
	if summary, _ := os.ReadFile(env["GITHUB_STEP_SUMMARY"]); !strings.Contains(string(summary), "person2999@company.com") || strings.Contains(string(summary), "Shortened") {
		t.Errorf("with --comment, the step summary is not the whole report")
	}
}

// TestPreviewGitHubErrors: a 403 (a fork's read-only token) leaves the report in the
// step summary, warns and succeeds; other failures fail the run.
func TestPreviewGitHubErrors(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	dir, _, _ := prCheckout(t, base, strings.Replace(base, "  - email: judy@company.com\n", "", 1))
	file := filepath.Join(dir, "portal.yaml")
	tests := []struct {
		name     string
		event    string
		fail     map[string]int
		args     []string
		wantCode int
		want     []string
		requests []string
	}{
		{
			name: "fork", event: forkEvent, fail: map[string]int{"POST " + ghRepo + "/issues/7/comments": 403},
			args: []string{"--comment", "--labels"}, wantCode: 0,
			want: []string{"::warning title=portalctl preview::GitHub refused to let this workflow comment on the pull request (403)",
				"the access report is only in the job summary", "comes from a fork (mallory/portal)"},
			requests: []string{"GET " + ghRepo + "/issues/7/comments?page=1&per_page=100", "POST " + ghRepo + "/issues/7/comments"},
		},
		{
			name: "forbidden without a fork", event: sameRepoEvent, fail: map[string]int{"POST " + ghRepo + "/issues/7/comments": 403},
			args: []string{"--comment"}, wantCode: 0,
			want:     []string{"::warning title=portalctl preview::", "give the workflow `permissions: pull-requests: write`"},
			requests: []string{"GET " + ghRepo + "/issues/7/comments?page=1&per_page=100", "POST " + ghRepo + "/issues/7/comments"},
		},
		{
			name: "labels forbidden", event: forkEvent, fail: map[string]int{"POST " + ghRepo + "/issues/7/labels": 403},
			args: []string{"--labels"}, wantCode: 0,
			want:     []string{"::warning title=portalctl preview::GitHub refused to let this workflow label the pull request (403)"},
			requests: []string{"GET " + ghRepo + "/issues/7/labels?page=1&per_page=100", "POST " + ghRepo + "/issues/7/labels"},
		},
		{
			name: "server error", event: sameRepoEvent, fail: map[string]int{"POST " + ghRepo + "/issues/7/comments": 502},
			args: []string{"--comment"}, wantCode: 1,
			want:     []string{"portalctl preview: create comment on acme/portal#7: GitHub answered 502 Bad Gateway"},
			requests: []string{"GET " + ghRepo + "/issues/7/comments?page=1&per_page=100", "POST " + ghRepo + "/issues/7/comments"},
		},
		{
			name: "not found", event: sameRepoEvent, fail: map[string]int{"GET " + ghRepo + "/issues/7/comments": 404},
			args: []string{"--comment"}, wantCode: 1,
			want:     []string{"not found (404"},
			requests: []string{"GET " + ghRepo + "/issues/7/comments?page=1&per_page=100"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gh := newFakeGitHub()
			gh.fail = tt.fail
			srv := httptest.NewServer(gh)
			defer srv.Close()
			env := actionsEnv(t, srv.URL+"/api/v3", tt.event)
			r := cli{env: env}.run(t, append([]string{"preview", "--base", "HEAD^1", "-f", file}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", r.code, tt.wantCode, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if tt.wantCode == 0 && strings.Count(r.stderr, "::warning") != 1 {
				t.Errorf("want one warning:\n%s", r.stderr)
			}
			gh.wantRequests(t, tt.requests...)
			summary, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
			if err != nil || !strings.Contains(string(summary), "`judy@company.com`") {
				t.Errorf("the step summary does not hold the report: %v\n%s", err, summary)
			}
		})
	}
}

// TestPreviewLabels: --labels adds the labels the change calls for, removes ours
// that no longer apply, and never touches the others.
func TestPreviewLabels(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	head := strings.Replace(base, "  - email: judy@company.com\n", "", 1) // a removal
	head = strings.Replace(head, "  gpu-training:\n    emails: [alice@company.com, carol@company.com]\n", "  gpu-training:\n    access: open\n", 1)
	dir, _, _ := prCheckout(t, base, head)
	file := filepath.Join(dir, "portal.yaml")
	gh := newFakeGitHub()
	gh.labels = []string{"bug", "access:admins", "access:removals"}
	env := gh.serve(t)

	r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "--labels")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	gh.mu.Lock()
	bodies := slices.Clone(gh.bodies)
	gh.mu.Unlock()
	gh.wantRequests(t,
		"GET "+ghRepo+"/issues/7/labels?page=1&per_page=100",
		"POST "+ghRepo+"/issues/7/labels",
		"DELETE "+ghRepo+"/issues/7/labels/access:admins",
	)
	if len(bodies) == 3 && strings.TrimSpace(bodies[1]) != `["access:opens"]` {
		t.Errorf("added %s, want [\"access:opens\"]", bodies[1])
	}
	if want := []string{"bug", "access:removals", "access:opens"}; !slices.Equal(gh.labels, want) {
		t.Errorf("labels %v, want %v", gh.labels, want)
	}
	if !strings.Contains(r.stderr, "Labels: added [access:opens], removed [access:admins]") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	// In step already: one read, no write.
	if r := (cli{env: env}).run(t, "preview", "--base", "HEAD^1", "-f", file, "--labels"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	gh.wantRequests(t, "GET "+ghRepo+"/issues/7/labels?page=1&per_page=100")
}

// TestPreviewThroughLinks: preview reads the base through the links the base's
// tree records, from the path as typed, and the working tree through its own: a
// pull request that leaves every file as it was and only changes where the path
// leads (config/ replaced by a link to staging/, a link retargeted) shows what
// plan and apply would then read.
func TestPreviewThroughLinks(t *testing.T) {
	const config = "version: 1\nmembers:\n  - {email: alice@company.com, role: admin}\n  - {email: bob@company.com}\nblueprints:\n  data-science:\n    domains: [company.com]\n"
	const staging = "version: 1\nmembers:\n  - {email: alice@company.com, role: admin}\n  - {email: bob@company.com, role: admin}\nblueprints:\n  data-science:\n    access: open\n"
	tests := []struct {
		name  string
		base  func(dir string)
		pr    func(dir string)
		file  string
		wants []string
	}{
		{name: "a directory replaced by a link",
			base: func(dir string) {
				testkit.WriteFile(t, filepath.Join(dir, "config", "portal.yaml"), config, 0o644)
				testkit.WriteFile(t, filepath.Join(dir, "staging", "portal.yaml"), staging, 0o644)
			},
			pr: func(dir string) {
				if err := os.RemoveAll(filepath.Join(dir, "config")); err != nil {
					t.Fatal(err)
				}
				testkit.Symlink(t, "staging", filepath.Join(dir, "config"))
			},
			file: "config/portal.yaml", wants: []string{"data-science", "open to everyone", "bob@company.com"}},
		{name: "a directory link retargeted",
			base: func(dir string) {
				testkit.WriteFile(t, filepath.Join(dir, "envs", "prod", "portal.yaml"), config, 0o644)
				testkit.WriteFile(t, filepath.Join(dir, "envs", "staging", "portal.yaml"), staging, 0o644)
				testkit.Symlink(t, filepath.Join("envs", "prod"), filepath.Join(dir, "current"))
			},
			pr: func(dir string) {
				if err := os.Remove(filepath.Join(dir, "current")); err != nil {
					t.Fatal(err)
				}
				testkit.Symlink(t, filepath.Join("envs", "staging"), filepath.Join(dir, "current"))
			},
			file: "current/portal.yaml", wants: []string{"data-science", "open to everyone", "bob@company.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := exec.LookPath("git"); err != nil {
				t.Skip("git is not installed")
			}
			dir := t.TempDir()
			testkit.Git(t, dir, "init", "-q", "-b", "main")
			tt.base(dir)
			testkit.Git(t, dir, "add", "-A")
			testkit.Git(t, dir, "commit", "-q", "-m", "base")
			testkit.Git(t, dir, "checkout", "-q", "-b", "pr")
			tt.pr(dir)
			testkit.Git(t, dir, "add", "-A")
			testkit.Git(t, dir, "commit", "-q", "-m", "only a link changes")
			t.Chdir(dir)
			r := cli{env: map[string]string{}}.run(t, "preview", "--base", "main", "-f", tt.file, "-o", "text")
			if r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout, "No changes") {
				t.Fatalf("preview sees no change:\n%s", r.stdout)
			}
			for _, want := range tt.wants {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("the report does not say %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}
