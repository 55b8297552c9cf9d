package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

const validateExample = `portalctl validate -f portal.yaml
portalctl validate --strict -o github     # in CI: annotations on the pull request's lines
portalctl validate --expiry-warning 30    # say a month ahead when someone's access expires
`

type validateCmd struct {
	*app
	file   fileFlags
	output string
	max    int
	expiry int
}

func newValidate(a *app) *validateCmd { return &validateCmd{app: a} }

func (c *validateCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("validate", pflag.ContinueOnError)
	c.file.register(fs)
	fs.StringVarP(&c.output, "output", "o", "text", "output format: text, json or github (workflow annotations)")
	fs.IntVar(&c.max, "max-problems", report.DefaultMaxProblems, "problems shown before the rest are only counted (1 or more)")
	fs.IntVar(&c.expiry, "expiry-warning", schema.DefaultExpiryWarning, "warn this many days before a member's access expires (0 or more; 0: only once expired)")
	return fs
}

func (c *validateCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q: the file is given with -f", args[0])
	}
	format, err := report.ParseFormat(c.output, report.Text, report.JSON, report.GitHub)
	if err != nil {
		return err
	}
	if c.max < 1 {
		return fmt.Errorf("--max-problems %d is out of range: write how many problems to show, 1 or more, e.g. --max-problems %d", c.max, report.DefaultMaxProblems)
	}
	if c.expiry < 0 {
		return fmt.Errorf("--expiry-warning %d is negative: write how many days ahead to warn of an expiry, e.g. --expiry-warning %d (0 warns only once it has passed)", c.expiry, schema.DefaultExpiryWarning)
	}
	c.file.expiryWarning = c.expiry
	c.file.problems = max(c.max, schema.DefaultMaxProblems) // keep at least what is shown
	_, ds, err := c.parse(ctx, c.file)
	if err != nil {
		return err
	}
	if err := report.Diagnostics(c.stdout, format, ds, report.DiagOptions{
		File: c.file.file, Max: c.max, Color: c.color(c.stdout), Width: c.textOptions(c.stdout).Width,
	}); err != nil {
		return err
	}
	if ds.HasErrors() {
		return errReported
	}
	return nil
}
