package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/drift"
	"github.com/qovery/portalctl/internal/atomicfile"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

const syncExample = `portalctl sync                   # list what changed in the portal and is not in the files (exit 2 if anything)
portalctl sync --write           # write it into the files, keeping their comments and layout; then plan shows no change
`

type syncCmd struct {
	*app
	file        fileFlags
	api         apiFlags
	write       bool
	maxRemovals int
}

func newSync(a *app) *syncCmd { return &syncCmd{app: a} }

func (c *syncCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("sync", pflag.ContinueOnError)
	c.file.register(fs)
	c.api.register(fs)
	fs.BoolVar(&c.write, "write", false, "write the changes into the files, in place")
	fs.IntVar(&c.maxRemovals, "max-removals", reconcile.DefaultMaxRemovals, "say so when the sync deletes more entries than this (it still deletes them)")
	return fs
}

// run brings what changed in the portal into the files (see
// docs/commands.md#sync): it lists the changes, and with --write writes them.
// Before anything is written, the files as edited are loaded again and planned
// against the same live state: the plan must be empty. It exits 0 when the
// files match the portal, 2 when there are changes (written with --write), 1
// on an error.
func (c *syncCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q: the root file is given with -f", args[0])
	}
	if c.write && c.file.file == "-" {
		return errors.New("--write edits the files in place: give a path with -f, not stdin")
	}
	if c.maxRemovals < 0 {
		return fmt.Errorf("--max-removals %d is negative: write 0 or more", c.maxRemovals)
	}
	if err := c.api.check(c.getenv); err != nil {
		return err
	}
	data, err := schema.ReadFileMax(c.file.file, c.stdin, int64(c.file.maxSize))
	if err != nil {
		return err
	}
	files := newReadFiles(c.file.files(), c.file.file, data)
	l, err := c.loader(c.file)
	if err != nil {
		return err
	}
	restore := c.limitMemory(len(data))
	cfg, ds := parseWith(ctx, l, c.file.file, data, files.orNil(), c.file.strict)
	restore()
	if err := c.reportProblems(c.file, ds); err != nil {
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
	res, err := drift.Sync(cfg, files.all(), conn.live, drift.Options{Today: c.today()})
	if err != nil {
		return fmt.Errorf("%w; nothing was written", err)
	}
	c.print(res, cfg.Layout.Split())
	if len(res.Changes) == 0 {
		fmt.Fprintf(c.stdout, "The files match the portal: nothing to sync.\n")
		return nil
	}
	// Computed, not trusted: the files as edited must plan no change.
	edited := map[string][]byte{}
	for _, f := range res.Files {
		edited[f.Name] = f.After
	}
	if err := c.settled(ctx, l, files.with(edited).orNil(), edited[c.file.file], data, conn.live, org); err != nil {
		return fmt.Errorf("%w; nothing was written", err)
	}
	if !c.write {
		fmt.Fprintf(c.stdout, "`portalctl sync --write -f %s` writes them.\n", c.file.file)
		return &exitError{code: 2, silent: true}
	}
	edits := make([]atomicfile.Edit, len(res.Files))
	for i, f := range res.Files {
		edits[i] = atomicfile.Edit{Name: f.Name, Before: f.Before, After: f.After}
	}
	written, err := atomicfile.ReplaceAll(edits)
	if errors.Is(err, atomicfile.ErrChanged) {
		return fmt.Errorf("%w: run `portalctl sync --write -f %s` again", err, c.file.file)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Wrote %s.\n", strings.Join(written, ", "))
	// What is on disk now, read again, plans no change either.
	root, err := schema.ReadFileMax(c.file.file, c.stdin, int64(c.file.maxSize))
	if err != nil {
		return err
	}
	if err := c.settled(ctx, l, c.file.files(), nil, root, conn.live, org); err != nil {
		return fmt.Errorf("the files written: %w", err)
	}
	return &exitError{code: 2, silent: true}
}

// print lists the changes by file, what is left as it is, and a summary with
// the warnings: admins deleted or demoted, more removals than --max-removals.
func (c *syncCmd) print(res *drift.Result, split bool) {
	width := c.textOptions(c.stdout).Width
	say := func(first, rest, text string) { fmt.Fprint(c.stdout, report.WrapWords(text, width, first, rest)) }
	file := ""
	for _, ch := range res.Changes {
		if ch.File != file {
			file = ch.File
			fmt.Fprintln(c.stdout, file)
		}
		lead := fmt.Sprintf("  %d: ", ch.Line)
		say(lead, strings.Repeat(" ", len(lead)+2), string(ch.Op)+" "+ch.Text)
	}
	for _, n := range res.Notes {
		say("note: ", "      ", n)
	}
	for _, b := range res.Unclaimed {
		why := "blueprint %s is not in the file: left out, as plan leaves alone the blueprints the file does not list"
		if split {
			why = "blueprint %s is not managed by the files (no include claims it): left out, and plan leaves it alone"
		}
		say("note: ", "      ", fmt.Sprintf(why, b))
	}
	if len(res.Changes) == 0 {
		return
	}
	files := map[string]bool{}
	for _, ch := range res.Changes {
		files[ch.File] = true
	}
	fmt.Fprintf(c.stdout, "%s to %s, %d removed.\n", plural(len(res.Changes), "change"), plural(len(files), "file"), res.Removals())
	if admins := res.Admins(); len(admins) > 0 {
		who := "the admin " + admins[0] + ", whom the portal no longer has as an admin"
		if len(admins) > 1 {
			who = "the admins " + strings.Join(admins, ", ") + ", whom the portal no longer has as admins"
		}
		say("warning: ", "         ", "sync deletes or demotes "+who)
	}
	if n := res.Removals(); n > c.maxRemovals {
		say("warning: ", "         ", fmt.Sprintf("sync removes %d entries from the files, more than --max-removals=%d (the rails of apply do not hold sync back: check the portal was changed on purpose)", n, c.maxRemovals))
	}
}

// plural is "1 change", "2 changes".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// settled loads the files (the root's bytes: edited, else data) and requires
// their plan against live to be empty, but for the removals the files' own
// expiry causes, which sync leaves to apply.
func (c *syncCmd) settled(ctx context.Context, l *schema.Loader, files schema.Files, edited, data []byte, live *portal.Config, org string) error {
	if edited != nil {
		data = edited
	}
	after, ds := l.Load(ctx, c.file.file, data, files)
	if ds.HasErrors() || after == nil {
		for _, d := range ds {
			if d.Severity == diag.Error {
				return fmt.Errorf("the files once synced would be invalid at %s: %s", d.Pos, d.Message)
			}
		}
		return errors.New("the files once synced do not load")
	}
	after.Organization = org
	p, ds := reconcile.Diff(after, live, reconcile.DiffOptions{Today: c.today()})
	if ds.HasErrors() {
		for _, d := range ds {
			if d.Severity == diag.Error {
				return fmt.Errorf("the files once synced would not plan: %s: %s", d.Pos, d.Message)
			}
		}
	}
	var left []string
	for _, op := range p.Ops {
		if op.ExpiredOn.IsZero() && !op.Expired {
			left = append(left, op.String())
		}
	}
	if len(left) > 0 {
		return fmt.Errorf("the files once synced would still differ from the portal: %s", strings.Join(left, "; "))
	}
	return nil
}

// readFiles reads a layout's files through files and keeps what it read, the
// root's bytes included: what sync edits. with serves edited bytes instead.
type readFiles struct {
	files  schema.Files
	mu     sync.Mutex
	read   map[string][]byte
	edited map[string][]byte
}

func newReadFiles(files schema.Files, root string, data []byte) *readFiles {
	return &readFiles{files: files, read: map[string][]byte{root: data}}
}

func (r *readFiles) ReadFile(ctx context.Context, name string) ([]byte, error) {
	if data, ok := r.edited[name]; ok {
		return data, nil
	}
	if r.files == nil {
		return nil, fmt.Errorf("%s: cannot read the files a file from standard input includes", name)
	}
	data, err := r.files.ReadFile(ctx, name)
	if err == nil && r.edited == nil {
		r.mu.Lock()
		r.read[name] = data
		r.mu.Unlock()
	}
	return data, err
}

func (r *readFiles) Glob(ctx context.Context, pattern string) ([]string, error) {
	if r.files == nil {
		return nil, nil
	}
	return r.files.Glob(ctx, pattern)
}

// orNil is r, or nil when there is nowhere to read includes from (standard
// input): the loader then says so at the include.
func (r *readFiles) orNil() schema.Files {
	if r.files == nil {
		return nil
	}
	return r
}

// all is every file read, by name.
func (r *readFiles) all() map[string][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.read
}

// with is the files as read, those of edited replaced.
func (r *readFiles) with(edited map[string][]byte) *readFiles {
	out := &readFiles{files: r.files, read: map[string][]byte{}, edited: map[string][]byte{}}
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, v := range r.read {
		out.edited[k] = v
	}
	for k, v := range edited {
		out.edited[k] = v
	}
	return out
}
