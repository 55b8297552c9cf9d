package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/planfile"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

const applyExample = `portalctl apply -f portal.yaml                      # shows the plan, asks for "yes"
portalctl plan --out portal.plan && portalctl apply --plan portal.plan --auto-approve   # CI
portalctl apply --auto-approve --max-removals 20    # a planned clean-up of many members
`

type applyCmd struct {
	*app
	file        fileFlags
	api         apiFlags
	planFile    string
	key         []byte // PORTALCTL_PLAN_KEY, read once by check
	autoApprove bool
	rails       reconcile.Rails
	fs          *pflag.FlagSet
}

func newApply(a *app) *applyCmd { return &applyCmd{app: a} }

func (c *applyCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("apply", pflag.ContinueOnError)
	c.file.register(fs)
	c.api.register(fs)
	fs.StringVar(&c.planFile, "plan", "", "apply a plan saved by `plan --out` instead of planning from the file")
	fs.BoolVar(&c.autoApprove, "auto-approve", false, "apply without asking (required when not on a terminal)")
	fs.IntVar(&c.rails.MaxRemovals, "max-removals", reconcile.DefaultMaxRemovals, "refuse to remove more members than this in one run (0 or more)")
	fs.IntVar(&c.rails.MaxRemovalPercent, "max-removal-percent", reconcile.DefaultMaxRemovalPercent, "refuse to remove more than this percentage of the portal's members (0 to 100)")
	c.fs = fs
	return fs
}

// check refuses bad flags before anything is read or sent.
func (c *applyCmd) check() error {
	if c.rails.MaxRemovals < 0 {
		return fmt.Errorf("--max-removals %d is negative: write 0 to refuse every removal, or the most members one run may remove, e.g. --max-removals %d", c.rails.MaxRemovals, reconcile.DefaultMaxRemovals)
	}
	if c.rails.MaxRemovalPercent < 0 || c.rails.MaxRemovalPercent > 100 {
		return fmt.Errorf("--max-removal-percent %d is out of range: write a percentage from 0 to 100, e.g. --max-removal-percent %d", c.rails.MaxRemovalPercent, reconcile.DefaultMaxRemovalPercent)
	}
	if c.planFile != "" && c.fs.Changed("file") {
		return errors.New("--plan and -f exclude each other: a saved plan already says what to change")
	}
	key, err := c.planKey()
	if err != nil {
		return err
	}
	c.key = key
	return c.api.check(c.getenv)
}

func (c *applyCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	if err := c.check(); err != nil {
		return err
	}
	p, conn, err := c.plan(ctx)
	if err != nil {
		return err
	}
	live := conn.live
	notePending(c.stderr, p.Desired, live, c.today())
	if p.Empty() {
		fmt.Fprintln(c.stdout, "No changes: the portal matches the file. Nothing to do.")
		return nil
	}
	r := report.New(p, report.Options{Kind: report.KindPlan, Rails: &c.rails, Live: live})
	if err := r.Text(c.stdout, c.textOptions(c.stdout)); err != nil {
		return err
	}
	// Every operation acts on the live object it names, and the rails judge the
	// operations as they will execute, whether they come from the file or a plan.
	if err := reconcile.Bind(p, live); err != nil {
		return err
	}
	if err := c.rails.Check(p, live); err != nil {
		return err
	}
	if !c.autoApprove {
		ok, err := c.ask(fmt.Sprintf("\nApply these %d changes to organization %s? Only 'yes' is accepted: ", len(p.Ops), p.Organization))
		if err != nil {
			return err
		}
		if !ok {
			return errors.New("apply cancelled: nothing was changed")
		}
	}
	return c.execute(ctx, conn, p)
}

// plan computes the plan from the file, or reads a saved one and checks it against
// the portal as it is, with the connection it read the portal through (its
// organization's client is nil when neither manages the organization's members).
func (c *applyCmd) plan(ctx context.Context) (*reconcile.Plan, *connection, error) {
	if c.planFile != "" {
		return c.savedPlan(ctx)
	}
	cfg, err := c.loadValid(ctx, c.file)
	if err != nil {
		return nil, nil, err
	}
	org, err := c.api.orgFor(cfg.Organization)
	if err != nil {
		return nil, nil, err
	}
	conn, err := c.connect(ctx, &c.api, org, cfg.Org != nil)
	if err != nil {
		return nil, nil, err
	}
	cfg.Organization = org
	p, ds := reconcile.Diff(cfg, conn.live, reconcile.DiffOptions{Today: c.today()})
	if ds.HasErrors() {
		_ = report.Diagnostics(c.stderr, report.Text, ds, report.DiagOptions{File: c.file.file, Color: c.color(c.stderr), Width: c.textOptions(c.stderr).Width})
		return nil, nil, errReported
	}
	return p, conn, nil
}

// savedPlan reads a plan saved by plan --out and refuses it, before any write, when
// it was modified (digest), is not signed as PORTALCTL_PLAN_KEY requires, holds a
// desired state the loader refuses (on today's date, as -f would), was made from
// another live state (fingerprint), or holds operations other than those its
// desired state gives against the portal. The plan returned is derived again
// from the desired state and the portal as it is.
func (c *applyCmd) savedPlan(ctx context.Context) (*reconcile.Plan, *connection, error) {
	f, err := openRegular(c.planFile)
	if err != nil {
		return nil, nil, fmt.Errorf("read plan: %w", err)
	}
	file, err := planfile.Read(f, c.planFile, c.key)
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	// The plan names its organization: the flag or the environment (read once,
	// by check) may only agree with it.
	if o := c.api.picked; o != "" && !strings.EqualFold(o, file.Organization) {
		return nil, nil, fmt.Errorf("plan %s was made for organization %s, not %s (%s)", c.planFile, file.Organization, o, c.api.pickedFrom)
	}
	l, err := c.loader(c.file, schema.NoLints())
	if err != nil {
		return nil, nil, err
	}
	restore := c.limitMemory(len(file.Desired))
	saved, err := file.Plan(l)
	restore()
	if err != nil {
		return nil, nil, err
	}
	conn, err := c.connect(ctx, &c.api, saved.Organization, saved.Desired.Org != nil)
	if err != nil {
		return nil, nil, err
	}
	p, err := reconcile.Recheck(saved, conn.live, c.today())
	if errors.Is(err, reconcile.ErrStale) {
		return nil, nil, fmt.Errorf("%w: the saved plan %s is stale: the portal changed since it was made; run `portalctl plan --out %s` again and review it, or apply from the file with `-f` to plan against the portal as it is now",
			reconcile.ErrRefused, c.planFile, c.planFile)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("plan %s: %w", c.planFile, err)
	}
	return p, conn, nil
}

// ask reads a confirmation from the terminal; off a terminal it refuses.
func (c *applyCmd) ask(prompt string) (bool, error) {
	if c.confirm != nil {
		return c.confirm(prompt)
	}
	if c.isTerminal == nil || !c.isTerminal(c.stdin) {
		return false, fmt.Errorf("%w: not on a terminal, so there is no one to confirm: re-run with --auto-approve to apply without asking", reconcile.ErrRefused)
	}
	fmt.Fprint(c.stdout, prompt)
	line, err := bufio.NewReader(c.stdin).ReadString('\n')
	if err != nil {
		return false, fmt.Errorf("read confirmation: %w", err)
	}
	return confirmed(line), nil
}

// confirmed reports whether an answer to apply's question is yes: exactly the
// three letters, once the line ending (LF or CRLF) is taken off. " yes", "yes ",
// "YES" and "y" are no: a question that guards every change to the portal takes
// nothing close for an answer.
func confirmed(line string) bool {
	line = strings.TrimSuffix(line, "\n")
	line = strings.TrimSuffix(line, "\r")
	return line == "yes"
}

func (c *applyCmd) execute(ctx context.Context, conn *connection, p *reconcile.Plan) error {
	width := len(fmt.Sprint(len(p.Ops)))
	fmt.Fprintln(c.stdout)
	opts := reconcile.ApplyOptions{
		Parallelism: c.api.parallelism,
		Progress: func(done, total int, r reconcile.Result) {
			_ = report.ApplyProgress(c.stdout, width, done, total, r)
		},
	}
	if conn.orgs != nil {
		opts.Org = conn.orgs
	}
	sum := reconcile.Apply(ctx, conn.client, p, opts)
	if err := report.ApplySummary(c.stdout, sum); err != nil {
		return err
	}
	if !sum.Complete() {
		return errReported
	}
	return nil
}

// openRegular opens a regular file for reading, and refuses anything else (a
// FIFO, a device, a directory) before reading it: opened without blocking, and
// checked once open, so a FIFO cannot hang the run.
func openRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s): refused without reading it; give the file plan --out wrote", path, st.Mode().Type())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if opened, err := f.Stat(); err != nil || !os.SameFile(st, opened) {
		f.Close()
		return nil, fmt.Errorf("%s changed while it was being opened: refused; run again", path)
	}
	return f, nil
}
