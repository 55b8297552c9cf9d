package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/gitrev"
	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

// splitFiles are the files of examples/split, by their path in it.
func splitFiles(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..", "examples", "split")
	out := map[string]string{}
	for _, name := range []string{"portal.yaml", "people/employees.yaml", "people/contractors.yaml", "teams/ml.yaml", "teams/data.yaml"} {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(data)
	}
	return out
}

// writeFiles writes files into dir, deleting those whose content is "".
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		testkit.WriteFile(t, p, content, 0o644)
	}
}

// splitCheckout is prCheckout for a layout of files: base committed on main,
// the pull request's commit writing head over it (a file whose content is ""
// is deleted), main moving on meanwhile, and the merge commit checked out.
func splitCheckout(t *testing.T, base, head map[string]string) (dir, baseSHA, headSHA string) {
	t.Helper()
	dir = t.TempDir()
	testkit.Git(t, dir, "init", "-q", "-b", "main")
	writeFiles(t, dir, base)
	testkit.Git(t, dir, "add", "-A")
	testkit.Git(t, dir, "commit", "-q", "-m", "base")
	testkit.Git(t, dir, "checkout", "-q", "-b", "pr")
	writeFiles(t, dir, head)
	testkit.Git(t, dir, "add", "-A")
	testkit.Git(t, dir, "commit", "-q", "-m", "the change")
	headSHA = testkit.Git(t, dir, "rev-parse", "HEAD")
	testkit.Git(t, dir, "checkout", "-q", "main")
	testkit.WriteFile(t, filepath.Join(dir, "README"), "unrelated\n", 0o644)
	testkit.Git(t, dir, "add", "README")
	testkit.Git(t, dir, "commit", "-q", "-m", "meanwhile on main")
	baseSHA = testkit.Git(t, dir, "rev-parse", "HEAD")
	testkit.Git(t, dir, "checkout", "-q", "--detach")
	testkit.Git(t, dir, "merge", "-q", "--no-ff", "-m", "Merge pr into main", "pr")
	return dir, baseSHA, headSHA
}

// splitChange is a pull request on examples/split: gpu-training opened to
// company.com in its fragment, a fragment added to a glob, an include given
// another owner and a wider scope, the root's owners changed.
func splitChange(base map[string]string) map[string]string {
	root := strings.Replace(base["portal.yaml"], `codeowners: ["@acme/ml-platform"]`, `codeowners: ["@acme/ml-platform", "@acme/evil"]`, 1)
	root = strings.Replace(root, `blueprints: ["ml-*", gpu-training]`, `blueprints: ["ml-*", gpu-training, "*"]`, 1)
	root = strings.Replace(root, `codeowners: ["@acme/platform"]`, `codeowners: ["@acme/platform", "@acme/sre"]`, 1)
	return map[string]string{
		"portal.yaml":           root,
		"teams/ml.yaml":         strings.Replace(base["teams/ml.yaml"], "    groups: [ml-engineers, contractors]\n", "    groups: [ml-engineers, contractors]\n    domains: [company.com]\n", 1),
		"people/interns.yaml":   "members:\n  - email: ken@company.com\n",
		"people/employees.yaml": base["people/employees.yaml"],
	}
}

// TestPreviewSplit: preview reads the root and its fragments at the base and
// the head; the report shows the access change a fragment makes, the owners
// the root changes, and the files the pull request changes.
func TestPreviewSplit(t *testing.T) {
	base := splitFiles(t)
	dir, baseSHA, headSHA := splitCheckout(t, base, splitChange(base))
	file := filepath.Join(dir, "portal.yaml")
	env := map[string]string{"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "acme/portal", "GITHUB_RUN_ID": "4242"}
	shas := map[string]string{baseSHA: "$BASE", headSHA: "$HEAD"}
	for _, format := range []string{"markdown", "text"} {
		t.Run(format, func(t *testing.T) {
			r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "-o", format)
			if r.code != 0 {
				t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			testkit.Golden(t, "testdata/preview-split."+format, scrubSHAs(scrub(r.stdout, dir), shas))
		})
	}
	r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var got report.Report
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(got.Index, func(x report.IndexRow) bool { return x.Blueprint == "gpu-training" }); i < 0 || got.Index[i].Changes[0].Value != "company.com" {
		t.Errorf("the index does not show gpu-training given to company.com: %+v", got.Index)
	}
	if !slices.ContainsFunc(got.Members.Invitations, func(x report.Invitation) bool { return x.Email == "ken@company.com" }) {
		t.Errorf("the added fragment's member is not invited: %+v", got.Members)
	}
	wantOwners := []report.OwnershipChange{
		{Field: "codeowners", Change: "changed", From: []string{"@acme/platform"}, To: []string{"@acme/platform", "@acme/sre"}},
		{Include: "teams/ml.yaml", Field: "codeowners", Change: "changed", From: []string{"@acme/ml-platform"}, To: []string{"@acme/ml-platform", "@acme/evil"}},
		{Include: "teams/ml.yaml", Field: "blueprints", Change: "changed", Added: []string{"*"}},
	}
	if g, _ := json.Marshal(got.Alerts.Ownership); string(g) != mustJSON(t, wantOwners) {
		t.Errorf("ownership changes:\n%s\nwant\n%s", g, mustJSON(t, wantOwners))
	}
	wantFiles := []report.ChangedFile{{Path: "portal.yaml", Change: "changed"}, {Path: "people/interns.yaml", Change: "added"}, {Path: "teams/ml.yaml", Change: "changed"}}
	if !slices.Equal(got.Provenance.Changed, wantFiles) {
		t.Errorf("changed files %+v, want %+v", got.Provenance.Changed, wantFiles)
	}

	// --labels: the ownership label, with the others the change calls for.
	gh := newFakeGitHub()
	genv := gh.serve(t)
	if r := (cli{env: genv}).run(t, "preview", "--base", "HEAD^1", "-f", file, "--labels"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !slices.Contains(gh.labels, "access:ownership") {
		t.Errorf("labels %v lack access:ownership", gh.labels)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPreviewSplitInvalid: a fragment invalid at the head gets an invalid
// report whose problems link to the fragment's own line at the pull request's
// commit.
func TestPreviewSplitInvalid(t *testing.T) {
	base := splitFiles(t)
	head := map[string]string{"teams/data.yaml": strings.Replace(base["teams/data.yaml"], "  data-sandbox:\n", "  data-sandbox:\n    domain: [company.com]\n", 1)}
	dir, _, headSHA := splitCheckout(t, base, head)
	file := filepath.Join(dir, "portal.yaml")
	gh := newFakeGitHub()
	env := gh.serve(t)
	r := cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "--comment")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 for an invalid fragment\n%s%s", r.code, r.stdout, r.stderr)
	}
	body := gh.comment()
	want := "https://github.example/acme/portal/blob/" + headSHA + "/teams/data.yaml#L5"
	if !strings.Contains(body, want) {
		t.Errorf("the comment does not link to %s:\n%s", want, body)
	}
	if strings.Contains(body, "/portal.yaml#L") {
		t.Errorf("a problem of the fragment links to the root:\n%s", body)
	}

	// Edited in the working tree since the commit: its lines are not the
	// commit's, so no link.
	frag := filepath.Join(dir, "teams", "data.yaml")
	testkit.WriteFile(t, frag, "# a local edit\n"+head["teams/data.yaml"], 0o644)
	r = cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "-o", "json")
	if r.code != 1 || !strings.Contains(r.stdout, `"line": 6`) || strings.Contains(r.stdout, "teams/data.yaml#L") {
		t.Errorf("exit %d: a problem of an uncommitted fragment is linked, or not at line 6:\n%s", r.code, r.stdout)
	}

	// A fragment that leads out of the repository at the head is refused,
	// unread.
	outside := testkit.WriteFile(t, filepath.Join(t.TempDir(), "secret.yaml"), "members:\n  - email: mallory@evil.com\n", 0o644)
	if err := os.Remove(frag); err != nil {
		t.Fatal(err)
	}
	testkit.Symlink(t, outside, frag)
	r = cli{env: env}.run(t, "preview", "--base", "HEAD^1", "-f", file, "-o", "text")
	if r.code != 1 || !strings.Contains(r.stdout, "cannot read "+frag) || strings.Contains(r.stdout, "mallory") {
		t.Errorf("exit %d: a fragment linked out of the repository is not refused:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestPreviewSplitDeletedFragment: a fragment deleted at the head but still
// matched by a glob that matches others just goes: its entries are removed, as
// any change.
func TestPreviewSplitDeletedFragment(t *testing.T) {
	base := splitFiles(t)
	base["people/temps.yaml"] = "members:\n  - email: zoe@company.com\n"
	dir, _, _ := splitCheckout(t, base, map[string]string{"people/temps.yaml": ""})
	r := cli{env: map[string]string{}}.run(t, "preview", "--base", "HEAD^1", "-f", filepath.Join(dir, "portal.yaml"), "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var got report.Report
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(got.Members.Removals, func(x report.Removal) bool { return x.Email == "zoe@company.com" }) {
		t.Errorf("zoe is not removed: %+v", got.Members)
	}
	if want := []report.ChangedFile{{Path: "people/temps.yaml", Change: "removed"}}; !slices.Equal(got.Provenance.Changed, want) {
		t.Errorf("changed files %+v, want %+v", got.Provenance.Changed, want)
	}
	if len(got.Alerts.Ownership) != 0 {
		t.Errorf("ownership changes %+v, want none", got.Alerts.Ownership)
	}
}

// countingRevision counts the files read from a revision.
type countingRevision struct {
	revision
	mu   sync.Mutex
	read []string
}

func (c *countingRevision) ReadFile(ctx context.Context, name string) ([]byte, error) {
	c.mu.Lock()
	c.read = append(c.read, filepath.Base(name))
	c.mu.Unlock()
	return c.revision.ReadFile(ctx, name)
}

// TestBaseFilesReadOnlyChanged: at the base, only the files the pull request
// changed are read from git; the others are the working tree's bytes, and the
// base loads as it would from git alone.
func TestBaseFilesReadOnlyChanged(t *testing.T) {
	base := splitFiles(t)
	head := map[string]string{"teams/ml.yaml": strings.Replace(base["teams/ml.yaml"], "[ml-engineers, contractors]", "[ml-engineers]", 1)}
	dir, _, _ := splitCheckout(t, base, head)
	root := filepath.Join(dir, "portal.yaml")
	ctx := context.Background()
	snap, err := gitrev.Open(ctx, root, "HEAD^1")
	if err != nil {
		t.Fatal(err)
	}
	rootData, err := os.ReadFile(root)
	if err != nil {
		t.Fatal(err)
	}
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	rev := &countingRevision{revision: snap}
	files := newBaseFiles(rev, newWorkFiles(schema.Disk{MaxSize: 1 << 20, Root: root}, root, rootData))
	cfg, ds := l.Load(ctx, root, rootData, files)
	if ds.HasErrors() {
		t.Fatalf("base: %v", ds)
	}
	if !slices.Equal(rev.read, []string{"ml.yaml"}) {
		t.Errorf("read from git: %v, want only the changed fragment [ml.yaml]", rev.read)
	}
	if got := len(files.read()); got != 4 {
		t.Errorf("%d files hashed at the base, want the 4 fragments", got)
	}
	// The same as read from git alone.
	want, ds := l.Load(ctx, root, rootData, snap)
	if ds.HasErrors() {
		t.Fatalf("base from git: %v", ds)
	}
	gb, _ := cfg.Blueprint("gpu-training")
	wb, _ := want.Blueprint("gpu-training")
	if g, w := strings.Join(gb.Groups, ","), strings.Join(wb.Groups, ","); g != w || g != "ml-engineers,contractors" {
		t.Errorf("gpu-training's groups at the base: %s, from git %s", g, w)
	}
}

// oneFile merges a split layout into one file with the same content: the
// root without include: and codeowners:, with every fragment's entries.
func oneFile(t *testing.T, files map[string]string) string {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(files["portal.yaml"]), &root); err != nil {
		t.Fatal(err)
	}
	doc := root.Content[0]
	var kept []*yaml.Node
	for i := 0; i < len(doc.Content); i += 2 {
		if k := doc.Content[i].Value; k != "include" && k != "codeowners" {
			kept = append(kept, doc.Content[i], doc.Content[i+1])
		}
	}
	doc.Content = kept
	section := func(key string, kind yaml.Kind) *yaml.Node {
		for i := 0; i < len(doc.Content); i += 2 {
			if doc.Content[i].Value == key {
				return doc.Content[i+1]
			}
		}
		n := &yaml.Node{Kind: kind}
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, n)
		return n
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if n != "portal.yaml" && files[n] != "" && !yield(n) {
				return
			}
		}
	})
	for _, name := range names {
		var frag yaml.Node
		if err := yaml.Unmarshal([]byte(files[name]), &frag); err != nil {
			t.Fatal(err)
		}
		fd := frag.Content[0]
		for i := 0; i < len(fd.Content); i += 2 {
			s := section(fd.Content[i].Value, fd.Content[i+1].Kind)
			s.Content = append(s.Content, fd.Content[i+1].Content...)
		}
	}
	out, err := yaml.Marshal(&root)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestPreviewSplitAsOneFile: the preview of a split layout shows the same
// access changes as the preview of the same content in one file.
func TestPreviewSplitAsOneFile(t *testing.T) {
	split := splitFiles(t)
	small := map[string]string{
		"portal.yaml": "version: 1\ninclude:\n  - path: teams/*.yaml\n    blueprints: [\"*\"]\n    members: true\n",
		"teams/a.yaml": "members:\n  - {email: alice@company.com, role: admin}\n  - {email: bob@company.com}\n" +
			"blueprints:\n  one:\n    emails: [bob@company.com]\n",
		"teams/b.yaml": "members:\n  - {email: carol@company.com}\nblueprints:\n  two:\n    domains: [company.com]\n",
	}
	smallHead := map[string]string{
		"teams/a.yaml": "members:\n  - {email: alice@company.com, role: admin}\n  - {email: bob@company.com}\n  - {email: dan@company.com}\n" +
			"blueprints:\n  one:\n    domains: [company.com]\n",
		"teams/b.yaml": "",
		"teams/c.yaml": "blueprints:\n  three:\n    access: open\n",
	}
	for _, tt := range []struct {
		name       string
		base, head map[string]string
	}{
		{"examples/split", split, splitChange(split)},
		{"a glob of fragments", small, smallHead},
	} {
		t.Run(tt.name, func(t *testing.T) {
			headAll := map[string]string{}
			for n, c := range tt.base {
				headAll[n] = c
			}
			for n, c := range tt.head {
				headAll[n] = c
			}
			dir, _, _ := splitCheckout(t, tt.base, tt.head)
			one, _, _ := prCheckout(t, oneFile(t, tt.base), oneFile(t, headAll))
			got := accessChanges(t, filepath.Join(dir, "portal.yaml"))
			want := accessChanges(t, filepath.Join(one, "portal.yaml"))
			if got != want {
				t.Errorf("split:\n%s\none file:\n%s", got, want)
			}
			if !strings.Contains(got, `"gain"`) {
				t.Fatalf("the fixture changes no access:\n%s", got)
			}
		})
	}
}

// accessChanges is the part of a preview's JSON report that says who gains and
// loses what.
func accessChanges(t *testing.T, file string) string {
	t.Helper()
	r := cli{env: map[string]string{}}.run(t, "preview", "--base", "HEAD^1", "-f", file, "-o", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	rep.Alerts.Ownership, rep.Provenance, rep.Title = nil, nil, ""
	out, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
