// Command portalctl keeps the access configuration of a Qovery AI Builder Portal in
// git: it validates portal.yaml, plans and applies it against the portal's API, and
// previews a pull request's access changes offline.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &app{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		now:    time.Now,
		isTerminal: func(f any) bool {
			if file, ok := f.(*os.File); ok {
				return term.IsTerminal(int(file.Fd()))
			}
			return false
		},
	})
	stop()
	os.Exit(code)
}

// app is what every command gets from the outside world; tests build their own.
type app struct {
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
	getenv     func(string) string
	now        func() time.Time
	isTerminal func(any) bool
	// confirm reads the answer to apply's question; nil means read a line from stdin.
	confirm func(prompt string) (bool, error)
}

// command is one subcommand: it parses its own flags and runs.
type command interface {
	flags() *pflag.FlagSet
	run(ctx context.Context, args []string) error
}

type commandInfo struct {
	name    string
	summary string
	example string
	make    func(a *app) command
}

func commands() []commandInfo {
	return []commandInfo{
		{"validate", "check portal.yaml against the schema, the semantic rules and the lints", validateExample, func(a *app) command { return newValidate(a) }},
		{"plan", "show what apply would change in the portal, and who gains or loses access", planExample, func(a *app) command { return newPlan(a) }},
		{"apply", "make the portal match portal.yaml (or a saved plan)", applyExample, func(a *app) command { return newApply(a) }},
		{"preview", "show a pull request's access changes, offline, from git", previewExample, func(a *app) command { return newPreview(a) }},
		{"export", "write the live portal as a portal.yaml", exportExample, func(a *app) command { return newExport(a) }},
		{"access", "show what a member sees, or who sees a blueprint", accessExample, func(a *app) command { return newAccess(a) }},
		{"expire", "list the entries whose access has expired; --write deletes them from the file", expireExample, func(a *app) command { return newExpire(a) }},
	}
}

// exitError carries an exit code other than 1 up to main, or a failure that has
// already been reported (silent).
type exitError struct {
	code   int
	silent bool
	err    error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// errReported says the failure was already printed; exit 1 without another message.
var errReported = &exitError{code: 1, silent: true}

func run(ctx context.Context, args []string, a *app) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(a.stdout)
		return 0
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintf(a.stdout, "portalctl %s\n", version)
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		if now := a.now; now != nil {
			// One reading of the clock per run: every check that depends on the
			// date sees the same day, and a plan is stamped with it.
			t := now()
			a.now = func() time.Time { return t }
		}
		cmd := c.make(a)
		fs := cmd.flags()
		fs.SetOutput(a.stderr)
		fs.Usage = func() { commandUsage(a.stdout, c, fs) }
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, pflag.ErrHelp) {
				return 0
			}
			fmt.Fprintf(a.stderr, "portalctl %s: %v\nRun 'portalctl %s --help' for usage.\n", c.name, err, c.name)
			return 1
		}
		return exitCode(a, c.name, cmd.run(ctx, fs.Args()))
	}
	fmt.Fprintf(a.stderr, "portalctl: unknown command %q\n\n", args[0])
	usage(a.stderr)
	return 1
}

func exitCode(a *app, name string, err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.silent && ee.err != nil {
			fmt.Fprintf(a.stderr, "portalctl %s: %v\n", name, ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(a.stderr, "portalctl %s: %v\n", name, err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "portalctl keeps a Qovery AI Builder Portal's members and blueprint access in git.\n\nUsage:\n  portalctl <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'portalctl <command> --help' for a command's flags and an example.\n")
}

func commandUsage(w io.Writer, c commandInfo, fs *pflag.FlagSet) {
	fmt.Fprintf(w, "portalctl %s: %s\n\nExample:\n%s\nFlags:\n%s", c.name, c.summary, indent(c.example), fs.FlagUsages())
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}
