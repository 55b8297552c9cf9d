// Package schema turns the bytes of a portal.yaml into the portal model: it
// reads the file (ReadFileMax: within a size limit, and only a regular file
// inside its repository), parses the YAML with positions, applies the embedded
// JSON schema (portal.schema.json) and the checks no schema can express, and
// builds the model, reporting every problem at its file:line:column. It also
// writes the model back (Marshal), reads the emulator's seeds (Seed) and deletes
// expired entries from a file in place (Expire, with package yamledit).
//
// What a file may cost is bounded by package guard, before it is parsed and
// before its model is built; the lints, the policy: section's checks and the
// expiry reminders are package lint's, which Parse runs on the model it built.
package schema

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"go.yaml.in/yaml/v4"
	"go.yaml.in/yaml/v4/plugin/loaderlimits"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/guard"
	"github.com/qovery/portalctl/internal/worktree"
	"github.com/qovery/portalctl/lint"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/suggest"
)

// DefaultMaxProblems is how many problems are kept; the others are counted.
const DefaultMaxProblems = 1000

// Loader validates portal.yaml files. It holds the compiled schema so that loading
// many files compiles it once. A Loader is safe for concurrent use.
type Loader struct {
	schema *jsonschema.Schema
	fast   *fastSchema
	// fragment is the schema of a fragment (fragment.overlay.json): what an
	// include names.
	fragment    *fastSchema
	format      format
	maxSize     int64
	maxProblems int
	noLints     bool
	noPolicy    bool
	// today is the day the date checks are made on (expiry reminders,
	// max_expiry_days); zero: none are made.
	today      portal.Date
	expiryWarn int
}

// Option configures a Loader.
type Option func(*Loader)

// MaxFileSize sets the largest file accepted, in bytes (guard.DefaultMaxFileSize
// when n <= 0).
func MaxFileSize(n int64) Option {
	return func(l *Loader) {
		if n > 0 {
			l.maxSize = n
		}
	}
}

// MaxProblems sets how many problems are kept; the rest are counted in one more
// diagnostic (DefaultMaxProblems when n <= 0).
func MaxProblems(n int) Option {
	return func(l *Loader) {
		if n > 0 {
			l.maxProblems = n
		}
	}
}

// NoLints skips the lints (warnings): for a file read only to be compared with,
// as the base of a preview.
func NoLints() Option {
	return func(l *Loader) { l.noLints = true }
}

// NoPolicy skips the checks of the file's policy: section (its rules are still
// read into the model): for a file read only to be compared with, as the base
// of a preview, whose own violations are not the change's.
func NoPolicy() Option {
	return func(l *Loader) { l.noPolicy = true }
}

// Today is the day the checks that depend on the date are made on: the expiry
// reminders and the policy's max_expiry_days. Commands pass their clock's day;
// without it, those checks are not made.
func Today(d portal.Date) Option {
	return func(l *Loader) { l.today = d }
}

// DefaultExpiryWarning is how many days before an entry expires validate starts
// to say so.
const DefaultExpiryWarning = 14

// ExpiryWarning sets how many days before an entry expires a reminder is given
// (DefaultExpiryWarning unless set; 0 only once it has expired).
func ExpiryWarning(days int) Option {
	return func(l *Loader) { l.expiryWarn = max(days, 0) }
}

// New compiles the embedded schema.
func New(opts ...Option) (*Loader, error) {
	l := &Loader{format: format{name: "portal"}, maxSize: guard.DefaultMaxFileSize, maxProblems: DefaultMaxProblems, expiryWarn: DefaultExpiryWarning}
	for _, o := range opts {
		o(l)
	}
	if err := l.compile(); err != nil {
		return nil, err
	}
	return l, nil
}

// With is a loader with opts applied on top of l's, sharing its compiled schema,
// so that a command parsing several files with other options (preview: the base
// without its policy enforced) compiles the schema once. An option that chooses
// another format (Seed) compiles that format's. A Loader is never changed once
// made: several goroutines may parse with one.
func (l *Loader) With(opts ...Option) (*Loader, error) {
	c := *l
	for _, o := range opts {
		o(&c)
	}
	if c.format.name != l.format.name {
		if err := c.compile(); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// compile compiles the schema of the loader's format, and of its fragments.
func (l *Loader) compile() error {
	s, err := compile(l.format)
	if err != nil {
		return err
	}
	l.schema, l.fast = s, newFastSchema(s)
	f, err := compile(fragmentFormat())
	if err != nil {
		return err
	}
	l.fragment = newFastSchema(f)
	return nil
}

// ReadFileMax reads path ("-" reads stdin), refusing a file over max bytes before
// reading it whole (commands give --max-file-size, guard.DefaultMaxFileSize
// unless raised). A path is read only when it is a regular file inside the
// repository that holds it (see openInside): a link out of it, a FIFO, a device
// or a directory is refused without being read. It is the one reader of a
// portal.yaml from disk; bytes from git are checked by Parse alone.
func ReadFileMax(path string, stdin io.Reader, max int64) ([]byte, error) {
	if path != "-" {
		return readFileIn(path, filepath.Dir(path), max)
	}
	if stdin == nil {
		return nil, errors.New("read standard input: not available here")
	}
	data, err := readAll(stdin, 0, max)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// readFileIn is ReadFileMax of a file path that must be inside the repository
// that holds the directory dir (outside any, inside dir).
func readFileIn(path, dir string, max int64) ([]byte, error) {
	f, st, err := openInside(path, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	if st.Size() > max {
		msg, hint := guard.TooLarge(st.Size(), max)
		return nil, fmt.Errorf("read %s: %s: %s", path, msg, hint)
	}
	data, err := readAll(f, st.Size(), max)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

// openInside opens path for reading only when it is a regular file inside the
// repository that holds the directory dir (worktree.Of; dir is path's own for
// a root file, the root file's for a fragment), and returns what the open file is.
// A symbolic link, the file's own or a directory's on its way, is followed only
// when where it leads stays inside, and never into a .git directory, which holds
// the checkout's credentials. Anything else is refused, naming the file and why,
// before it is opened: a pull request that turns portal.yaml into a link to a
// runner's ~/.git-credentials must not get it read, parsed and quoted back.
//
// What is opened is checked, not only what was looked at: it is opened through
// the repository's root (os.Root), which no link leaves whatever is swapped
// meanwhile (a directory on the way turned into a link out), and the open file
// must be the very regular file found inside, so a link or file swapped between
// the checks and the open is refused too. It is opened without blocking, so a
// FIFO swapped in meanwhile cannot hang the read.
func openInside(path, dir string) (*os.File, fs.FileInfo, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	lst, err := os.Lstat(path)
	if err != nil {
		return nil, nil, err
	}
	link := lst.Mode()&fs.ModeSymlink != 0
	root, inRepo := worktree.Of(absDir)
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if link {
			target, _ := os.Readlink(abs)
			return nil, nil, fmt.Errorf("it is a symbolic link to %s, which does not exist (or loops): refused; commit the file itself, or a link to a file inside the repository", target)
		}
		return nil, nil, err
	}
	if where := worktree.Outside(realRoot, real, inRepo); where != "" {
		how := "it is"
		switch relAbs, _ := filepath.Rel(root, abs); {
		case link:
			target, _ := os.Readlink(abs)
			how = "it is a symbolic link to " + target
			if target != real {
				how += " (" + real + ")"
			}
			how += ","
		case filepath.Join(realRoot, relAbs) != real:
			how = "it leads, through a symbolic link on its way, to " + real + ","
		}
		return nil, nil, fmt.Errorf("%s %s %s: refused without reading it; commit the file itself, or a link to a file inside the repository", how, where, root)
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, notRegular(st.Mode(), link)
	}
	f, err := openIn(realRoot, real)
	if err != nil {
		return nil, nil, err
	}
	opened, err := f.Stat()
	switch {
	case err != nil:
		f.Close()
		return nil, nil, err
	case !opened.Mode().IsRegular():
		f.Close()
		return nil, nil, notRegular(opened.Mode(), link)
	case !os.SameFile(st, opened):
		f.Close()
		return nil, nil, errors.New("it changed while it was being opened (a file or a link replaced): refused; run again")
	}
	return f, opened, nil
}

// openIn opens real, a path without links inside the directory realRoot, for
// reading without blocking, through an os.Root of realRoot: a link swapped in on
// the way since real was resolved is followed only while it stays inside.
func openIn(realRoot, real string) (*os.File, error) {
	rel, err := filepath.Rel(realRoot, real)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(realRoot)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	var pe *fs.PathError
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return nil, err
	case errors.As(err, &pe):
		err = pe.Err // the path is the caller's to name
	}
	return nil, fmt.Errorf("it changed while it was being opened (%v: a directory on its way replaced by a link out of %s?): refused without reading it; run again", err, realRoot)
}

// notRegular refuses a file that is not a regular one, by what it is.
func notRegular(m fs.FileMode, link bool) error {
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	if link {
		what = "a symbolic link to " + what
	}
	return fmt.Errorf("it is %s, not a regular file: refused without reading it; give the path of the configuration file itself", what)
}

// readAll reads r to its end into a buffer of size hint, grown if r holds more,
// and refuses more than max bytes. Growing a buffer from nothing by doubling, as
// io.ReadAll does, costs several copies of a large file.
func readAll(r io.Reader, hint, max int64) ([]byte, error) {
	data := make([]byte, 0, min(hint, max)+512)
	lr := io.LimitReader(r, max+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > max {
			msg, hint := guard.TooLarge(-1, max)
			return nil, fmt.Errorf("%s: %s", msg, hint)
		}
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Parse checks data, naming file in every diagnostic: a configuration in one
// file. A file that includes others is read with Load, which reads them too;
// here its include: section is an error.
func (l *Loader) Parse(file string, data []byte) (*portal.Config, diag.List) {
	return l.Load(context.Background(), file, data, nil)
}

// parsed is one file of a configuration, parsed: its YAML tree, and the
// values holding a hidden control (reported already).
type parsed struct {
	file   string
	data   []byte
	size   int
	root   *yaml.Node
	hidden map[*yaml.Node]bool
	nodes  int
	// include is the index of the include naming the file; -1 for the root.
	include int
}

// parse checks data as far as one file can be checked alone: its size, its
// YAML, and its hidden controls. It reports into ds and
// returns nil when nothing more can be read out of the file. Its shape is the
// caller's to check, against the root's schema or a fragment's.
func (l *Loader) parse(file string, data []byte, ds *diag.Collector) *parsed {
	start := portal.Pos{File: file, Line: 1, Col: 1}
	if len(bytes.TrimSpace(data)) == 0 {
		ds.Add(start, diag.Error, "empty-file", "the file is empty", "start with `version: 1`, then `members:` and `blueprints:`")
		return nil
	}
	if int64(len(data)) > l.maxSize {
		msg, hint := guard.TooLarge(int64(len(data)), l.maxSize)
		ds.Add(start, diag.Error, "too-large", msg, hint)
		return nil
	}
	if !guard.FitsParse(file, data, ds) {
		return nil
	}
	root, ok := parseYAML(file, data, ds)
	if !ok {
		return nil
	}
	hidden := &hiddenWalk{file: file, data: data, ds: ds}
	sv := guard.Survey(root, hidden.scalar)
	if sv.Deep != nil {
		ds.Add(nodePos(file, sv.Deep), diag.Error, "too-complex", fmt.Sprintf("the document is too complex: nested deeper than %d levels", guard.MaxDepth), guard.TooComplexHint)
		return nil
	}
	if sv.Aliases {
		if n, err := guard.CheckAliases(root, sv.Nodes); err != nil {
			ds.Add(nodePos(file, n), diag.Error, "too-complex", "the document is "+err.Error(), guard.TooComplexHint)
			return nil
		}
	}
	return &parsed{file: file, data: data, size: len(data), root: root, hidden: hidden.found, nodes: sv.Nodes, include: -1}
}

// check builds the model of the parsed files (the root first) and runs the
// lints and the policy on it. The budget of the model is checked first, over
// every file, since a group written in one file expands in another's blueprints.
func (l *Loader) check(docs []*parsed, layout *portal.Layout, ds *diag.Collector) *portal.Config {
	if !guard.FitsModel(docs[0].file, totalSize(docs), modelSize(docs), ds) {
		return nil
	}
	cfg, f := l.build(docs, layout, ds)
	// The lints read the model and what build noted of where things are
	// written (lint.Facts): lint never sees the YAML, so it imports nothing of
	// schema's.
	if !l.format.seed && !l.noPolicy {
		lint.Policy(cfg, f, l.today, ds)
	}
	if !l.format.seed && !l.noLints {
		lint.Check(cfg, f, ds)
		lint.Remind(cfg, l.today, l.expiryWarn, ds)
		lint.Reviews(cfg, l.today, ds)
	}
	return cfg
}

// totalSize is how many bytes the files hold together.
func totalSize(docs []*parsed) int {
	n := 0
	for _, d := range docs {
		n += d.size
	}
	return n
}

// modelSize counts what the model of the documents will hold, for
// guard.FitsModel: members, group entries, and blueprint rules with groups
// expanded (each rule kind says how many rules a value grants), and where the
// blueprint with the most rules is. Groups are shared by every file, so they
// are counted first.
func modelSize(docs []*parsed) guard.Model {
	var m guard.Model
	groupSize := map[string]int{}
	sizeOf := func(group string) int { return groupSize[group] }
	type bps struct {
		file string
		n    *yaml.Node
	}
	var blueprints []bps
	for _, d := range docs {
		m.Nodes += d.nodes
		for _, p := range pairs(deref(d.root)) {
			switch keyString(p.k) {
			case "members":
				m.Members += int64(len(items(p.v)))
			case "groups":
				for _, g := range pairs(p.v) {
					n := len(items(g.v))
					groupSize[keyString(g.k)] = n
					m.Entries += int64(n)
				}
			case "blueprints":
				blueprints = append(blueprints, bps{d.file, p.v})
			}
		}
	}
	most := int64(-1)
	var worst *yaml.Node
	worstFile := docs[0].file
	for _, b := range blueprints {
		for _, bp := range pairs(b.n) {
			n := int64(0)
			for _, f := range pairs(bp.v) {
				if kind := ruleKindOf(keyString(f.k)); kind != nil {
					for _, e := range items(f.v) {
						n += int64(kind.grants(sizeOf, e.Value))
					}
				}
			}
			m.Rules += n
			if n > most {
				most, worst, worstFile = n, bp.k, b.file
			}
		}
	}
	m.Worst = nodePos(worstFile, worst)
	return m
}

func closest(name string, allowed []string) string {
	if c := suggest.Closest(name, allowed, 1); len(c) > 0 {
		return c[0]
	}
	return ""
}

// parseYAML parses the one document data must hold, with the nesting limit.
func parseYAML(file string, data []byte, ds *diag.Collector) (*yaml.Node, bool) {
	tooDeep := false
	limits := yaml.WithPlugin(loaderlimits.New(loaderlimits.DepthFunc(func(depth int, _ *loaderlimits.DepthContext) error {
		if depth > guard.MaxDepth {
			tooDeep = true
			return fmt.Errorf("nested deeper than %d levels", guard.MaxDepth)
		}
		return nil
	})))
	dec, err := yaml.NewLoader(bytes.NewReader(data), limits)
	if err != nil {
		ds.Add(portal.Pos{File: file, Line: 1, Col: 1}, diag.Error, "yaml-syntax", "cannot read YAML: "+err.Error(), "")
		return nil, false
	}
	var root yaml.Node
	if err := dec.Load(&root); err != nil {
		if errors.Is(err, io.EOF) {
			// Only comments, or a lone "---": nothing to check.
			ds.Add(portal.Pos{File: file, Line: 1, Col: 1}, diag.Error, "empty-file", "the file holds no YAML document", "start with `version: 1`, then `members:` and `blueprints:`")
			return nil, false
		}
		ds.Append(syntaxError(file, data, err, tooDeep))
		return nil, false
	}
	var extra yaml.Node
	switch err := dec.Load(&extra); {
	case err == nil:
		ds.Add(nodePos(file, &extra), diag.Error, "multiple-documents", "the file holds more than one YAML document", "remove the `---` separator: a portal.yaml is one document")
		return nil, false
	case !errors.Is(err, io.EOF):
		ds.Append(syntaxError(file, data, err, tooDeep))
		return nil, false
	}
	return &root, true
}
