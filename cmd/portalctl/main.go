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

	"github.com/qovery/portalctl/suggest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &app{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		now:    time.Now,
		build:  readBuildInfo(),
		isTerminal: func(f any) bool {
			if file, ok := f.(*os.File); ok {
				return term.IsTerminal(int(file.Fd()))
			}
			return false
		},
		termWidth: func(f any) int {
			if file, ok := f.(*os.File); ok {
				if w, _, err := term.GetSize(int(file.Fd())); err == nil {
					return w
				}
			}
			return 0
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
	// termWidth is the width of the terminal w is, or 0.
	termWidth func(any) int
	// confirm reads the answer to apply's question; nil means read a line from stdin.
	confirm func(prompt string) (bool, error)
	// build is the binary's version, for `version` and the API client's User-Agent.
	build buildInfo
}

// command is one subcommand: it parses its own flags and runs.
type command interface {
	flags() *pflag.FlagSet
	run(ctx context.Context, args []string) error
}

// argCompleter is a command whose positional arguments come from a fixed set, for
// shell completion.
type argCompleter interface {
	completeArgs() []string
}

type commandInfo struct {
	name    string
	args    string // the positional arguments in the usage line, e.g. " [EMAIL]"
	summary string
	example string
	make    func(a *app) command
}

// commands is the one table of subcommands: dispatch, help and shell completion all
// read it.
func commands() []commandInfo {
	return []commandInfo{
		{"validate", "", "check portal.yaml against the schema, the semantic rules and the lints", validateExample, func(a *app) command { return newValidate(a) }},
		{"plan", "", "show what apply would change in the portal, and who gains or loses access", planExample, func(a *app) command { return newPlan(a) }},
		{"apply", "", "make the portal match portal.yaml (or a saved plan)", applyExample, func(a *app) command { return newApply(a) }},
		{"preview", "", "show a pull request's access changes, offline, from git", previewExample, func(a *app) command { return newPreview(a) }},
		{"export", "", "write the live portal as a portal.yaml", exportExample, func(a *app) command { return newExport(a) }},
		{"access", " [EMAIL]", "show what a member sees, or who sees a blueprint", accessExample, func(a *app) command { return newAccess(a) }},
		{"expire", "", "list the entries whose access has expired; --write deletes them from the file", expireExample, func(a *app) command { return newExpire(a) }},
		{"sync", "", "bring changes made in the portal into the files; --write writes them, in place", syncExample, func(a *app) command { return newSync(a) }},
		{"review", "", "write the access review packets of the blueprints due; --write sets their reviewed: date", reviewExample, func(a *app) command { return newReview(a) }},
		{"codeowners", "", "print the CODEOWNERS lines of the root file and its fragments, or --check a CODEOWNERS file", codeownersExample, func(a *app) command { return newCodeowners(a) }},
		{"schema", "", "print the JSON schema of portal.yaml (for editors and other validators)", schemaExample, func(a *app) command { return newSchema(a) }},
		{"completion", " bash|zsh|fish", "print a shell completion script", completionExample, func(a *app) command { return newCompletion(a) }},
		{"version", "", "print the version, the commit and the Go version of this build", versionExample, func(a *app) command { return newVersion(a) }},
		{"help", " [COMMAND]", "show the help of a command", helpExample, func(a *app) command { return newHelp(a) }},
	}
}

func lookupCommand(name string) (commandInfo, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return commandInfo{}, false
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
	if len(args) == 0 {
		usage(a.stdout, commands())
		return 0
	}
	switch args[0] {
	case "-h", "--help":
		usage(a.stdout, commands())
		return 0
	case "--version":
		args = []string{"version"}
	}
	c, ok := lookupCommand(args[0])
	if !ok {
		fmt.Fprintf(a.stderr, "portalctl: unknown command %q%s\nRun 'portalctl --help' for the list of commands.\n", args[0], didYouMean(args[0]))
		return 1
	}
	if now := a.now; now != nil {
		// One reading of the clock per run: every check that depends on the
		// date sees the same day, and a plan is stamped with it.
		t := now()
		a.now = func() time.Time { return t }
	}
	cmd := c.make(a)
	fs := cmd.flags()
	fs.SetOutput(io.Discard) // parse errors are printed below, once
	fs.Usage = func() { commandUsage(a.stdout, c, fs) }
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(a.stderr, "portalctl %s: %v\nRun 'portalctl help %s' for usage.\n", c.name, err, c.name)
		return 1
	}
	return exitCode(a, c.name, cmd.run(ctx, fs.Args()))
}

// didYouMean suggests the closest command names to a mistyped one.
func didYouMean(name string) string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	s := suggest.Closest(name, names, 2)
	if len(s) == 0 {
		return ""
	}
	return fmt.Sprintf("; did you mean %s?", strings.Join(s, " or "))
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
