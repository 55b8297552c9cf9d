package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"
)

const versionExample = `portalctl version
portalctl --version
`

// buildInfo is what the binary knows of its own build, from the Go toolchain's build
// information: `go build` in a checkout stamps the VCS revision (and, on a tagged
// commit, the tag as the version), `go install module@version` stamps the module
// version, and `make dist` builds from the release tag with both.
type buildInfo struct {
	version   string // a tag, a pseudo-version, or "devel" when nothing was stamped
	revision  string // the commit, when built in a checkout
	modified  bool   // the checkout had uncommitted changes
	goVersion string
	platform  string // GOOS/GOARCH
}

// readBuildInfo reads the running binary's build information.
func readBuildInfo() buildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return buildInfo{version: "devel"}
	}
	return parseBuildInfo(bi)
}

func parseBuildInfo(bi *debug.BuildInfo) buildInfo {
	b := buildInfo{version: bi.Main.Version, goVersion: bi.GoVersion}
	if b.version == "" || b.version == "(devel)" {
		b.version = "devel"
	}
	var goos, goarch string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.revision = s.Value
		case "vcs.modified":
			b.modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	if goos != "" && goarch != "" {
		b.platform = goos + "/" + goarch
	}
	return b
}

// String is the line `portalctl version` prints, e.g.
// "portalctl v1.2.0 (commit 0123abcd…, modified) go1.26.8 linux/amd64".
func (b buildInfo) String() string {
	var s strings.Builder
	s.WriteString("portalctl " + b.version)
	if b.revision != "" {
		s.WriteString(" (commit " + b.revision)
		if b.modified {
			s.WriteString(", modified")
		}
		s.WriteString(")")
	}
	for _, part := range []string{b.goVersion, b.platform} {
		if part != "" {
			s.WriteString(" " + part)
		}
	}
	return s.String()
}

// versionCmd prints the build information.
type versionCmd struct{ *app }

func newVersion(a *app) *versionCmd { return &versionCmd{app: a} }

func (c *versionCmd) flags() *pflag.FlagSet {
	return pflag.NewFlagSet("version", pflag.ContinueOnError)
}

func (c *versionCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	fmt.Fprintln(c.stdout, c.build.String())
	return nil
}
