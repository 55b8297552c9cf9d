// Command portal-dist writes the release archives of portalctl (`make dist` runs it):
// one reproducible archive per binary, named from the version and platform the Go
// toolchain stamped into it, and a SHA-256 checksums file.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/internal/dist"
)

const usage = `Usage: portal-dist --out DIR [--extra FILE]... [--version VERSION] BINARY...

Writes DIR/NAME_VERSION_OS_ARCH.tar.gz (.zip for Windows) for each BINARY, and
DIR/NAME_VERSION_checksums.txt. The entries are dated $SOURCE_DATE_EPOCH, else the
commit time stamped in the binaries.

Example:
  portal-dist --out dist --extra README.md dist/bin/*/portalctl*

Flags:
`

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "portal-dist:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("portal-dist", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	var r dist.Release
	fs.StringVar(&r.Out, "out", "dist", "directory the archives and the checksums file go to")
	fs.StringArrayVar(&r.Extra, "extra", nil, "file added to every archive (repeatable)")
	fs.StringVar(&r.Version, "version", "", "refuse binaries that do not carry this version")
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return err
	}
	r.Binaries = fs.Args()
	if epoch := getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH=%q: %w", epoch, err)
		}
		r.Mtime = time.Unix(sec, 0)
	}
	written, err := r.Write()
	if err != nil {
		return err
	}
	for _, p := range written {
		fmt.Fprintln(stdout, p)
	}
	return nil
}
