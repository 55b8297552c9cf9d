package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/gitrev"
	"github.com/qovery/portalctl/internal/atomicfile"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/review"
	"github.com/qovery/portalctl/schema"
)

const reviewExample = `portalctl review                                  # the blueprints due for review (exit 2 if any)
portalctl review --owner alice@company.com -o markdown   # alice's packets, as a pull request body
portalctl review --blueprint data-science -o csv  # one blueprint's evidence, due or not
portalctl review --owner alice@company.com --write   # set reviewed: to today on alice's due blueprints
`

type reviewCmd struct {
	*app
	file       fileFlags
	api        apiFlags
	blueprints []string
	owner      string
	all        bool
	live       bool
	write      bool
	output     string
}

func newReview(a *app) *reviewCmd { return &reviewCmd{app: a} }

func (c *reviewCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("review", pflag.ContinueOnError)
	c.file.register(fs)
	c.api.register(fs)
	fs.StringArrayVar(&c.blueprints, "blueprint", nil, "a packet for this blueprint, due or not (repeatable)")
	fs.StringVar(&c.owner, "owner", "", "only the blueprints this email owns")
	fs.BoolVar(&c.all, "all", false, "a packet for every blueprint with rules, due or not")
	fs.BoolVar(&c.live, "live", false, "show each member's status (pending or active) in the live portal")
	fs.BoolVar(&c.write, "write", false, "set reviewed: to today on the blueprints of the packets, in place")
	fs.StringVarP(&c.output, "output", "o", "text", "output format: text, markdown, csv or json")
	return fs
}

// run writes a review packet for each blueprint selected (docs/access-reviews.md)
// and, with --write, sets their reviewed: date to today. It exits 2 when a
// review is due among them, 0 when none is, 1 on an error.
func (c *reviewCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q: name blueprints with --blueprint", args[0])
	}
	format, err := report.ParseFormat(c.output, report.Text, report.Markdown, report.CSV, report.JSON)
	if err != nil {
		return err
	}
	if c.all && len(c.blueprints) > 0 {
		return errors.New("--all selects every blueprint: drop --blueprint (or drop --all to review only the named ones)")
	}
	if c.file.file == "-" {
		return errors.New("review reads the file's git history: give a path with -f, not stdin")
	}
	owner := ""
	if c.owner != "" {
		if owner, err = portal.NormalizeEmail(c.owner); err != nil {
			return fmt.Errorf("--owner %q is not an email: %v", c.owner, err)
		}
	}
	if c.live {
		if err := c.api.check(c.getenv); err != nil {
			return err
		}
	}
	data, err := schema.ReadFileMax(c.file.file, nil, int64(c.file.maxSize))
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
	var live *portal.Config
	if c.live {
		org, err := c.api.orgFor(cfg.Organization)
		if err != nil {
			return err
		}
		conn, err := c.connect(ctx, &c.api, org, false)
		if err != nil {
			return err
		}
		live = conn.live
	}
	today := c.today()
	bk := review.NewBook(cfg, today, live)
	bps, err := bk.Select(review.Selection{Blueprints: c.blueprints, Owner: owner, All: c.all})
	if err != nil {
		return err
	}
	pasts, err := c.history(ctx, review.Days(bps))
	if err != nil {
		return err
	}
	w, err := review.NewWriter(c.stdout, format, bk.Header(bps, c.file.file, owner), review.Options{})
	if err != nil {
		return err
	}
	due := false
	for _, b := range bps {
		st, _ := review.StateOf(b, bk.Every(), today)
		due = due || st.IsDue()
		if err := w.Write(bk.Packet(b, pasts[b.Reviewed])); err != nil {
			return fmt.Errorf("write the packets: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write the packets: %w", err)
	}
	if c.write && len(bps) > 0 {
		if err := c.markReviewed(ctx, data, bps, today); err != nil {
			return err
		}
	}
	if due {
		return &exitError{code: 2, silent: true}
	}
	return nil
}

// history reads the configuration as of each review day: the file at the last
// commit on or before that day (gitrev.AsOf, one walk of the history for every
// day), each commit parsed once, several at a time.
func (c *reviewCmd) history(ctx context.Context, days []portal.Date) (map[portal.Date]*review.Past, error) {
	pasts := map[portal.Date]*review.Past{}
	if len(days) == 0 {
		return pasts, nil
	}
	before := make([]time.Time, len(days))
	for i, d := range days {
		before[i] = d.AddDays(1).Time() // on or before the end of that day, UTC
	}
	commits, err := gitrev.AsOf(ctx, c.file.file, before)
	if err != nil {
		return nil, fmt.Errorf("%w (review compares each blueprint's audience with the file as of its last review, from git: run it in a clone of the repository with its history)", err)
	}
	l, err := c.loader(c.file, schema.NoPolicy(), schema.NoLints())
	if err != nil {
		return nil, err
	}
	// Each commit is parsed once, however many days it answers for.
	type read struct {
		cfg  *portal.Config
		note string
		err  error
	}
	var distinct []string
	for _, h := range commits {
		if h != "" && !slices.Contains(distinct, h) {
			distinct = append(distinct, h)
		}
	}
	reads := make([]read, len(distinct))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, h := range distinct {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			reads[i].cfg, reads[i].note, reads[i].err = c.readAt(ctx, l, h)
		}()
	}
	wg.Wait()
	for i, d := range days {
		h := commits[i]
		if h == "" {
			pasts[d] = review.NoPast(d, "", "no commit of "+c.file.file+" on or before that day")
			continue
		}
		r := reads[slices.Index(distinct, h)]
		switch {
		case r.err != nil:
			return nil, r.err
		case r.cfg == nil:
			pasts[d] = review.NoPast(d, h, r.note)
		default:
			pasts[d] = review.NewPast(d, h, r.cfg)
		}
	}
	return pasts, nil
}

// readAt loads the layout of the file at commit h, or says why there is none
// to compare with.
func (c *reviewCmd) readAt(ctx context.Context, l *schema.Loader, h string) (*portal.Config, string, error) {
	snap, err := gitrev.Open(ctx, c.file.file, h)
	if err != nil {
		return nil, "", err
	}
	data, err := snap.ReadFile(ctx, c.file.file)
	switch {
	case errors.Is(err, gitrev.ErrFileNotFound):
		return nil, "the file did not exist at that commit", nil
	case err != nil:
		return nil, "", err
	}
	cfg, ds := l.Load(ctx, c.file.file, data, snap)
	if ds.HasErrors() || cfg == nil {
		for _, d := range ds {
			if d.Severity == diag.Error {
				return nil, fmt.Sprintf("the file at that commit does not load (%s: %s)", d.Pos, d.Message), nil
			}
		}
		return nil, "the file at that commit does not load", nil
	}
	return cfg, "", nil
}

// markReviewed sets reviewed: today on bps in the files that hold them; each
// file is replaced whole or not at all, and only if it has not changed since
// it was read.
func (c *reviewCmd) markReviewed(ctx context.Context, data []byte, bps []*portal.Blueprint, today portal.Date) error {
	l, err := c.loader(c.file)
	if err != nil {
		return err
	}
	names := make([]string, len(bps))
	for i, b := range bps {
		names[i] = b.Name
	}
	files, ds, err := l.MarkReviewed(ctx, c.file.file, data, c.file.files(), names, today)
	switch {
	case err != nil:
		return err
	case ds.HasErrors():
		return c.reportProblems(c.file, ds)
	}
	var written []string
	for _, f := range files {
		err := atomicfile.ReplaceIfUnchanged(f.Name, f.Before, f.After)
		if err == nil {
			written = append(written, f.Name)
			continue
		}
		done := "nothing was written"
		if len(written) > 0 {
			done = "written before it: " + strings.Join(written, ", ") + "; the files after it were not written"
		}
		if errors.Is(err, atomicfile.ErrChanged) {
			return fmt.Errorf("write %s: it changed since it was read, so %s (the other edit is kept): run `portalctl review --write` again", f.Name, done)
		}
		return fmt.Errorf("write %s: %w (%s)", f.Name, err, done)
	}
	if len(written) == 0 {
		fmt.Fprintf(c.stderr, "reviewed: is %s already on %s.\n", today, plural(len(bps), "blueprint"))
		return nil
	}
	fmt.Fprintf(c.stderr, "Set reviewed: %s on %s in %s.\n", today, plural(len(bps), "blueprint"), strings.Join(written, ", "))
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
