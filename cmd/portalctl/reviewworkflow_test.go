package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestReviewWorkflowBranches: the example review workflow names each owner's
// branch once (one `slug=` line, which every step reads back), and two owners
// never share a branch: a.b@company.com and a-b@company.com would otherwise
// force-push over each other's review, and one owner's approval would sign
// off the other's blueprints.
func TestReviewWorkflowBranches(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	data, err := os.ReadFile("../../examples/workflows/portal-review.yml")
	if err != nil {
		t.Fatal(err)
	}
	lines := regexp.MustCompile(`(?m)^\s*slug=.*$`).FindAllString(string(data), -1)
	if len(lines) != 1 {
		t.Fatalf("the workflow computes the branch of an owner in %d places, want 1: %q", len(lines), lines)
	}
	seen := map[string]string{}
	for _, owner := range []string{"a.b@company.com", "a-b@company.com", "a_b@company.com", "a+b@company.com", "jörg@company.com", "jorg@company.com", "x`$(id)'\"@company.com"} {
		cmd := exec.Command("bash", "-c", strings.TrimSpace(lines[0])+"\nprintf '%s' \"$slug\"")
		cmd.Env = append(os.Environ(), "owner="+owner)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("slug of %q: %v", owner, err)
		}
		slug := string(out)
		if !regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`).MatchString(slug) || len(slug) > 60 {
			t.Errorf("slug of %q = %q: want lower-case letters, digits and dashes, at most 60", owner, slug)
		}
		if other, dup := seen[slug]; dup {
			t.Errorf("owners %q and %q share the branch portal-review/%s", other, owner, slug)
		}
		seen[slug] = owner
	}
}

// TestReviewWorkflowBodyNamesNoOwner: the example review workflow writes no
// owner's address into the markdown of a pull request body itself (an address
// may hold a backquote, which would end a code span early); portalctl's own
// title names the owner, fenced against any backquote.
func TestReviewWorkflowBodyNamesNoOwner(t *testing.T) {
	data, err := os.ReadFile("../../examples/workflows/portal-review.yml")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(data), "\n") {
		l := strings.TrimSpace(line)
		if !strings.HasPrefix(l, "echo ") && !strings.HasPrefix(l, "printf ") || !strings.Contains(l, "$owner") {
			continue
		}
		// An annotation of the run, or the list of owners the steps read.
		if strings.Contains(l, `"::error::`) || strings.Contains(l, `"::warning::`) || strings.HasPrefix(l, `printf '%s\t%s\n' "$slug" "$owner"`) {
			continue
		}
		t.Errorf("line %d writes an owner's address into text: %s", i+1, l)
	}
}
