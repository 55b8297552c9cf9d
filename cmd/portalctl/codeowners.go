package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/codeowners"
	"github.com/qovery/portalctl/internal/worktree"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/report"
)

const codeownersExample = `portalctl codeowners -f portal.yaml >> .github/CODEOWNERS
portalctl codeowners --check .github/CODEOWNERS   # in CI: exit 1 when a file has other owners
portalctl codeowners --check .                    # the CODEOWNERS GitHub reads in this repository
`

// codeownersCmd prints the CODEOWNERS lines that give the root file and each
// fragment its declared owners, or checks a CODEOWNERS file against them
// (docs/large-organizations.md#codeowners).
type codeownersCmd struct {
	*app
	file  fileFlags
	check string
}

func newCodeowners(a *app) *codeownersCmd { return &codeownersCmd{app: a} }

func (c *codeownersCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("codeowners", pflag.ContinueOnError)
	c.file.register(fs)
	fs.StringVar(&c.check, "check", "", "check this CODEOWNERS `FILE` instead of printing lines (a directory: the repository whose CODEOWNERS GitHub reads, from .github/, the root or docs/): exit 1 when it does not give each file exactly its declared owners")
	return fs
}

func (c *codeownersCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q: the root file is given with -f", args[0])
	}
	if c.file.file == "-" {
		return errors.New("codeowners names the files of the configuration by their path in the repository: give the root file with -f, not stdin")
	}
	cfg, err := c.loadValid(ctx, c.file)
	if err != nil {
		return err
	}
	entries, err := ownerEntries(cfg.Layout)
	if err != nil {
		return err
	}
	if c.check == "" {
		out, err := codeowners.Lines(entries)
		if err != nil {
			return err
		}
		_, err = c.stdout.Write(out)
		return err
	}
	// A directory is a repository's root: the CODEOWNERS file GitHub reads
	// there is checked.
	if st, err := os.Stat(c.check); err == nil && st.IsDir() {
		found, err := codeowners.Locate(os.DirFS(c.check))
		if err != nil {
			return fmt.Errorf("%s: %w", c.check, err)
		}
		c.check = filepath.Join(c.check, filepath.FromSlash(found))
	}
	data, err := readCodeowners(c.check)
	if err != nil {
		return fmt.Errorf("read the CODEOWNERS file %s: %w", c.check, err)
	}
	problems, err := codeowners.Check(c.check, data, entries)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintf(c.stdout, "%s gives each of the %d files with declared owners exactly those owners.\n", c.check, len(entries))
		return nil
	}
	width := c.textOptions(c.stderr).Width
	for _, p := range problems {
		fmt.Fprint(c.stderr, report.WrapWords(p.String(), width, "", "    "))
	}
	fmt.Fprint(c.stderr, report.WrapWords(fmt.Sprintf("portalctl codeowners: %s in %s; `portalctl codeowners -f %s` prints the lines that give each file its declared owners", plural(len(problems), "problem"), c.check, c.file.file), width, "", "    "))
	return &exitError{code: 1, silent: true}
}

// ownerEntries are the files of layout with declared owners, by their path
// in the repository that holds the root file (outside any, from the root's
// directory): every fragment is inside it (see docs/large-organizations.md),
// whatever a fragment's own directory looks like. A file whose include
// declares none is left out: CODEOWNERS keeps whatever owners its other lines
// give it.
func ownerEntries(layout *portal.Layout) ([]codeowners.Entry, error) {
	absRoot, err := filepath.Abs(layout.Root)
	if err != nil {
		return nil, err
	}
	repo, _ := worktree.Of(filepath.Dir(absRoot))
	var out []codeowners.Entry
	for _, f := range layout.Files {
		owners := layout.Owners(f)
		if len(owners) == 0 {
			continue
		}
		abs, err := filepath.Abs(f.Name)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(repo, abs)
		if err != nil {
			return nil, err
		}
		out = append(out, codeowners.Entry{Path: filepath.ToSlash(rel), Owners: owners})
	}
	return out, nil
}

// readCodeowners reads a CODEOWNERS file: a regular file (a FIFO or a device
// would hang the read, or never end), at most one byte over the size GitHub
// reads, which Check reports as too large.
func readCodeowners(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("it is not a regular file (%s): give the path of the CODEOWNERS file itself", st.Mode().Type())
	}
	return io.ReadAll(io.LimitReader(f, codeowners.MaxSize+1))
}
