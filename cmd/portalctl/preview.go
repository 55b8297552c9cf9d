package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/gitrev"
	"github.com/qovery/portalctl/lint"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/prcomment"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

const previewExample = `portalctl preview --base origin/main                 # locally, before pushing
portalctl preview --base HEAD^1 --comment --labels   # in a pull_request workflow
portalctl preview --base main -o text
`

// commentLimit is GitHub's limit on a comment, less the marker Upsert puts first.
const commentLimit = prcomment.MaxBodyLen - len(prcomment.DefaultMarker) - 1

type previewCmd struct {
	*app
	file    fileFlags
	base    string
	output  string
	comment bool
	labels  bool
	pr      int
	author  string
	fs      *pflag.FlagSet
}

func newPreview(a *app) *previewCmd { return &previewCmd{app: a} }

func (c *previewCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("preview", pflag.ContinueOnError)
	c.file.register(fs)
	fs.StringVar(&c.base, "base", "", "git revision to compare with: a branch, remote branch, tag, SHA or HEAD^1 (required)")
	fs.StringVarP(&c.output, "output", "o", "markdown", "output format: markdown, text or json (the report, version "+fmt.Sprint(report.ReportVersion)+")")
	fs.BoolVar(&c.comment, "comment", false, "create or update the pull request comment (needs GITHUB_TOKEN, GITHUB_REPOSITORY and the PR number)")
	fs.BoolVar(&c.labels, "labels", false, "keep the pull request's labels "+strings.Join(prcomment.ManagedLabels(), ", ")+" in step with the change")
	fs.IntVar(&c.pr, "pr", 0, "pull request number (default: from $GITHUB_EVENT_PATH)")
	fs.StringVar(&c.author, "comment-author", prcomment.DefaultAuthor, "GitHub login the token acts as: only its comment is edited (a personal access token's user, or an app's NAME[bot])")
	c.fs = fs
	return fs
}

func (c *previewCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	if c.base == "" {
		return errors.New("--base is required: the revision to compare with, e.g. --base origin/main or --base HEAD^1")
	}
	format, err := report.ParseFormat(c.output, report.Markdown, report.Text, report.JSON)
	if err != nil {
		return err
	}
	if c.fs != nil && c.fs.Changed("pr") && c.pr <= 0 {
		return fmt.Errorf("--pr %d is not a pull request number: it must be positive, e.g. --pr 42 (or leave --pr out to read it from GITHUB_EVENT_PATH)", c.pr)
	}
	if err := prcomment.CheckAuthor(c.author); err != nil {
		return fmt.Errorf("--comment-author: %w", err)
	}
	var gh prcomment.Options
	if c.comment || c.labels {
		// Check the GitHub settings first: a missing variable should not cost a run.
		if gh, err = prcomment.FromEnv(c.getenv, c.pr); err != nil {
			return err
		}
		gh.Author = c.author
	}
	r, err := c.report(ctx)
	if err != nil {
		return err
	}
	full := ""
	if format == report.Markdown || c.getenv("GITHUB_STEP_SUMMARY") != "" {
		full = r.Markdown(report.MarkdownOptions{})
	}
	switch format {
	case report.Markdown:
		_, err = fmt.Fprint(c.stdout, full)
	case report.Text:
		err = r.Text(c.stdout, c.textOptions(c.stdout))
	default:
		err = r.JSON(c.stdout)
	}
	if err != nil {
		return err
	}

	// The step summary gets the whole report whenever the workflow offers one: it is
	// all a pull request from a fork gets.
	whole := "Run `portalctl preview` for the whole report."
	if room, ok := prcomment.StepSummaryRoom(c.getenv); ok {
		summary := r.Markdown(report.MarkdownOptions{MaxLen: room, Limit: "GitHub's 1 MiB job-summary limit", Whole: whole})
		if err := prcomment.WriteStepSummary(c.getenv, summary); err != nil {
			return err
		}
		if summary == full {
			whole = "The job summary has the whole report."
			if run := prcomment.RunURL(c.getenv); run != "" {
				whole = "The " + report.Link("job summary", run) + " has the whole report."
			}
		}
	}
	if err := c.github(ctx, gh, r, whole); err != nil {
		return err
	}
	return c.done(r)
}

// github posts the comment and the labels asked for. A 403 is a warning, not a
// failure (see forbidden); it skips what is left.
func (c *previewCmd) github(ctx context.Context, gh prcomment.Options, r *report.Report, whole string) error {
	if c.comment {
		body := r.Markdown(report.MarkdownOptions{MaxLen: commentLimit, Limit: "GitHub's 65,536-character comment limit", Whole: whole})
		url, created, err := prcomment.Upsert(ctx, gh, body)
		switch {
		case errors.Is(err, prcomment.ErrForbidden):
			c.forbidden("comment on")
			return nil
		case err != nil:
			return err
		}
		verb := "Updated"
		if created {
			verb = "Created"
		}
		fmt.Fprintf(c.stderr, "%s the pull request comment: %s\n", verb, url)
	}
	if !c.labels {
		return nil
	}
	if r.Validation != nil {
		fmt.Fprintln(c.stderr, "Labels left as they are: the file is invalid, so the change is unknown.")
		return nil
	}
	added, removed, err := prcomment.SyncLabels(ctx, gh, labelsOf(r))
	switch {
	case errors.Is(err, prcomment.ErrForbidden):
		c.forbidden("label")
		return nil
	case err != nil:
		return err
	}
	if len(added)+len(removed) > 0 {
		fmt.Fprintf(c.stderr, "Labels: added [%s], removed [%s]\n", strings.Join(added, " "), strings.Join(removed, " "))
	}
	return nil
}

// done fails the run, already reported, when the file is invalid or breaks its
// policy.
func (c *previewCmd) done(r *report.Report) error {
	if r.Validation != nil || r.BreaksPolicy() {
		return errReported
	}
	return nil
}

// forbidden explains a 403 from GitHub as a warning annotation. The report is in the
// job summary; the run goes on, since a read-only token is what GitHub gives pull
// requests from forks (and from Dependabot), not a failure of the change.
func (c *previewCmd) forbidden(what string) {
	where := "the job summary"
	if _, ok := prcomment.StepSummaryRoom(c.getenv); !ok {
		where = "this step's log (GITHUB_STEP_SUMMARY is not set)"
	}
	msg := fmt.Sprintf("GitHub refused to let this workflow %s the pull request (403), so the access report is only in %s. ", what, where)
	if fork := prcomment.ForkOf(c.getenv); fork != "" {
		msg += fmt.Sprintf("This pull request comes from a fork (%s): GitHub gives its workflows a read-only token whatever they ask, so this is expected; reviewers read the report in the job summary of this run.", fork)
	} else {
		msg += "If this pull request is not from a fork, give the workflow `permissions: pull-requests: write`."
	}
	fmt.Fprint(c.stderr, prcomment.Warning("portalctl preview", msg))
}

// labelsOf says which of portalctl's labels the change calls for.
func labelsOf(r *report.Report) []string {
	var out []string
	if len(r.Alerts.Opened) > 0 {
		out = append(out, prcomment.LabelOpens)
	}
	org := r.Organization
	if len(r.Members.Removals) > 0 || org != nil && len(org.Removals) > 0 {
		out = append(out, prcomment.LabelRemovals)
	}
	if slices.ContainsFunc(r.Alerts.Admins, report.AdminChange.Gaining) {
		out = append(out, prcomment.LabelAdmins)
	}
	if len(r.Alerts.Policy) > 0 || r.BreaksPolicy() {
		out = append(out, prcomment.LabelPolicy)
	}
	if len(r.Alerts.Ownership) > 0 {
		out = append(out, prcomment.LabelOwnership)
	}
	return out
}

// report compares the file at the base revision with the working tree. When the
// working tree's file is invalid, or cannot be read, the report shows why instead.
func (c *previewCmd) report(ctx context.Context) (*report.Report, error) {
	if c.file.file == "-" {
		return nil, errors.New("preview reads the file from git and from the working tree: give a path with -f, not stdin")
	}
	prov := &report.Provenance{
		File: c.file.file,
		Base: report.Revision{Ref: c.base}, Head: report.Revision{Ref: "HEAD"},
		RepositoryURL: prcomment.RepositoryURL(c.getenv), RunURL: prcomment.RunURL(c.getenv),
	}
	headData, err := schema.ReadFileMax(c.file.file, nil, int64(c.file.maxSize))
	if err != nil {
		return c.unreadable(ctx, err, prov)
	}
	// The base (the root and its fragments) is read and parsed while the
	// working tree's files are: the two parses are most of a preview's time.
	// The base takes the working tree's bytes of a file unchanged since (see
	// baseFiles), so that only the files the change touches are read from git.
	// One loader, its schema compiled once, parses both sides. The base's own
	// policy violations are not the change's: its policy is read, to compare,
	// but not enforced.
	l, err := c.loader(c.file)
	if err != nil {
		return nil, err
	}
	bl, err := l.With(schema.NoPolicy())
	if err != nil {
		return nil, err
	}
	restore := c.limitMemory(2 * len(headData))
	wt := newWorkFiles(schema.Disk{MaxSize: int64(c.file.maxSize), Root: c.file.file}, c.file.file, headData)
	based := make(chan baseConfig, 1)
	go func() { based <- c.readBase(ctx, bl, wt, headData) }()
	head, hds := parseWith(ctx, l, c.file.file, headData, wt, c.file.strict)
	br := <-based
	restore()
	revs, derr := gitrev.Describe(ctx, c.file.file, c.base, headData)
	if derr == nil {
		prov.Path, prov.Base.Commit, prov.Head.Commit, prov.Head.Uncommitted = revs.Path, revs.Base, revs.Head, revs.Uncommitted
	}
	// A split configuration: the files the change touches, and the lines of
	// every file that can be linked.
	headFiles := wt.headFiles()
	if len(headFiles) > 1 || len(br.files) > 1 {
		prov.Changed = changedFiles(c.file.file, headFiles, br.files, func(name string) string {
			if p, ok := repoPath(revs.Path, c.file.file, name); ok && derr == nil {
				return p
			}
			return name
		})
		if derr == nil {
			prov.Paths = linkable(ctx, c.file.file, revs, headFiles)
		}
	}
	if onlyPolicy := !slices.ContainsFunc(hds, func(d diag.Diagnostic) bool {
		return d.Severity == diag.Error && !lint.IsPolicyViolation(d)
	}); hds.HasErrors() && !onlyPolicy {
		if derr != nil {
			fmt.Fprintf(c.stderr, "note: the report names no commits: %v\n", derr)
		}
		return report.NewInvalid(c.file.file, hds, report.Options{Provenance: prov}), nil
	}
	// A file whose only errors break its policy is understood: the report
	// shows the access change, with the violations first.
	if br.err != nil {
		return nil, br.err
	}
	if br.note != "" {
		prov.Base.Note = "the file " + br.note + ": compared with an empty portal"
		fmt.Fprintf(c.stderr, "note: %s %s at %s; comparing with an empty portal\n", c.file.file, br.note, c.base)
	}
	if derr != nil {
		// The comparison itself worked: only the commits are unknown.
		fmt.Fprintf(c.stderr, "note: the report names no commits: %v\n", derr)
	}
	r := report.Compare(report.Change{
		Head: head, Base: br.cfg, HeadProblems: hds, BaseProblems: br.ds, BaseMissing: br.note != "", Today: c.today(),
		Rails: reconcile.Rails{MaxRemovals: reconcile.DefaultMaxRemovals, MaxRemovalPercent: reconcile.DefaultMaxRemovalPercent},
	}, report.Options{Provenance: prov})
	if r.BreaksPolicy() {
		fmt.Fprintf(c.stderr, "%s breaks its policy: `portalctl validate -f %s` lists the violations\n", c.file.file, c.file.file)
	}
	return r, nil
}

// unreadable is the report of a working tree whose file cannot be read: the pull
// request deletes it, or it is not a file portalctl reads (a symbolic link out
// of the repository, a FIFO; see schema.ReadFileMax). Either way the report is an
// invalid file's, with that one error, so that the comment says so instead of
// an earlier preview going stale, and the run fails. The error says why without
// a byte of what the file leads to. A file at neither side is only an error.
func (c *previewCmd) unreadable(ctx context.Context, readErr error, prov *report.Provenance) (*report.Report, error) {
	file := c.file.file
	d := diag.Diagnostic{Pos: portal.Pos{File: file, Line: 1, Col: 1}, Severity: diag.Error}
	if errors.Is(readErr, fs.ErrNotExist) {
		_, err := gitrev.ReadFile(ctx, file, c.base)
		switch {
		case errors.Is(err, gitrev.ErrFileNotFound):
			return nil, readErr
		case err != nil:
			return nil, err
		}
		d.Code = "file-deleted"
		d.Message = fmt.Sprintf("this pull request deletes %s: the portal would no longer be managed from git, and apply would fail", file)
		d.Hint = "restore the file; to stop managing the portal from git, remove the workflows that plan and apply it"
	} else {
		d.Code, d.Message = "file-refused", readErr.Error()
		fmt.Fprintf(c.stderr, "portalctl preview: %v\n", readErr)
	}
	// The commits compared, but no line of the head to link to: there is none.
	if revs, err := gitrev.Describe(ctx, file, c.base, nil); err == nil {
		prov.Base.Commit, prov.Head.Commit = revs.Base, revs.Head
	}
	return report.NewInvalid(file, diag.List{d}, report.Options{Provenance: prov}), nil
}

// linkable are the repository paths of the head's files other than the root
// whose bytes are those of the head commit, by name: the lines a report may link
// to. A file that cannot be told the same is left out: no link is better than a
// link to other lines.
func linkable(ctx context.Context, root string, revs gitrev.Revisions, head map[string]string) map[string]string {
	snap, err := gitrev.Open(ctx, root, revs.Head)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	clean := filepath.Clean(root)
	for name, h := range head {
		if name == clean {
			continue
		}
		p, ok := repoPath(revs.Path, root, name)
		if !ok {
			continue
		}
		if at, err := snap.Hash(ctx, name); err == nil && at == h {
			out[name] = p
		}
	}
	return out
}

// baseConfig is the configuration at the base revision, or an empty portal
// and a note saying why ("does not exist", "is invalid").
type baseConfig struct {
	cfg *portal.Config
	// ds are the base's warnings, to tell the problems the change introduces
	// from those the file had.
	ds   diag.List
	note string
	err  error
	// files are the blob hashes of the files of the base's layout, by clean
	// name; nil when the base has none to compare with (no file, or an
	// invalid one).
	files map[string]string
}

// readBase reads the root file and its fragments at the base revision, through
// one snapshot of it, and parses them with l (never strict: the base's warnings
// are not the change's). The root is named as at the head, so that the base's
// problems compare with the head's (see report.Introduced). A file unchanged
// since the base is not read from git: wt has its bytes (see baseFiles).
// headData is the working tree's root file, parsed meanwhile.
func (c *previewCmd) readBase(ctx context.Context, l *schema.Loader, wt *workFiles, headData []byte) baseConfig {
	empty := &portal.Config{Groups: map[string][]string{}}
	snap, err := gitrev.Open(ctx, c.file.file, c.base)
	if err != nil {
		return baseConfig{err: err}
	}
	files := newBaseFiles(snap, wt)
	data, err := files.ReadFile(ctx, c.file.file)
	switch {
	case errors.Is(err, gitrev.ErrFileNotFound):
		return baseConfig{cfg: empty, note: "does not exist"}
	case err != nil:
		return baseConfig{err: err}
	}
	if len(data) > len(headData) {
		// Raised for both parses; report puts it back once both are done.
		c.limitMemory(len(headData) + len(data))
	}
	cfg, ds := parseWith(ctx, l, c.file.file, data, files, false)
	if ds.HasErrors() {
		return baseConfig{cfg: empty, note: "is invalid"}
	}
	return baseConfig{cfg: cfg, ds: ds, files: files.read()}
}
