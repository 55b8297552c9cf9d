package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/guard"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

// fileFlags are the flags every command that reads portal.yaml shares.
type fileFlags struct {
	file    string
	strict  bool
	maxSize sizeFlag
	// problems is how many problems the loader keeps (validate raises it to
	// what it shows); 0 means the loader's default.
	problems int
	// expiryWarning is how many days ahead an expiry is announced (validate's
	// --expiry-warning); -1 means the loader's default.
	expiryWarning int
}

func (f *fileFlags) register(fs *pflag.FlagSet) {
	f.expiryWarning = -1
	fs.StringVarP(&f.file, "file", "f", "portal.yaml", "the portal configuration file (\"-\" reads stdin)")
	fs.BoolVar(&f.strict, "strict", false, "treat lint warnings as errors")
	f.maxSize = guard.DefaultMaxFileSize
	fs.Var(&f.maxSize, "max-file-size", fmt.Sprintf("largest portal.yaml accepted, e.g. 96MiB (checking a file may take up to %d times its size in memory)", guard.MemoryFactor))
}

// sizeFlag is a size in bytes, written with a unit: 48MiB, 1GiB, 500KiB, or bytes.
type sizeFlag int64

func (s *sizeFlag) String() string {
	switch n := int64(*s); {
	case n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	default:
		return strconv.FormatInt(n, 10)
	}
}

func (s *sizeFlag) Type() string { return "size" }

func (s *sizeFlag) Set(v string) error {
	num, unit := v, int64(1)
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			num, unit = strings.TrimSuffix(v, u.suffix), u.n
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit {
		return fmt.Errorf("%q is not a size: write a number with a unit, e.g. 96MiB", v)
	}
	*s = sizeFlag(n * unit)
	return nil
}

// today is the day, UTC, by the app's clock: every check that depends on the
// date (expiry, the policy's max_expiry_days) is made on it.
func (a *app) today() portal.Date { return portal.DateOf(a.now()) }

// textOptions are how a report is laid out for w: colours on a terminal (never
// with NO_COLOR), and the width of COLUMNS, else of the terminal, else
// report.DefaultWidth.
func (a *app) textOptions(w any) report.TextOptions {
	o := report.TextOptions{Color: a.color(w), Width: report.DefaultWidth}
	if n, err := strconv.Atoi(strings.TrimSpace(a.getenv("COLUMNS"))); err == nil && n > 0 {
		o.Width = n
	} else if a.termWidth != nil {
		if n := a.termWidth(w); n > 0 {
			o.Width = n
		}
	}
	return o
}

// apiURL is the portal API's base URL the flags and environment give.
func (a *app) apiURL(f apiFlags) string {
	return firstOf(f.apiURL, a.getenv("QOVERY_API_URL"), "https://api.qovery.com")
}

// color says whether w gets ANSI colours: only on a terminal, never with NO_COLOR.
func (a *app) color(w any) bool {
	if a.getenv("NO_COLOR") != "" || a.getenv("TERM") == "dumb" {
		return false
	}
	return a.isTerminal != nil && a.isTerminal(w)
}

// parse reads and checks the configuration: the file, and the files its
// include: section names (docs/large-organizations.md), printing nothing: the
// problems are returned. It fails only when the root file cannot be read.
func (a *app) parse(ctx context.Context, f fileFlags) (*portal.Config, diag.List, error) {
	data, err := schema.ReadFileMax(f.file, a.stdin, int64(f.maxSize))
	if err != nil {
		return nil, nil, err
	}
	defer a.limitMemory(len(data))()
	return a.parseBytes(ctx, f.file, data, f)
}

// parseBytes checks data, the root file named name, with the files it includes.
func (a *app) parseBytes(ctx context.Context, name string, data []byte, f fileFlags) (*portal.Config, diag.List, error) {
	l, err := a.loader(f)
	if err != nil {
		return nil, nil, err
	}
	cfg, ds := parseWith(ctx, l, name, data, f.files(), f.strict)
	return cfg, ds, nil
}

// parseWith loads data, the root file named name, and what it includes through
// files, with l; strict turns its warnings into errors.
func parseWith(ctx context.Context, l *schema.Loader, name string, data []byte, files schema.Files, strict bool) (*portal.Config, diag.List) {
	cfg, ds := l.Load(ctx, name, data, files)
	if strict {
		ds = ds.Strict()
	}
	return cfg, ds
}

// files is where the file's includes are read from: beside it on disk; none
// when it is standard input.
func (f fileFlags) files() schema.Files {
	if f.file == "-" {
		return nil
	}
	return schema.Disk{MaxSize: int64(f.maxSize), Root: f.file}
}

// loader is the loader the file flags ask for, judging dates on the app's day.
func (a *app) loader(f fileFlags, opts ...schema.Option) (*schema.Loader, error) {
	base := []schema.Option{schema.MaxFileSize(int64(f.maxSize)), schema.MaxProblems(f.problems), schema.Today(a.today())}
	if f.expiryWarning >= 0 {
		base = append(base, schema.ExpiryWarning(f.expiryWarning))
	}
	return schema.New(append(base, opts...)...)
}

// limitMemory tells the garbage collector what checking a file of size bytes may
// cost (guard.HeapLimit, within guard.Budget): near that, it collects harder
// rather than let the heap grow to twice what is live. The limit only ever rises,
// and GOMEMLIMIT, when set, wins. It returns what puts the limit back as it was,
// for the caller to call once the file is checked: what comes after (a plan, an
// access impact) costs what the change holds, not what the file does, and a limit
// set for the parse would make the collector run without end.
func (a *app) limitMemory(size int) (restore func()) {
	restore = func() {}
	if a.getenv("GOMEMLIMIT") != "" {
		return restore
	}
	want := guard.HeapLimit(int64(size))
	if want == 0 {
		return restore // a small file: the collector's defaults stay within the budget
	}
	if cur := debug.SetMemoryLimit(-1); cur == math.MaxInt64 || cur < want {
		debug.SetMemoryLimit(want)
		return func() { debug.SetMemoryLimit(cur) }
	}
	return restore
}

// loadValid is parse for commands that need a valid file: problems go to stderr,
// and errors stop the command.
func (a *app) loadValid(ctx context.Context, f fileFlags) (*portal.Config, error) {
	cfg, ds, err := a.parse(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := a.reportProblems(f, ds); err != nil {
		return nil, err
	}
	return cfg, nil
}

// reportProblems prints a file's errors and fails, already reported, or counts
// its warnings in one line.
func (a *app) reportProblems(f fileFlags, ds diag.List) error {
	switch errs, warns := ds.Counts(); {
	case errs > 0:
		_ = report.Diagnostics(a.stderr, report.Text, ds, report.DiagOptions{File: f.file, Color: a.color(a.stderr), Max: 20, Width: a.textOptions(a.stderr).Width})
		return errReported
	case warns > 0:
		noun := "lint warnings"
		if warns == 1 {
			noun = "lint warning"
		}
		fmt.Fprintf(a.stderr, "%s: %d %s; `portalctl validate -f %s` lists them\n", f.file, warns, noun, f.file)
	}
	return nil
}

// maxParallelism bounds --parallelism: more concurrent requests than this only
// earn 429s from the portal.
const maxParallelism = 64

// exampleOrganization is the UUID shown in messages that ask for one.
const exampleOrganization = "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"

// apiFlags are the flags of commands that talk to the portal. check reads them,
// and the environment, once: picked and pickedFrom are the organization they
// name, if any, and where it comes from.
type apiFlags struct {
	apiURL       string
	organization string
	parallelism  int
	debug        bool

	picked, pickedFrom string
}

func (f *apiFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.apiURL, "api-url", "", "portal API base URL (default $QOVERY_API_URL, else https://api.qovery.com)")
	fs.StringVar(&f.organization, "organization", "", "organization id (default $QOVERY_ORGANIZATION_ID, else `organization:` in the file; a file that names another is refused)")
	fs.IntVar(&f.parallelism, "parallelism", reconcile.DefaultParallelism, fmt.Sprintf("concurrent ACL reads and writes (1 to %d)", maxParallelism))
	fs.BoolVar(&f.debug, "debug", false, "log every API request to stderr (the token is never logged)")
}

// check refuses out-of-range flags and a malformed organization id, before any
// file is read or request sent, and keeps the organization the flag, else the
// environment (an empty QOVERY_ORGANIZATION_ID is unset), names. Each command
// calls it once, first; orgFor then weighs the file's organization against it.
func (f *apiFlags) check(getenv func(string) string) error {
	if f.parallelism < 1 || f.parallelism > maxParallelism {
		return fmt.Errorf("--parallelism %d is out of range: write a number from 1 to %d, e.g. --parallelism %d", f.parallelism, maxParallelism, reconcile.DefaultParallelism)
	}
	f.picked, f.pickedFrom = "", ""
	switch env := getenv("QOVERY_ORGANIZATION_ID"); {
	case f.organization != "":
		// The environment is not read when the flag overrides it.
		if !qovery.ValidOrganizationID(f.organization) {
			return fmt.Errorf("--organization %q is not an organization id: write the organization's UUID, e.g. --organization %s", f.organization, exampleOrganization)
		}
		f.picked, f.pickedFrom = f.organization, "--organization "+f.organization
	case env != "":
		if !qovery.ValidOrganizationID(env) {
			return fmt.Errorf("QOVERY_ORGANIZATION_ID=%q is not an organization id: set it to the organization's UUID, e.g. QOVERY_ORGANIZATION_ID=%s", env, exampleOrganization)
		}
		f.picked, f.pickedFrom = env, "QOVERY_ORGANIZATION_ID="+env
	}
	return nil
}

// orgFor is the organization a command acts on: the one the flag or the
// environment names (see check), else the file's, checked with the same UUID
// check. When the flag or the environment names one organization and the file
// another, it refuses both: an apply must not act on an organization the file was
// not written for, nor a file (a pull request may change its organization:) pick
// another than the one the workflow names.
func (f *apiFlags) orgFor(fileOrg string) (string, error) {
	if fileOrg != "" && !qovery.ValidOrganizationID(fileOrg) {
		return "", fmt.Errorf("organization %q in the file is not an organization id: write the organization's UUID, e.g. organization: %s", fileOrg, exampleOrganization)
	}
	// Ids compare as UUIDs: regardless of case.
	if f.picked != "" && fileOrg != "" && !strings.EqualFold(f.picked, fileOrg) {
		return "", fmt.Errorf("%s and `organization: %s` in the file name different organizations: make them the same, or leave one out (remove `organization:` from the file, or unset the flag or variable)", f.pickedFrom, fileOrg)
	}
	org := firstOf(f.picked, fileOrg)
	if org == "" {
		return "", errors.New("no organization: pass --organization or set QOVERY_ORGANIZATION_ID (commands that read portal.yaml also take its `organization:`)")
	}
	return org, nil
}

// client builds the API client of organization org (see apiFlags.orgFor) from
// the flags check has read. The token comes only from QOVERY_API_TOKEN.
func (a *app) client(f *apiFlags, org string) (*qovery.Client, error) {
	token := a.getenv("QOVERY_API_TOKEN")
	if token == "" {
		return nil, errors.New("QOVERY_API_TOKEN is not set: export the portal API token in that variable (it is never read from a flag)")
	}
	opts := qovery.Options{BaseURL: a.apiURL(*f), Token: token, OrganizationID: org, Version: a.build.version}
	if f.debug {
		opts.Logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return qovery.New(opts)
}

// connection is what a command that reads the portal works with: the client, the
// organization's id, the live state, and the organization's client when its
// members were read (nil otherwise).
type connection struct {
	client *qovery.Client
	orgs   *organization.Client
	org    string
	live   *portal.Config
}

// connect builds the client of organization org and reads the live state: the
// portal, and the organization's members when withOrg (the file, or the saved
// plan, has organization_members). Without it, nothing is asked of the
// organization's endpoints. An answer portalctl does not understand stops the
// command here, before anything is written.
func (a *app) connect(ctx context.Context, f *apiFlags, org string, withOrg bool) (*connection, error) {
	client, err := a.client(f, org)
	if err != nil {
		return nil, err
	}
	c := &connection{client: client, org: org}
	if !withOrg {
		c.live, err = reconcile.ReadLive(ctx, client, org, f.parallelism)
	} else if c.orgs, err = organization.New(client.Transport(), org); err == nil {
		c.live, err = reconcile.ReadLiveOrg(ctx, client, c.orgs, org, f.parallelism)
		if errors.Is(err, qovery.ErrForbidden) {
			err = fmt.Errorf("%w; or remove organization_members from portal.yaml to leave the organization's members alone", err)
		}
	}
	if err != nil {
		return nil, refuseUnexpected(err, "nothing was changed")
	}
	return c, nil
}

// refuseUnexpected says of an answer portalctl does not understand (the client's
// *qovery.UnexpectedError, which names the object and what was unexpected) that it
// stopped the command before any write, and what was not done. Other errors pass
// as they are.
func refuseUnexpected(err error, notDone string) error {
	var ue *qovery.UnexpectedError
	if !errors.As(err, &ue) {
		return err
	}
	return fmt.Errorf("%w; %s", ue, notDone)
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// minPlanKey is the shortest PORTALCTL_PLAN_KEY accepted: an HMAC key guessed in a
// few tries protects nothing.
const minPlanKey = 16

// planKey returns the key in PORTALCTL_PLAN_KEY that signs saved plans (plan
// --out) and verifies them (apply --plan), or nil when it is not set. The key
// goes into no output, message or file.
func (a *app) planKey() ([]byte, error) {
	k := a.getenv("PORTALCTL_PLAN_KEY")
	if k == "" {
		return nil, nil
	}
	if len(k) < minPlanKey {
		return nil, fmt.Errorf("PORTALCTL_PLAN_KEY is too short to sign plans: use at least %d random characters, e.g. the output of `openssl rand -hex 32`", minPlanKey)
	}
	return []byte(k), nil
}
