package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/gitrev"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/prcomment"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

const previewExample = `portalctl preview --base origin/main                 # locally, before pushing
portalctl preview --base HEAD^1 --comment            # in a pull_request workflow
portalctl preview --base main -o text
`

// commentLimit leaves room under GitHub's 65,536-character limit for the marker.
const commentLimit = prcomment.MaxBodyLen - 200

type previewCmd struct {
	*app
	file    fileFlags
	base    string
	output  string
	comment bool
	pr      int
}

func newPreview(a *app) *previewCmd { return &previewCmd{app: a} }

func (c *previewCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("preview", pflag.ContinueOnError)
	c.file.register(fs)
	fs.StringVar(&c.base, "base", "", "git revision to compare with: a branch, remote branch, tag, SHA or HEAD^1 (required)")
	fs.StringVarP(&c.output, "output", "o", "markdown", "output format: markdown, text or json")
	fs.BoolVar(&c.comment, "comment", false, "create or update the pull request comment (needs GITHUB_TOKEN, GITHUB_REPOSITORY and the PR number)")
	fs.IntVar(&c.pr, "pr", 0, "pull request number (default: from $GITHUB_EVENT_PATH)")
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
	var ghOpts prcomment.Options
	if c.comment {
		// Check the GitHub settings first: a missing variable should not cost a run.
		if ghOpts, err = prcomment.FromEnv(c.getenv, c.pr); err != nil {
			return err
		}
	}
	title := fmt.Sprintf("portalctl preview: %s at %s → this change", report.Code(c.file.file), report.Code(c.base))
	md, p, invalid, err := c.preview(ctx, title, format)
	if err != nil {
		return err
	}
	switch {
	case invalid:
		fmt.Fprint(c.stdout, md)
	case format == report.Markdown:
		fmt.Fprint(c.stdout, md)
	default:
		opts := report.PlanOptions{Color: c.color(c.stdout), Now: c.now(), Title: fmt.Sprintf("Preview of %s at %s → this change", c.file.file, c.base)}
		if err := report.Plan(c.stdout, format, p, opts); err != nil {
			return err
		}
	}
	if c.comment {
		url, created, err := prcomment.Upsert(ctx, ghOpts, md)
		if err != nil {
			return err
		}
		verb := "Updated"
		if created {
			verb = "Created"
		}
		fmt.Fprintf(c.stderr, "%s the pull request comment: %s\n", verb, url)
		if err := prcomment.WriteStepSummary(c.getenv, md); err != nil {
			return fmt.Errorf("write step summary: %w", err)
		}
	}
	if invalid {
		return errReported
	}
	return nil
}

// preview compares the file at the base revision with the working tree. When the
// working tree's file is invalid, the markdown shows its problems instead.
func (c *previewCmd) preview(ctx context.Context, title string, format report.Format) (md string, p *reconcile.Plan, invalid bool, err error) {
	if c.file.file == "-" {
		return "", nil, false, errors.New("preview reads the file from git and from the working tree: give a path with -f, not stdin")
	}
	headData, err := schema.ReadFileMax(c.file.file, nil, int64(c.file.maxSize))
	if err != nil {
		return "", nil, false, err
	}
	// The base is read from git and parsed while the working tree's file is:
	// the two parses are most of a preview's time.
	c.limitMemory(2 * len(headData))
	based := make(chan baseConfig, 1)
	go func() { based <- c.readBase(ctx, len(headData)) }()
	head, hds, err := c.parseBytes(c.file.file, headData, c.file)
	br := <-based
	if err != nil {
		return "", nil, false, err
	}
	if hds.HasErrors() {
		var b strings.Builder
		fmt.Fprintf(&b, "### %s\n\n❌ The file is invalid: nothing can be previewed until it is fixed.\n\n", title)
		_ = report.Diagnostics(&b, report.Markdown, hds, report.DiagOptions{File: c.file.file, Max: 50})
		if format != report.Markdown {
			_ = report.Diagnostics(c.stderr, report.Text, hds, report.DiagOptions{File: c.file.file, Color: c.color(c.stderr)})
		}
		return b.String(), nil, true, nil
	}
	if br.err != nil {
		return "", nil, false, br.err
	}
	if br.note != "" {
		fmt.Fprintln(c.stderr, br.note)
	}
	base := br.cfg
	p, _ = reconcile.Diff(head, base, reconcile.DiffOptions{Offline: true})
	md = report.PlanMarkdown(p, report.PlanOptions{Title: title, MaxLen: commentLimit})
	return md, p, false, nil
}

// baseConfig is the file at the base revision, or an empty portal and a note
// saying why.
type baseConfig struct {
	cfg  *portal.Config
	note string
	err  error
}

// readBase reads and parses the file at the base revision; headSize is the size
// of the working tree's file, parsed meanwhile.
func (c *previewCmd) readBase(ctx context.Context, headSize int) baseConfig {
	empty := &portal.Config{Groups: map[string][]string{}}
	data, err := gitrev.ReadFile(ctx, c.file.file, c.base)
	switch {
	case errors.Is(err, gitrev.ErrFileNotFound):
		return baseConfig{cfg: empty, note: fmt.Sprintf("note: %s does not exist at %s; comparing with an empty portal", c.file.file, c.base)}
	case err != nil:
		return baseConfig{err: err}
	}
	if len(data) > headSize {
		c.limitMemory(headSize + len(data))
	}
	loose := c.file
	loose.strict = false
	cfg, ds, err := c.parseBytes(c.file.file+"@"+c.base, data, loose, schema.NoLints())
	switch {
	case err != nil:
		return baseConfig{err: err}
	case ds.HasErrors():
		return baseConfig{cfg: empty, note: fmt.Sprintf("note: %s is invalid at %s; comparing with an empty portal", c.file.file, c.base)}
	}
	return baseConfig{cfg: cfg}
}
