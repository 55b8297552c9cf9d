package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/suggest"
)

const accessExample = `portalctl access bob@company.com               # what bob sees, and through which rule
portalctl access --blueprint data-science       # who sees data-science
portalctl access --live bob@company.com         # ask the portal instead of the file
portalctl access --all -o csv > access.csv      # every member and blueprint they see; summary on stderr
`

type accessCmd struct {
	*app
	file      fileFlags
	api       apiFlags
	blueprint string
	all       bool
	live      bool
	output    string
}

func newAccess(a *app) *accessCmd { return &accessCmd{app: a} }

func (c *accessCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("access", pflag.ContinueOnError)
	c.file.register(fs)
	c.api.register(fs)
	fs.StringVar(&c.blueprint, "blueprint", "", "show who sees this blueprint")
	fs.BoolVar(&c.all, "all", false, "list every member and each blueprint they see, with a summary")
	fs.BoolVar(&c.live, "live", false, "evaluate the live portal instead of the file")
	fs.StringVarP(&c.output, "output", "o", "text", "output format: text or json; with --all also csv")
	return fs
}

func (c *accessCmd) run(ctx context.Context, args []string) error {
	format, err := report.ParseFormat(c.output, report.Text, report.JSON, report.CSV)
	if err != nil {
		return err
	}
	if err := c.api.check(c.getenv); err != nil {
		return err
	}
	switch {
	case c.all && c.blueprint != "":
		return errors.New("--all lists every member and blueprint: drop --blueprint (or drop --all to see who sees one blueprint)")
	case c.all && len(args) > 0:
		return fmt.Errorf("--all lists every member and blueprint: drop %q (or drop --all to see what one member sees)", args[0])
	case c.all: // nothing more to check: it takes no EMAIL and any format
	case format == report.CSV:
		return errors.New("-o csv needs --all: add --all, or use -o text or -o json")
	case c.blueprint == "" && len(args) != 1:
		return errors.New("give one EMAIL, or --blueprint NAME, or --all")
	case c.blueprint != "" && len(args) > 0:
		return errors.New("give either an EMAIL or --blueprint NAME, not both")
	}
	cfg, source, err := c.config(ctx)
	if err != nil {
		return err
	}
	ix := access.NewIndex(cfg)
	if c.all {
		return report.AllAccess(ctx, c.stdout, c.stderr, format, ix, source)
	}
	if c.blueprint != "" {
		b, ok := ix.Blueprint(c.blueprint)
		if !ok {
			names := make([]string, len(cfg.Blueprints))
			for i, b := range cfg.Blueprints {
				names[i] = b.Name
			}
			msg := fmt.Sprintf("no blueprint %q in %s", c.blueprint, source)
			if s := suggest.Closest(c.blueprint, names, 3); len(s) > 0 {
				msg += fmt.Sprintf("; did you mean %v?", s)
			}
			return errors.New(msg)
		}
		return report.Audience(c.stdout, format, b, ix.Viewers(b), source)
	}
	email, err := portal.NormalizeEmail(args[0])
	if err != nil {
		return fmt.Errorf("%q is not an email: %v", args[0], err)
	}
	return report.Visibility(c.stdout, format, email, ix.IsMember(email), ix.Visible(email), source)
}

// config is the file, or the live portal with --live.
func (c *accessCmd) config(ctx context.Context) (*portal.Config, string, error) {
	if !c.live {
		cfg, err := c.loadValid(ctx, c.file)
		if err != nil {
			return nil, "", err
		}
		// Who the file lists today: a member whose access has expired sees
		// nothing (plan and apply remove them).
		now := cfg.WithoutExpired(c.today())
		if n := len(cfg.Members) - len(now.Members); n > 0 {
			who := fmt.Sprintf("%d members", n)
			if n == 1 {
				who = "1 member"
			}
			fmt.Fprintf(c.stderr, "note: %s of %s whose access has expired left out: plan and apply remove them\n", who, c.file.file)
		}
		return now, c.file.file, nil
	}
	fileOrg := ""
	if c.api.picked == "" {
		fileOrg = c.fileOrganization(ctx) // only parse the file when nothing else names the organization
	}
	org, err := c.api.orgFor(fileOrg)
	if err != nil {
		return nil, "", err
	}
	conn, err := c.connect(ctx, &c.api, org, false)
	if err != nil {
		return nil, "", err
	}
	return conn.live, "the live portal", nil
}

// fileOrganization is the organization the file names, if it is there and valid:
// --live needs no file, but uses it when there is one.
func (c *accessCmd) fileOrganization(ctx context.Context) string {
	cfg, ds, err := c.parse(ctx, c.file)
	if err != nil || ds.HasErrors() {
		return ""
	}
	return cfg.Organization
}
