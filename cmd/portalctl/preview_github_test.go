package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
)

// TestPreviewDeletesFile: a pull request that deletes portal.yaml gets a comment
// saying so, and the run fails; a file at neither side is only an error.
func TestPreviewDeletesFile(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	dir := gitRepo(t, base)
	file := filepath.Join(dir, "portal.yaml")
	testkit.Git(t, dir, "rm", "-q", "portal.yaml")
	testkit.Git(t, dir, "commit", "-q", "-m", "stop managing the portal")
	gh := newFakeGitHub()
	env := gh.serve(t)
	r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment", "--labels")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := "this pull request deletes " + file + ": the portal would no longer be managed from git, and apply would fail"
	body := gh.comment()
	for what, s := range map[string]string{"stdout": r.stdout, "the comment": body} {
		if !strings.Contains(s, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, s)
		}
	}
	if !strings.Contains(body, "**1 error, 0 warnings**") {
		t.Errorf("the comment is not an invalid file's with one error:\n%s", body)
	}
	gh.wantRequests(t, "GET "+ghRepo+"/issues/7/comments?page=1&per_page=100", "POST "+ghRepo+"/issues/7/comments")

	// Absent at the base too: nothing to report on, no comment.
	r = cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", filepath.Join(dir, "other.yaml"), "--comment")
	if r.code != 1 || !strings.Contains(r.stderr, "other.yaml") || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("a file at neither side: exit %d\n%s", r.code, r.stderr)
	}
	gh.wantRequests(t)
}

// TestPreviewPRNumber: --pr takes only a positive pull request number, refused
// before anything is read or sent.
func TestPreviewPRNumber(t *testing.T) {
	dir := gitRepo(t, readTestdata(t, "portal.yaml"))
	gh := newFakeGitHub()
	env := gh.serve(t)
	for _, pr := range []string{"-1", "0"} {
		t.Run(pr, func(t *testing.T) {
			r := cli{env: env}.run(t, "preview", "--base", "HEAD", "-f", filepath.Join(dir, "portal.yaml"), "--comment", "--pr", pr)
			if want := "--pr " + pr + " is not a pull request number: it must be positive"; r.code != 1 || !strings.Contains(r.stderr, want) || r.stdout != "" {
				t.Errorf("exit %d, want 1 and %q\n%s%s", r.code, want, r.stdout, r.stderr)
			}
			gh.wantRequests(t)
		})
	}
}

// TestPreviewCommentAuthor: with --comment-author, the comment edited is the one
// its login wrote, starting with the marker; the Actions bot's is not it.
func TestPreviewCommentAuthor(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	dir, _, _ := prCheckout(t, base, previewHead(base))
	file := filepath.Join(dir, "portal.yaml")
	gh := newFakeGitHub()
	gh.comments[1] = "<!-- portalctl:preview -->\nby the Actions bot"
	gh.comments[2] = "<!-- portalctl:preview -->\nby the PAT's user"
	gh.comments[3] = "a maintainer quoting <!-- portalctl:preview -->"
	gh.authors = map[int64]string{2: "ci-user", 3: "ci-user"}
	env := gh.serve(t)
	r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment", "--comment-author", "ci-user")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	gh.wantRequests(t, "GET "+ghRepo+"/issues/7/comments?page=1&per_page=100", "PATCH "+ghRepo+"/issues/comments/2")
	if !strings.Contains(gh.comments[2], "`ken@company.com`") || gh.comments[1] != "<!-- portalctl:preview -->\nby the Actions bot" || !strings.HasPrefix(gh.comments[3], "a maintainer") {
		t.Errorf("comments after the run: %v", gh.comments)
	}

	// Not a login: refused before anything is read or sent.
	r = cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment", "--comment-author", "ci user")
	if r.code != 1 || !strings.Contains(r.stderr, `--comment-author: invalid comment author "ci user"`) || r.stdout != "" {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	gh.wantRequests(t)
}

// TestPreviewIgnoresOthersMarker: without --comment-author, a comment quoting
// the marker, or another app's starting with it, is left alone.
func TestPreviewIgnoresOthersMarker(t *testing.T) {
	base := readTestdata(t, "portal.yaml")
	dir, _, _ := prCheckout(t, base, previewHead(base))
	gh := newFakeGitHub()
	gh.comments[1] = "Why does the bot write <!-- portalctl:preview --> first?"
	gh.comments[2] = "<!-- portalctl:preview -->\nechoed from the title by another app"
	gh.authors = map[int64]string{1: "alice", 2: "other-app[bot]"}
	r := cli{env: gh.serve(t)}.run(t, "preview", "--base", "HEAD^1", "-f", filepath.Join(dir, "portal.yaml"), "--comment")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	gh.wantRequests(t, "GET "+ghRepo+"/issues/7/comments?page=1&per_page=100", "POST "+ghRepo+"/issues/7/comments")
	if gh.comments[1] != "Why does the bot write <!-- portalctl:preview --> first?" || gh.comments[2] != "<!-- portalctl:preview -->\nechoed from the title by another app" {
		t.Errorf("others' comments edited: %v", gh.comments)
	}
}
