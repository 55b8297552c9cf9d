package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/report"
)

const topExample = `export QOVERY_API_TOKEN=…                       # the portal API token, never a flag
export QOVERY_ORGANIZATION_ID=…                 # or organization: in portal.yaml
portalctl validate -f portal.yaml
portalctl plan -f portal.yaml --out portal.plan
portalctl apply --plan portal.plan
`

// usage writes the top-level help.
func usage(w io.Writer, cmds []commandInfo) {
	fmt.Fprint(w, "portalctl keeps a Qovery AI Builder Portal's members and blueprint access in git.\n\n")
	fmt.Fprint(w, "Usage:\n  portalctl <command> [flags] [arguments]\n  portalctl help <command>\n\nCommands:\n")
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(w, "\nExample:\n%s\nFlags:\n", indent(topExample))
	writeFlagRows(w, [][2]string{{"-h, --help", "show this help"}, {"    --version", "print the version, the commit and the Go version of this build"}})
	fmt.Fprint(w, "\nRun 'portalctl help <command>' (or 'portalctl <command> --help') for its flags and an example.\n")
}

// commandUsage writes one command's help: what it does, an example, its flags.
func commandUsage(w io.Writer, c commandInfo, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "portalctl %s: %s\n\nUsage:\n  portalctl %s [flags]%s\n\nExample:\n%s\nFlags:\n",
		c.name, c.summary, c.name, c.args, indent(c.example))
	var rows [][2]string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		rows = append(rows, [2]string{flagSynopsis(f), flagHelp(f)})
	})
	rows = append(rows, [2]string{"-h, --help", "show this help"})
	writeFlagRows(w, rows)
}

// writeFlagRows aligns "synopsis  help" rows; synopses without a shorthand are
// indented so that long names line up.
func writeFlagRows(w io.Writer, rows [][2]string) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s   %s\n", width, r[0], r[1])
	}
}

// flagSynopsis is "-o, --output FORMAT", "    --file FILE" or "    --debug" (a switch:
// booleans take no value).
func flagSynopsis(f *pflag.Flag) string {
	s := "    --" + f.Name
	if f.Shorthand != "" {
		s = "-" + f.Shorthand + ", --" + f.Name
	}
	if p := placeholder(f); p != "" {
		s += " " + p
	}
	return s
}

// flagHelp is the flag's usage text with its default, when the default says something.
// Backquotes in usage texts quote code; unlike pflag, they never name the placeholder.
func flagHelp(f *pflag.Flag) string {
	help := f.Usage
	if isSwitch(f) {
		return help
	}
	switch f.DefValue {
	case "", "0", "[]":
		return help
	}
	if f.Value.Type() == "string" {
		return fmt.Sprintf("%s (default %q)", help, f.DefValue)
	}
	return fmt.Sprintf("%s (default %s)", help, f.DefValue)
}

// isSwitch says whether the flag is given without a value (--debug, not --debug=true).
func isSwitch(f *pflag.Flag) bool {
	return f.Value.Type() == "bool" && f.NoOptDefVal != ""
}

// placeholder names the value a flag takes, for help and completion: the name of the
// thing for the flags every command shares, else derived from the value's type and the
// flag's name (--max-removals N, --blueprint NAME). Switches take none.
func placeholder(f *pflag.Flag) string {
	if isSwitch(f) {
		return ""
	}
	switch f.Name {
	case "file":
		return "FILE"
	case "organization":
		return "ID"
	case "output":
		return "FORMAT"
	case "out", "plan":
		return "PLAN"
	case "base":
		return "REF"
	case "blueprint":
		return "NAME"
	case "api-url":
		return "URL"
	}
	switch f.Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "N"
	case "float32", "float64":
		return "NUMBER"
	case "duration":
		return "DURATION"
	case "bool":
		return "true|false"
	}
	name := f.Name
	if i := strings.LastIndexByte(name, '-'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToUpper(name)
}

// outputFormats lists the values of a command's -o/--output flag: the report formats
// its usage text names, in order ("output format: text or json; with --all also
// csv"), so that help and completion come from one place. It is nil for commands
// without the flag.
func outputFormats(fs *pflag.FlagSet) []string {
	f := fs.Lookup("output")
	if f == nil {
		return nil
	}
	known := map[string]bool{}
	for _, k := range []report.Format{report.Text, report.JSON, report.Markdown, report.GitHub, report.CSV} {
		known[string(k)] = true
	}
	var names []string
	words := strings.FieldsFunc(f.Usage, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-')
	})
	for _, w := range words {
		if known[w] && !slices.Contains(names, w) {
			names = append(names, w)
		}
	}
	return names
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

const helpExample = `portalctl help plan      # the same as: portalctl plan --help
`

// helpCmd prints the top-level help, or a command's.
type helpCmd struct{ *app }

func newHelp(a *app) *helpCmd { return &helpCmd{app: a} }

func (c *helpCmd) flags() *pflag.FlagSet {
	return pflag.NewFlagSet("help", pflag.ContinueOnError)
}

func (c *helpCmd) completeArgs() []string {
	var names []string
	for _, ci := range commands() {
		names = append(names, ci.name)
	}
	return names
}

func (c *helpCmd) run(ctx context.Context, args []string) error {
	switch len(args) {
	case 0:
		usage(c.stdout, commands())
		return nil
	case 1:
	default:
		return fmt.Errorf("unexpected argument %q: give one command", args[1])
	}
	ci, ok := lookupCommand(args[0])
	if !ok {
		return fmt.Errorf("unknown command %q%s", args[0], didYouMean(args[0]))
	}
	commandUsage(c.stdout, ci, ci.make(c.app).flags())
	return nil
}
