package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
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
	// The past days are read while today's file is parsed (see dayReader).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the reads on an error
	r, err := c.newDayReader()
	if err != nil {
		return err
	}
	var hints []portal.Date
	if len(c.blueprints) == 0 {
		// Named blueprints are reviewed on a few of the file's days, not all.
		hints = reviewedHints(data, c.today())
	}
	// Today's file takes one of the cores the reads share while it parses.
	r.sem <- struct{}{}
	r.prefetch(ctx, hints)
	// The collector's limit for the parse allows for the past files loaded
	// beside it, on the other cores, each of about the same size: a limit
	// for one file would have it collect without end.
	parses := 1
	if len(hints) > 0 {
		parses = cap(r.sem)
	}
	restore := c.limitMemory(parses * len(data))
	cfg, ds, err := c.parseBytes(ctx, c.file.file, data, c.file)
	restore()
	<-r.sem
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
	w, err := review.NewWriter(c.stdout, format, bk.Header(bps, c.file.file, owner), review.Options{Width: c.textOptions(c.stdout).Width})
	if err != nil {
		return err
	}
	if err := c.packets(ctx, r, bk, bps, w); err != nil {
		return err
	}
	due := false
	for _, b := range bps {
		st, _ := review.StateOf(b, bk.Every(), today)
		due = due || st.IsDue()
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

// aheadPerCore bounds how many packets are built ahead of the one being
// written, per core: enough to keep the cores busy, few enough that memory holds
// a handful of packets whatever the number of blueprints.
const aheadPerCore = 4

// packets builds the packet of each of bps, lays it out and writes it with w,
// in order. The file as of each review day (see history) is read while the
// packets of blueprints that need no comparison, or whose day is read already,
// are built and laid out: everything runs at once on every core, the writer
// taking the laid-out packets in order.
func (c *reviewCmd) packets(ctx context.Context, r *dayReader, bk *review.Book, bps []*portal.Blueprint, w *review.Writer) error {
	days := review.Days(bps)
	names := map[portal.Date][]string{} // the blueprints each day's packets compare
	for _, b := range bps {
		if !b.Reviewed.IsZero() {
			names[b.Reviewed] = append(names[b.Reviewed], b.Name)
		}
	}
	pasts, err := c.history(ctx, r, bk, days, names)
	if err != nil {
		return err
	}
	// Once the last packet of a day is built, its configuration is let go.
	left := map[portal.Date]*atomic.Int32{}
	for _, d := range days {
		left[d] = &atomic.Int32{}
	}
	for _, b := range bps {
		if !b.Reviewed.IsZero() {
			left[b.Reviewed].Add(1)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // a failed write stops the builders
	cores := max(1, runtime.GOMAXPROCS(0))
	queue := make(chan chan review.Rendered, aheadPerCore*cores)
	sem := make(chan struct{}, cores)
	errs := make(chan error, 1)
	go func() {
		defer close(queue)
		for _, b := range bps {
			out := make(chan review.Rendered, 1)
			select {
			case queue <- out:
			case <-ctx.Done():
				return
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				close(out)
				return
			}
			go func() {
				defer func() { <-sem }()
				var past *review.Past
				if d := b.Reviewed; !d.IsZero() {
					f := pasts[d]
					<-f.done
					if f.err != nil {
						select {
						case errs <- f.err:
						default:
						}
						close(out)
						return
					}
					past = f.past.Load()
					if left[d].Add(-1) == 0 {
						f.past.Store(nil)
					}
				}
				laid, err := w.Render(bk.Packet(b, past))
				if err != nil {
					select {
					case errs <- fmt.Errorf("write the packets: %w", err):
					default:
					}
					close(out)
					return
				}
				out <- laid
			}()
		}
	}()
	written := 0
	stopped := func() error {
		return fmt.Errorf("stopped, the output incomplete (%d of %s laid out): %w", written, plural(len(bps), "packet"), context.Cause(ctx))
	}
	for out := range queue {
		laid, ok := <-out
		if !ok {
			// A builder that failed said why before it gave up; the queue
			// gives up on a packet, saying nothing, only once stopped.
			select {
			case err := <-errs:
				return err
			default:
				return stopped()
			}
		}
		if err := w.WriteRendered(laid); err != nil {
			return fmt.Errorf("write the packets: %w", err)
		}
		written++
	}
	if ctx.Err() != nil {
		return stopped()
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write the packets: %w", err)
	}
	return nil
}

// pastRead is the configuration as of one review day, once read.
type pastRead struct {
	done chan struct{} // closed once past or err is set
	past atomic.Pointer[review.Past]
	err  error
}

// commitRead is the file at one commit, being loaded.
type commitRead struct {
	done   chan struct{} // closed once cfg, note or err is set
	cancel context.CancelFunc
	cfg    *portal.Config // nil with a note: nothing to compare with
	note   string
	err    error
}

// dayReader reads the file as of review days from git: the commit of each day
// (gitrev.AsOf), each commit loaded once however many days it answers for, as
// many at a time as there are cores.
//
// Its reads can start before today's file is parsed, from the days a byte scan
// finds in it (see reviewedHints): the parse of today's file takes as long as
// the parse of a past one, and the review days are written in it. Those days
// are a hint only: the days read are the ones the parsed model names (see
// history), a hinted day it does not name is let go, and a day it names that
// the hint missed is read then.
type dayReader struct {
	c     *reviewCmd
	l     *schema.Loader
	sem   chan struct{}
	ready chan struct{}          // closed once asOf, asOfErr and commits are set
	asOf  map[portal.Date]string // the commit of each hinted day ("" for none)
	// asOfErr is why the hinted days' commits are unknown: history asks again
	// for the days the model names, and reports the error then, if it still is one.
	asOfErr error
	commits map[string]*commitRead // the loads started, by commit
}

// newDayReader is a reader with no read started.
func (c *reviewCmd) newDayReader() (*dayReader, error) {
	l, err := c.loader(c.file, schema.NoPolicy(), schema.NoLints())
	if err != nil {
		return nil, err
	}
	r := &dayReader{c: c, l: l, sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0))), ready: make(chan struct{}),
		asOf: map[portal.Date]string{}, commits: map[string]*commitRead{}}
	return r, nil
}

// prefetch starts, in the background, reading the file as of the days of
// hints (see dayReader); what history then needs is waited for there.
func (r *dayReader) prefetch(ctx context.Context, hints []portal.Date) {
	go func() {
		defer close(r.ready)
		if len(hints) == 0 {
			return
		}
		commits, err := gitrev.AsOf(ctx, r.c.file.file, dayEnds(hints))
		if err != nil {
			r.asOfErr = err
			return
		}
		for i, d := range hints {
			r.asOf[d] = commits[i]
			if commits[i] != "" {
				r.start(ctx, commits[i])
			}
		}
	}()
}

// start starts loading the file at commit h, unless it is started already.
func (r *dayReader) start(ctx context.Context, h string) *commitRead {
	if f, ok := r.commits[h]; ok {
		return f
	}
	ctx, cancel := context.WithCancel(ctx)
	f := &commitRead{done: make(chan struct{}), cancel: cancel}
	r.commits[h] = f
	go func() {
		defer close(f.done)
		select {
		case r.sem <- struct{}{}:
		case <-ctx.Done():
			f.err = context.Cause(ctx)
			return
		}
		f.cfg, f.note, f.err = r.c.readAt(ctx, r.l, h)
		<-r.sem
	}()
	return f
}

// dayEnds is, for each day, the instant it ends (the start of the next, UTC):
// a commit on or before that day is before it.
func dayEnds(days []portal.Date) []time.Time {
	out := make([]time.Time, len(days))
	for i, d := range days {
		out[i] = d.AddDays(1).Time()
	}
	return out
}

// reviewedHints are the days written as `reviewed: YYYY-MM-DD` in data, found
// by a scan of its bytes (not a parse: comments and quoted text count too), that
// are not after today, sorted: a hint of the days a review reads, for
// dayReader.prefetch.
func reviewedHints(data []byte, today portal.Date) []portal.Date {
	const key = "reviewed:"
	set := map[portal.Date]bool{}
	for rest := data; ; {
		i := bytes.Index(rest, []byte(key))
		if i < 0 {
			break
		}
		rest = rest[i+len(key):]
		v := bytes.TrimLeft(rest, " \t\"'")
		if len(v) < len(time.DateOnly) {
			continue
		}
		if d, err := portal.ParseDate(string(v[:len(time.DateOnly)])); err == nil && !today.Before(d) {
			set[d] = true
		}
	}
	return slices.SortedFunc(maps.Keys(set), portal.Date.Compare)
}

// history reads the configuration as of each review day with r: the file at
// the last commit on or before that day (gitrev.AsOf), each commit parsed once;
// of each day it keeps what the packets of the blueprints names lists for that
// day need (Book.NewPast), and lets the rest go. The reads r prefetched for
// days not among days are stopped.
func (c *reviewCmd) history(ctx context.Context, r *dayReader, bk *review.Book, days []portal.Date, names map[portal.Date][]string) (map[portal.Date]*pastRead, error) {
	<-r.ready
	pasts := map[portal.Date]*pastRead{}
	commits := make([]string, len(days))
	var missing []portal.Date // days whose commit the prefetch did not find
	for i, d := range days {
		h, ok := r.asOf[d]
		if !ok || r.asOfErr != nil {
			missing = append(missing, d)
		}
		commits[i] = h
	}
	if len(missing) > 0 {
		found, err := gitrev.AsOf(ctx, c.file.file, dayEnds(missing))
		if err != nil {
			return nil, fmt.Errorf("%w (review compares each blueprint's audience with the file as of its last review, from git: run it in a clone of the repository with its history)", err)
		}
		at := map[portal.Date]string{}
		for i, d := range missing {
			at[d] = found[i]
		}
		for i, d := range days {
			if h, ok := at[d]; ok {
				commits[i] = h
			}
		}
	}
	// Each commit is read once, however many days it answers for.
	byCommit := map[string][]portal.Date{}
	var order []string
	for i, d := range days {
		pasts[d] = &pastRead{done: make(chan struct{})}
		h := commits[i]
		if h == "" {
			pasts[d].past.Store(review.NoPast(d, "", "no commit of "+c.file.file+" on or before that day"))
			close(pasts[d].done)
			continue
		}
		if _, ok := byCommit[h]; !ok {
			order = append(order, h)
		}
		byCommit[h] = append(byCommit[h], d)
	}
	for h, f := range r.commits {
		if _, ok := byCommit[h]; !ok {
			f.cancel() // a hinted day the model does not name
		}
	}
	for _, h := range order {
		f := r.start(ctx, h)
		go func() {
			<-f.done
			for _, d := range byCommit[h] {
				p := pasts[d]
				switch {
				case f.err != nil:
					p.err = f.err
				case f.cfg == nil:
					p.past.Store(review.NoPast(d, h, f.note))
				default:
					p.past.Store(bk.NewPast(d, h, f.cfg, names[d]))
				}
				close(p.done)
			}
			f.cfg = nil
			f.cancel()
		}()
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
	edits := make([]atomicfile.Edit, len(files))
	for i, f := range files {
		edits[i] = atomicfile.Edit{Name: f.Name, Before: f.Before, After: f.After}
	}
	written, err := atomicfile.ReplaceAll(edits)
	if errors.Is(err, atomicfile.ErrChanged) {
		return fmt.Errorf("%w: run `portalctl review --write` again", err)
	} else if err != nil {
		return err
	}
	if len(written) == 0 {
		fmt.Fprintf(c.stderr, "reviewed: is %s already on %s.\n", today, plural(len(bps), "blueprint"))
		return nil
	}
	fmt.Fprintf(c.stderr, "Set reviewed: %s on %s in %s.\n", today, plural(len(bps), "blueprint"), strings.Join(written, ", "))
	return nil
}
