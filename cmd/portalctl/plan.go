package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/internal/atomicfile"
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
	cfg, err := c.loadValid(c.file)
	if err != nil {
		return err
	}
	client, org, err := c.client(c.api, cfg.Organization)
	if err != nil {
		return err
	}
	live, _, err := readLive(ctx, client, org, c.api.parallelism, cfg.Org != nil)
	if err != nil {
		return err
	}
	cfg.Organization = org
	p, ds := reconcile.Diff(cfg, live, reconcile.DiffOptions{Today: c.today()})
	if ds.HasErrors() {
		_ = report.Diagnostics(c.stderr, report.Text, ds, report.DiagOptions{File: c.file.file, Color: c.color(c.stderr)})
		return errReported
	}
	now := c.now()
	if format == report.JSON {
		// The plan format itself, signed like the file --out writes.
		err = p.WriteJSON(c.stdout, now, key)
	} else {
		err = report.Plan(c.stdout, format, p, report.PlanOptions{Color: c.color(c.stdout), Now: now})
	}
	if err != nil {
		return err
	}
	if err := (reconcile.Rails{MaxRemovals: reconcile.DefaultMaxRemovals, MaxRemovalPercent: reconcile.DefaultMaxRemovalPercent}).Check(p, live); err != nil && !p.Empty() {
		fmt.Fprintf(c.stderr, "warning: apply would stop here: %v\n", err)
	}
	if c.out != "" {
		// Streamed to the file, and refused before the file is in place when it
		// would be larger than apply --plan reads.
		err := atomicfile.WriteFrom(c.out, func(w io.Writer) error {
			return p.WriteJSON(&reconcile.CapWriter{W: w, Max: reconcile.MaxPlanBytes}, now, key)
		})
		if errors.Is(err, reconcile.ErrPlanTooLarge) {
			return fmt.Errorf("save plan: %w; nothing was written to %s: apply from the file with `portalctl apply -f %s` instead", err, c.out, c.file.file)
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
