package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
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
	fs.IntVar(&c.rails.MaxRemovals, "max-removals", reconcile.DefaultMaxRemovals, "refuse to remove more members than this in one run")
	fs.IntVar(&c.rails.MaxRemovalPercent, "max-removal-percent", reconcile.DefaultMaxRemovalPercent, "refuse to remove more than this percentage of the portal's members")
	c.fs = fs
	return fs
}

func (c *applyCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	p, live, client, err := c.plan(ctx)
	if err != nil {
		return err
	}
	if p.Empty() {
		fmt.Fprintln(c.stdout, "No changes: the portal matches the file. Nothing to do.")
		return nil
	}
	if err := report.Plan(c.stdout, report.Text, p, report.PlanOptions{Color: c.color(c.stdout)}); err != nil {
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
	return c.execute(ctx, client, p)
}

// plan computes the plan from the file, or reads a saved one and checks that the
// portal has not changed since it was made.
func (c *applyCmd) plan(ctx context.Context) (*reconcile.Plan, *portal.Config, *qovery.Client, error) {
	if c.planFile != "" {
		return c.savedPlan(ctx)
	}
	cfg, err := c.loadValid(c.file)
	if err != nil {
		return nil, nil, nil, err
	}
	client, org, err := c.client(c.api, cfg.Organization)
	if err != nil {
		return nil, nil, nil, err
	}
	live, err := reconcile.ReadLive(ctx, client, org, c.api.parallelism)
	if err != nil {
		return nil, nil, nil, err
	}
	cfg.Organization = org
	p, ds := reconcile.Diff(cfg, live, reconcile.DiffOptions{})
	if ds.HasErrors() {
		_ = report.Diagnostics(c.stderr, report.Text, ds, report.DiagOptions{File: c.file.file, Color: c.color(c.stderr)})
		return nil, nil, nil, errReported
	}
	return p, live, client, nil
}

func (c *applyCmd) savedPlan(ctx context.Context) (*reconcile.Plan, *portal.Config, *qovery.Client, error) {
	if c.fs.Changed("file") {
		return nil, nil, nil, errors.New("--plan and -f exclude each other: a saved plan already says what to change")
	}
	f, err := os.Open(c.planFile)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read plan: %w", err)
	}
	p, err := reconcile.ReadPlan(f)
	f.Close()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read plan %s: %w", c.planFile, err)
	}
	if o := firstOf(c.api.organization, c.getenv("QOVERY_ORGANIZATION_ID")); o != "" && !strings.EqualFold(o, p.Organization) {
		return nil, nil, nil, fmt.Errorf("plan %s was made for organization %s, not %s", c.planFile, p.Organization, o)
	}
	client, org, err := c.client(c.api, p.Organization)
	if err != nil {
		return nil, nil, nil, err
	}
	live, err := reconcile.ReadLive(ctx, client, org, c.api.parallelism)
	if err != nil {
		return nil, nil, nil, err
	}
	if fp := reconcile.Fingerprint(live); fp != p.Fingerprint {
		return nil, nil, nil, fmt.Errorf("%w: the saved plan %s is stale: the portal changed since it was made; run `portalctl plan --out %s` again and review it, or apply from the file with `-f` to plan against the portal as it is now",
			reconcile.ErrRefused, c.planFile, c.planFile)
	}
	// The impact shown is recomputed from the portal as it is, not read from the file.
	p.Impact = reconcile.ComputeImpact(reconcile.NewIndex(live), reconcile.NewIndex(reconcile.Simulate(live, p.Ops)))
	return p, live, client, nil
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
	return strings.TrimSpace(line) == "yes", nil
}

func (c *applyCmd) execute(ctx context.Context, client *qovery.Client, p *reconcile.Plan) error {
	width := len(fmt.Sprint(len(p.Ops)))
	fmt.Fprintln(c.stdout)
	sum := reconcile.Apply(ctx, client, p, reconcile.ApplyOptions{
		Parallelism: c.api.parallelism,
		Progress: func(done, total int, r reconcile.Result) {
			line := fmt.Sprintf("[%*d/%d] %s", width, done, total, r.Op)
			switch {
			case r.Outcome == reconcile.Failed:
				line += ": FAILED: " + r.Err.Error()
			case r.Outcome == reconcile.Skipped:
				line += ": " + r.Note
			case r.Note != "":
				line += " (" + r.Note + ")"
			}
			fmt.Fprintln(c.stdout, line)
		},
	})
	done, failed, skipped := sum.Count(reconcile.Done), sum.Count(reconcile.Failed), sum.Count(reconcile.Skipped)
	fmt.Fprintf(c.stdout, "\nApply finished: %d done, %d failed, %d skipped.\n", done, failed, skipped)
	if failed+skipped == 0 {
		return nil
	}
	for _, r := range sum.Results {
		if r.Outcome == reconcile.Failed {
			fmt.Fprintf(c.stdout, "  failed: %s: %v\n", r.Op, r.Err)
		}
	}
	fmt.Fprintln(c.stdout, "Re-run apply to finish: it converges from where this run stopped.")
	return errReported
}
