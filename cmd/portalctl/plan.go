package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/internal/atomicfile"
	"github.com/qovery/portalctl/planfile"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
)

const planExample = `export QOVERY_API_TOKEN=…            # never a flag
portalctl plan -f portal.yaml
portalctl plan --out portal.plan       # then: portalctl apply --plan portal.plan
portalctl plan --detailed-exitcode     # exit 2 when there are changes (drift checks)
`

type planCmd struct {
	*app
	file     fileFlags
	api      apiFlags
	out      string
	detailed bool
	output   string
}

func newPlan(a *app) *planCmd { return &planCmd{app: a} }

func (c *planCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("plan", pflag.ContinueOnError)
	c.file.register(fs)
	c.api.register(fs)
	fs.StringVar(&c.out, "out", "", "save the plan to this file for `apply --plan`")
	fs.BoolVar(&c.detailed, "detailed-exitcode", false, "exit 0 when there are no changes, 2 when there are")
	fs.StringVarP(&c.output, "output", "o", "text", "output format: text, markdown or json")
	return fs
}

func (c *planCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	format, err := report.ParseFormat(c.output, report.Text, report.Markdown, report.JSON)
	if err != nil {
		return err
	}
	if err := c.api.check(c.getenv); err != nil {
		return err
	}
	key, err := c.planKey()
	if err != nil {
		return err
	}
	out := c.out
	if out != "" {
		// Before anything is read or asked of the API: a typo must not cost a
		// run, nor overwrite the configuration or anyone's file.
		if out, err = planOut(c.out, c.file.file); err != nil {
			return err
		}
	}
	cfg, err := c.loadValid(ctx, c.file)
	if err != nil {
		return err
	}
	org, err := c.api.orgFor(cfg.Organization)
	if err != nil {
		return err
	}
	conn, err := c.connect(ctx, &c.api, org, cfg.Org != nil)
	if err != nil {
		return err
	}
	live := conn.live
	cfg.Organization = org
	p, ds := reconcile.Diff(cfg, live, reconcile.DiffOptions{Today: c.today()})
	if ds.HasErrors() {
		_ = report.Diagnostics(c.stderr, report.Text, ds, report.DiagOptions{File: c.file.file, Color: c.color(c.stderr), Width: c.textOptions(c.stderr).Width})
		return errReported
	}
	now := c.now()
	rails := reconcile.Rails{MaxRemovals: reconcile.DefaultMaxRemovals, MaxRemovalPercent: reconcile.DefaultMaxRemovalPercent}
	r := report.New(p, report.Options{
		Kind:  report.KindPlan,
		Plan:  &report.PlanSource{File: c.file.file, Organization: org, APIURL: c.apiURL(c.api), At: now, Fingerprint: p.Fingerprint},
		Rails: &rails, Live: live,
		Operations: format == report.JSON,
	})
	switch format {
	case report.JSON:
		err = r.JSON(c.stdout)
	case report.Markdown:
		_, err = io.WriteString(c.stdout, r.Markdown(report.MarkdownOptions{}))
	default:
		err = r.Text(c.stdout, c.textOptions(c.stdout))
	}
	if err != nil {
		return err
	}
	if err := rails.Check(p, live); err != nil && !p.Empty() {
		fmt.Fprintf(c.stderr, "warning: apply would stop here: %v\n", err)
	}
	notePending(c.stderr, cfg, live, c.today())
	if c.out != "" {
		// Refused before the file is in place when it would be larger than
		// apply --plan reads.
		data, err := planfile.Marshal(p, now, key)
		if errors.Is(err, planfile.ErrTooLarge) {
			return fmt.Errorf("save plan: %w; nothing was written to %s: apply from the file with `portalctl apply -f %s` instead", err, c.out, c.file.file)
		}
		if err == nil {
			err = atomicfile.Write(out, data)
		}
		if err != nil {
			return fmt.Errorf("save plan: %w", err)
		}
		signed := ""
		if key != nil {
			signed = ", signed with PORTALCTL_PLAN_KEY"
		}
		fmt.Fprintf(c.stderr, "Saved the plan to %s%s: apply it with `portalctl apply --plan %s`.\n", c.out, signed, c.out)
	}
	if c.detailed && !p.Empty() {
		return &exitError{code: 2, silent: true}
	}
	return nil
}

// planOut checks where plan --out may write, and returns the file to write: a
// new file, or an earlier plan (through a symbolic link, the file it leads to).
// It refuses the configuration file itself (the same file, also through a link
// or a hard link) and any existing file that is not a portalctl plan, whose
// content would be lost.
func planOut(out, input string) (string, error) {
	st, err := os.Stat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return out, nil
	case err != nil:
		return "", fmt.Errorf("--out %s: %w", out, err)
	}
	if input != "-" {
		if in, err := os.Stat(input); err == nil && os.SameFile(st, in) {
			return "", fmt.Errorf("--out %s is the configuration file %s: nothing was written; save the plan to a file of its own, e.g. --out portal.plan", out, input)
		}
	}
	if !st.Mode().IsRegular() {
		return "", fmt.Errorf("--out %s is not a regular file: nothing was written; give the name of a new file, e.g. --out portal.plan", out)
	}
	target, err := filepath.EvalSymlinks(out)
	if err != nil {
		return "", fmt.Errorf("--out %s: %w", out, err)
	}
	isPlan, err := startsAsPlan(target)
	if err != nil {
		return "", fmt.Errorf("--out %s: %w", out, err)
	}
	if !isPlan {
		return "", fmt.Errorf("--out %s exists and is not a portalctl plan: nothing was written; plan --out replaces only an earlier plan: give the name of a new file, e.g. --out portal.plan, or move that file away", out)
	}
	return target, nil
}

// planPrefix bounds what is read of an existing file to tell whether it is a
// plan: a plan starts with its format_version (planfile.File), whatever its
// version.
const planPrefix = 512

// startsAsPlan says whether the regular file at path starts as a portalctl plan
// does, {"format_version": reading at most planPrefix bytes, and without waiting
// on a FIFO swapped in meanwhile.
func startsAsPlan(path string) (bool, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false, err
	}
	dec := json.NewDecoder(io.LimitReader(f, planPrefix))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false, nil
	}
	tok, err := dec.Token()
	return err == nil && tok == "format_version", nil
}
