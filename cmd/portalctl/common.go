package main

import (
	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/report"
	"github.com/qovery/portalctl/schema"
)

// fileFlags are the flags every command that reads portal.yaml shares.
type fileFlags struct {
	file   string
	strict bool
}

func (f *fileFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&f.file, "file", "f", "portal.yaml", "the portal configuration file (\"-\" reads stdin)")
	fs.BoolVar(&f.strict, "strict", false, "treat lint warnings as errors")
}

// color says whether w gets ANSI colours: only on a terminal, never with NO_COLOR.
func (a *app) color(w any) bool {
	if a.getenv("NO_COLOR") != "" || a.getenv("TERM") == "dumb" {
		return false
	}
	return a.isTerminal != nil && a.isTerminal(w)
}

// parse reads and checks the configuration file, printing its problems to stderr.
// It fails, already reported, when the file is invalid.
func (a *app) parse(f fileFlags) (*portal.Config, diag.List, error) {
	data, err := schema.ReadFile(f.file, a.stdin)
	if err != nil {
		return nil, nil, err
	}
	return a.parseBytes(f.file, data, f.strict)
}

func (a *app) parseBytes(name string, data []byte, strict bool) (*portal.Config, diag.List, error) {
	l, err := schema.New()
	if err != nil {
		return nil, nil, err
	}
	cfg, ds := l.Parse(name, data)
	if strict {
		ds = ds.Strict()
	}
	return cfg, ds, nil
}

// loadValid is parse for commands that need a valid file: problems go to stderr,
// and errors stop the command.
func (a *app) loadValid(f fileFlags) (*portal.Config, error) {
	cfg, ds, err := a.parse(f)
	if err != nil {
		return nil, err
	}
	if len(ds) > 0 {
		_ = report.Diagnostics(a.stderr, report.Text, ds, report.DiagOptions{File: f.file, Color: a.color(a.stderr), Max: 20})
	}
	if ds.HasErrors() {
		return nil, errReported
	}
	return cfg, nil
}
