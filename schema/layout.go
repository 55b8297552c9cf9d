package schema

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/codeowners"
	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/guard"
	"github.com/qovery/portalctl/portal"
)

// Files reads the fragments a root file's include: section names: from the
// disk (Disk), or as they are at a git revision (preview's base). Names are as
// the root file's name was given, joined with the include's path; Glob has the
// semantics of filepath.Glob (no **), and lists regular files and links, which
// ReadFile judges.
type Files interface {
	ReadFile(ctx context.Context, name string) ([]byte, error)
	Glob(ctx context.Context, pattern string) ([]string, error)
}

// Disk reads fragments from the file system as ReadFileMax reads the root: a
// regular file within MaxSize bytes, inside the repository of the root file
// Root (outside any, inside Root's directory). The repository is the root's,
// not the one a fragment's own directory seems to be in: a directory on the
// glob's way that is a link to another checkout leaves the root's repository.
type Disk struct {
	MaxSize int64
	Root    string // the root file's name, as given to Load
}

// ReadFile reads name, refusing what ReadFileMax refuses and a file outside
// the root file's repository.
func (d Disk) ReadFile(ctx context.Context, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d.Root == "" || d.Root == "-" {
		return nil, fmt.Errorf("read %s: the root file is not known, so neither is the repository its fragments must be in", name)
	}
	return readFileIn(name, filepath.Dir(d.Root), d.MaxSize)
}

// Glob lists the files and links matching pattern, not directories.
func (d Disk) Glob(ctx context.Context, pattern string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	names, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	out := names[:0]
	for _, n := range names {
		if st, err := os.Lstat(n); err == nil && !st.IsDir() {
			out = append(out, n)
		}
	}
	return out, nil
}

// MaxFragments is how many files a root may include in all.
const MaxFragments = 5000

// fragmentHint says what a fragment may hold.
const fragmentHint = "a fragment holds only members, groups, blueprints and organization_members; version, organization, policy, codeowners and include belong in the root file"

// Load checks the root file data, named root, and every file its include:
// section names, read through files (nil: the root may not include any, as a
// plan's desired state or standard input), and merges them into one model
// (docs/large-organizations.md). Every diagnostic names the file that holds
// what it is about. Fragments are parsed concurrently.
func (l *Loader) Load(ctx context.Context, root string, data []byte, files Files) (*portal.Config, diag.List) {
	cfg, ds, _ := l.load(ctx, root, data, files)
	return cfg, ds
}

// load is Load, returning also the files as parsed: what an edit of them
// (Expire) starts from.
func (l *Loader) load(ctx context.Context, root string, data []byte, files Files) (*portal.Config, diag.List, []*parsed) {
	ds := &diag.Collector{Max: l.maxProblems}
	doc := l.parse(root, data, ds)
	if doc == nil {
		return nil, ds.List(), nil
	}
	l.fast.check(root, doc.root, doc.hidden, ds)
	layout := &portal.Layout{Root: root, Files: []portal.File{{Name: root, Include: -1}}}
	incs := l.includes(root, doc, layout, ds)
	docs := []*parsed{doc}
	if len(incs) > 0 {
		if files == nil {
			ds.Add(incs[0].at, diag.Error, "include-not-read", "this file includes others, which cannot be read here (standard input, or a saved plan's desired state)",
				"give the root file by its path (-f portal.yaml) so that its includes are read beside it")
			return nil, ds.List(), nil
		}
		frags, ok := l.fragments(ctx, root, len(data), files, incs, layout, ds)
		if !ok {
			return nil, ds.List(), nil
		}
		docs = append(docs, frags...)
	}
	cfg := l.check(docs, layout, ds)
	return cfg, ds.List(), docs
}

// include is one entry of the root's include: section, as read before the
// fragments are: where it is written, and its path or glob.
type include struct {
	at   portal.Pos // of the path's value
	path string
	idx  int // in Layout.Includes
}

// includes reads the root's codeowners: and include: sections into layout,
// reporting an include the loader will not follow: absolute, leaving the root
// file's directory, or not a valid glob. It returns the includes to follow.
func (l *Loader) includes(root string, doc *parsed, layout *portal.Layout, ds *diag.Collector) []include {
	var out []include
	for _, p := range pairs(deref(doc.root)) {
		switch keyString(p.k) {
		case "codeowners":
			layout.Codeowners = owners(root, p.v, doc.hidden, ds)
		case "include":
			for _, item := range items(p.v) {
				inc := portal.Include{Pos: nodePos(root, item)}
				var pathNode *yaml.Node
				for _, f := range pairs(item) {
					switch keyString(f.k) {
					case "path":
						pathNode = deref(f.v)
					case "codeowners":
						inc.Codeowners = owners(root, f.v, doc.hidden, ds)
					case "blueprints":
						inc.Blueprints = stringsOf(f.v, doc.hidden)
						for _, g := range items(f.v) {
							if _, err := path.Match(g.Value, ""); err != nil {
								ds.Add(nodePos(root, g), diag.Error, "invalid-include", fmt.Sprintf("blueprint glob %s is malformed: %v", diag.Quote(g.Value), err),
									"write a blueprint's name, or a glob with * and ? (ml-*); close every [")
							}
						}
					case "members":
						inc.Members = deref(f.v).Value == "true"
					}
				}
				if pathNode == nil || !isString(pathNode) || doc.hidden[pathNode] {
					continue // the schema reported it
				}
				inc.Path = pathNode.Value
				at := nodePos(root, pathNode)
				inc.Pos = at
				layout.Includes = append(layout.Includes, inc)
				if r, ok := firstNonASCII(inc.Path); ok {
					ds.Add(at, diag.Warning, "non-ascii", fmt.Sprintf("include %s contains the non-ASCII character %q (%U): a look-alike names another file than the one you read", diag.Quote(inc.Path), r, r),
						"retype the path in plain ASCII if that was meant")
				}
				if msg, hint := badInclude(inc.Path); msg != "" {
					ds.Add(at, diag.Error, "invalid-include", msg, hint)
					continue
				}
				out = append(out, include{at: at, path: inc.Path, idx: len(layout.Includes) - 1})
			}
		}
	}
	return out
}

// firstNonASCII is the first character of s beyond ASCII.
func firstNonASCII(s string) (rune, bool) {
	for _, r := range s {
		if r >= utf8.RuneSelf {
			return r, true
		}
	}
	return 0, false
}

// badInclude says why a root may not include p, or nothing.
func badInclude(p string) (msg, hint string) {
	const below = "write a path relative to the root file's directory and below it, as teams/ml.yaml or teams/*.yaml"
	switch {
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p) || filepath.VolumeName(p) != "":
		return fmt.Sprintf("include %s is an absolute path: the configuration would depend on where it is checked out", diag.Quote(p)), below
	case strings.Contains(p, `\`):
		return fmt.Sprintf("include %s holds a backslash", diag.Quote(p)), "separate directories with /; " + below
	case slices.Contains(strings.Split(p, "/"), ".."):
		return fmt.Sprintf("include %s leaves the root file's directory: fragments live beside the root file or below it, inside the repository", diag.Quote(p)), below
	case strings.Contains(p, "**"):
		return fmt.Sprintf("include %s uses **, which matches no deeper than *", diag.Quote(p)), "write one * per directory level (teams/*/*.yaml), or list each directory"
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Sprintf("include %s is a malformed glob: %v", diag.Quote(p), err), "close every [ of the glob, or escape it with \\"
	}
	return "", ""
}

// fragments finds the files each include matches and parses them, reporting
// at the include one that matches nothing, that matches a file another
// include or the root already is, or that cannot be read. ok is false when the
// layout could not be read whole: what it holds cannot be judged. The root's
// rootSize bytes and the fragments' together are within the loader's size
// limit; once over it, no more fragments are read or parsed.
func (l *Loader) fragments(ctx context.Context, root string, rootSize int, files Files, incs []include, layout *portal.Layout, ds *diag.Collector) ([]*parsed, bool) {
	type fragment struct {
		name string
		inc  int
	}
	dir := filepath.Dir(root)
	if root == "-" {
		dir = "."
	}
	var todo []fragment
	byName := map[string]include{filepath.Clean(root): {at: portal.Pos{File: root}}}
	ok := true
	for _, inc := range incs {
		idx := inc.idx
		names, err := files.Glob(ctx, filepath.Join(dir, filepath.FromSlash(inc.path)))
		if err != nil {
			ds.Add(inc.at, diag.Error, "invalid-include", fmt.Sprintf("cannot list the files of include %s: %v", diag.Quote(inc.path), err), "")
			ok = false
			continue
		}
		if len(names) == 0 {
			ds.Add(inc.at, diag.Error, "include-matches-nothing", fmt.Sprintf("include %s matches no file", diag.Quote(inc.path)),
				"correct the path (relative to the root file's directory), or remove the include")
			ok = false
			continue
		}
		for _, n := range names {
			key := filepath.Clean(n)
			if first, dup := byName[key]; dup {
				what := "the root file itself"
				if first.at.Line > 0 {
					what = "a file the include at " + first.at.String() + " matches already"
				}
				ds.Add(inc.at, diag.Error, "include-twice", fmt.Sprintf("include %s matches %s, %s", diag.Quote(inc.path), n, what),
					"give each file one include: narrow the glob, or remove one of the two")
				ok = false
				continue
			}
			byName[key] = inc
			todo = append(todo, fragment{n, idx})
		}
	}
	if len(todo) > MaxFragments {
		ds.Add(incs[0].at, diag.Error, "too-many-fragments", fmt.Sprintf("the includes match %d files, over the %d a configuration may be read from", len(todo), MaxFragments),
			"gather fragments into fewer files: one per owning team")
		return nil, false
	}
	if !ok {
		return nil, false
	}
	out := make([]*parsed, len(todo))
	lists := make([]diag.List, len(todo))
	var total atomic.Int64 // of the root and the fragments read
	total.Store(int64(rootSize))
	var skipped atomic.Bool // a fragment left unread, the total over already
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				f := todo[i]
				if total.Load() > l.maxSize {
					skipped.Store(true)
					continue
				}
				fds := &diag.Collector{Max: l.maxProblems}
				data, err := files.ReadFile(ctx, f.name)
				if err != nil {
					at := layout.Includes[f.inc].Pos
					fds.Add(at, diag.Error, "unreadable-fragment", fmt.Sprintf("cannot read %s, which include %s matches: %s", f.name, diag.Quote(layout.Includes[f.inc].Path), readError(err)),
						"fix the file, or narrow the include")
					lists[i] = fds.List()
					continue
				}
				if total.Add(int64(len(data))) > l.maxSize {
					continue // reported below, once
				}
				if noDocument(data) {
					// A fragment with nothing yet (its include written
					// first, as when adopting a layout: sync --write fills
					// it) adds nothing.
					out[i] = &parsed{file: f.name, data: data, size: len(data), root: &yaml.Node{Kind: yaml.MappingNode}, include: f.inc}
					lists[i] = fds.List()
					continue
				}
				if p := l.parse(f.name, data, fds); p != nil {
					l.fragment.check(f.name, rootOnly(p, fds), p.hidden, fds)
					p.include = f.inc
					out[i] = p
				}
				lists[i] = fds.List()
			}
		}()
	}
	for i := range todo {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if sum := total.Load(); sum > l.maxSize {
		if skipped.Load() {
			sum = -1 // its size is not known: not every fragment was read
		}
		msg, hint := guard.TooLarge(sum, l.maxSize)
		msg = strings.Replace(strings.Replace(msg, "the file is", "they are", 1), "the input is", "they are", 1)
		ds.Add(incs[0].at, diag.Error, "too-large", "the root file and its fragments together are over the limit: "+msg, hint)
		return nil, false
	}
	for i, f := range todo {
		ds.Append(lists[i]...)
		if out[i] == nil {
			ok = false
		}
		layout.Files = append(layout.Files, portal.File{Name: f.name, Include: f.inc})
	}
	return out, ok
}

// noDocument reports whether data holds no YAML document: nothing, or only
// blank lines and comments, after a byte order mark if any (as an editor may
// save a file with nothing yet).
func noDocument(data []byte) bool {
	for line := range bytes.Lines(bytes.TrimPrefix(data, []byte("\ufeff"))) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' && string(t) != "---" && string(t) != "..." {
			return false
		}
	}
	return true
}

// rootOnly reports the keys of fragment p that only a root file may hold, and
// returns its document without them, for the fragment's schema to check the
// rest.
func rootOnly(p *parsed, ds *diag.Collector) *yaml.Node {
	doc := deref(p.root)
	if doc == nil || doc.Kind != yaml.MappingNode {
		return p.root
	}
	var rest []*yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k := doc.Content[i]
		switch name := keyString(k); name {
		case "version", "organization", "policy", "codeowners", "include":
			ds.Add(nodePos(p.file, k), diag.Error, "root-only-key", fmt.Sprintf("%s belongs in the root file, not in a fragment", diag.Quote(name)), fragmentHint)
		default:
			rest = append(rest, k, doc.Content[i+1])
		}
	}
	if len(rest) == len(doc.Content) {
		return p.root
	}
	trimmed := *doc
	trimmed.Content = rest
	return &trimmed
}

// readError is err without the name the reader put first: the message names
// the file already.
func readError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "read ") {
		return msg[i+2:]
	}
	return msg
}

// owners reads a codeowners: list, reporting an owner GitHub would not take.
func owners(file string, n *yaml.Node, hidden map[*yaml.Node]bool, ds *diag.Collector) []string {
	var out []string
	for _, e := range items(n) {
		if e = deref(e); !isString(e) || hidden[e] {
			continue
		}
		if err := codeowners.ValidOwner(e.Value); err != nil {
			ds.Add(nodePos(file, e), diag.Error, "invalid-owner", fmt.Sprintf("owner %s: %v", diag.Quote(e.Value), err), "write a GitHub user (@login), a team (@org/team) or an email address")
			continue
		}
		out = append(out, e.Value)
	}
	return out
}

// stringsOf is the strings of a list, skipping what is not one (the schema
// reported it) or holds a hidden control.
func stringsOf(n *yaml.Node, hidden map[*yaml.Node]bool) []string {
	var out []string
	for _, e := range items(n) {
		if e = deref(e); isString(e) && !hidden[e] {
			out = append(out, e.Value)
		}
	}
	return out
}
