package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/internal/atomicfile"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

const expireExample = `portalctl expire                 # list the entries whose access has expired (exit 2 if any)
portalctl expire --write         # delete them from portal.yaml, keeping the rest byte for byte
portalctl expire --live --write  # also delete the invitations pending longer than max_pending_days
`

type expireCmd struct {
	*app
	file  fileFlags
	api   apiFlags
	write bool
	live  bool
}

func newExpire(a *app) *expireCmd { return &expireCmd{app: a} }

func (c *expireCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("expire", pflag.ContinueOnError)
	c.file.register(fs)
	fs.BoolVar(&c.write, "write", false, "delete the expired entries from the file, in place")
	fs.BoolVar(&c.live, "live", false, "also ask the API which invitations are pending longer than the policy's max_pending_days, and list (with --write, delete) their entries")
	c.api.register(fs)
	return fs
}

// run lists the expired entries of the file, members and organization members,
// and with --write deletes them. It exits 2 when something has expired (deleted
// with --write), 0 when nothing has, 1 on an error.
func (c *expireCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q: the file is given with -f", args[0])
	}
	if c.write && c.file.file == "-" {
		return errors.New("--write edits the file in place: give a path with -f, not stdin")
	}
	if c.live {
		if err := c.api.check(c.getenv); err != nil {
			return err
		}
	}
	data, err := schema.ReadFileMax(c.file.file, c.stdin, int64(c.file.maxSize))
	if err != nil {
		return err
	}
	restore := c.limitMemory(len(data))
	cfg, ds, err := c.parseBytes(ctx, c.file.file, data, c.file)
	restore()
	if err != nil {
		return err
	}
	if err := c.reportProblems(c.file, ds); err != nil {
		return err
	}
	l, err := c.loader(c.file)
	if err != nil {
		return err
	}
	var stale []schema.Stale
	if c.live {
		if stale, err = c.stale(ctx, cfg); err != nil {
			return err
		}
	}
	ex, eds, err := l.ExpireAndDelete(ctx, c.file.file, data, c.file.files(), stale)
	switch {
	case err != nil:
		return err
	case eds.HasErrors():
		return c.reportProblems(c.file, eds)
	}
	today := c.today()
	// Where --write deletes: the file, or, split, the file that holds each entry.
	from := c.file.file
	if cfg != nil && cfg.Layout.Split() {
		from = "the file that holds each"
	}
	if len(ex.Entries) == 0 {
		if c.live {
			c.say(fmt.Sprintf("No entry of %s has expired or is an invitation pending too long (today is %s, UTC).", c.file.file, today))
			return nil
		}
		c.say(fmt.Sprintf("No entry of %s has expired (today is %s, UTC).", c.file.file, today))
		return nil
	}
	for _, e := range ex.Entries {
		what := "member"
		if e.Org {
			what = "organization member"
		}
		lines := fmt.Sprintf("line %d", e.First)
		if e.Last > e.First {
			lines = fmt.Sprintf("lines %d-%d", e.First, e.Last)
		}
		if !e.Invited.IsZero() && (e.Expires.IsZero() || today.Before(e.Expires)) {
			c.say(fmt.Sprintf("%s: %s %s invited on %s, %d days ago, still pending (%s)", e.Pos, what, e.Email, e.Invited, e.Invited.DaysUntil(today), lines))
			continue
		}
		c.say(fmt.Sprintf("%s: %s %s expired on %s (%s)", e.Pos, what, e.Email, e.Expires, lines))
	}
	n := entries(len(ex.Entries))
	if !c.write {
		if c.live {
			c.say(fmt.Sprintf("%s expired or pending too long (today is %s, UTC): `portalctl expire --live --write` deletes them from %s.", n, today, from))
			return &exitError{code: 2, silent: true}
		}
		c.say(fmt.Sprintf("%s expired (today is %s, UTC): plan and apply remove them; `portalctl expire --write` deletes them from %s.", n, today, from))
		return &exitError{code: 2, silent: true}
	}
	// The edit is of what was read: an edit made since then is kept, not
	// overwritten, and a symbolic link stays one, its target written. Each
	// file is replaced whole or not at all; one that cannot be leaves the
	// others as they are, and says which were written.
	edits := make([]atomicfile.Edit, len(ex.Files))
	for i, f := range ex.Files {
		edits[i] = atomicfile.Edit{Name: f.Name, Before: f.Before, After: f.After}
	}
	written, err := atomicfile.ReplaceAll(edits)
	if errors.Is(err, atomicfile.ErrChanged) {
		return fmt.Errorf("%w: run `portalctl expire --write -f %s` again", err, c.file.file)
	} else if err != nil {
		return err
	}
	c.say(fmt.Sprintf("Deleted %s from %s.", n, strings.Join(written, ", ")))
	if ex.Warnings > 0 {
		warnings := "1 warning"
		if ex.Warnings != 1 {
			warnings = fmt.Sprintf("%d warnings", ex.Warnings)
		}
		c.say(fmt.Sprintf("%s now has %s (an email rule or a group entry that named someone deleted, say): `portalctl validate -f %s` lists them.", c.file.file, warnings, c.file.file))
	}
	return &exitError{code: 2, silent: true}
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}

// stale reads the live portal (and organization, when the file manages it)
// and lists the invitations pending longer than the file's max_pending_days.
func (c *expireCmd) stale(ctx context.Context, cfg *portal.Config) ([]schema.Stale, error) {
	if cfg == nil || !cfg.Policy.Has(portal.PolicyMaxPendingDays) {
		return nil, nil
	}
	org, err := c.api.orgFor(cfg.Organization)
	if err != nil {
		return nil, err
	}
	conn, err := c.connect(ctx, &c.api, org, cfg.Org != nil)
	if err != nil {
		return nil, err
	}
	var out []schema.Stale
	for _, p := range reconcile.StalePending(cfg, conn.live, c.today()) {
		out = append(out, schema.Stale{Email: p.Email, Org: p.Org, Invited: p.Invited})
	}
	return out, nil
}

// say writes a line of expire's output, broken at spaces to the terminal's
// width, the lines after the first indented.
func (c *expireCmd) say(line string) {
	fmt.Fprint(c.stdout, report.WrapWords(line, c.textOptions(c.stdout).Width, "", "    "))
}
