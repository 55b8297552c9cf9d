package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
)

var shells = []string{"bash", "zsh", "fish"}

func TestCompletionGolden(t *testing.T) {
	for _, sh := range shells {
		t.Run(sh, func(t *testing.T) {
			r := cli{env: map[string]string{}}.run(t, "completion", sh)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			testkit.Golden(t, "testdata/completion."+sh, r.stdout)
		})
	}
	for name, args := range map[string][]string{"no shell": {"completion"}, "unknown shell": {"completion", "tcsh"}, "two shells": {"completion", "bash", "zsh"}} {
		t.Run(name, func(t *testing.T) {
			if r := (cli{env: map[string]string{}}).run(t, args...); r.code != 1 || !strings.Contains(r.stderr, "bash, zsh or fish") {
				t.Errorf("exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

// writeCompletion writes the script for sh to a temporary file, or skips the test
// when the shell is not installed (.ci/run installs them all).
func writeCompletion(t *testing.T, sh string) string {
	t.Helper()
	if _, err := exec.LookPath(sh); err != nil {
		t.Skipf("%s is not installed", sh)
	}
	r := cli{env: map[string]string{}}.run(t, "completion", sh)
	if r.code != 0 {
		t.Fatalf("completion %s: exit %d\n%s", sh, r.code, r.stderr)
	}
	path := filepath.Join(t.TempDir(), "portalctl."+sh)
	if err := os.WriteFile(path, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompletionSyntax(t *testing.T) {
	t.Parallel() // a few seconds of shells: alongside the other slow tests
	for _, sh := range shells {
		t.Run(sh, func(t *testing.T) {
			script := writeCompletion(t, sh)
			if out, err := exec.Command(sh, "-n", script).CombinedOutput(); err != nil {
				t.Fatalf("%s -n: %v\n%s", sh, err, out)
			}
		})
	}
}

// completionCases are command lines being completed (the last word is the one under
// the cursor) and the candidates every shell must offer, taken from the command
// table and flag sets themselves.
func completionCases(t *testing.T) []struct {
	name  string
	words []string
	want  []string
} {
	a := &app{}
	specs := map[string]commandSpec{}
	for _, s := range completionSpecs(a) {
		specs[s.name] = s
	}
	formats := func(cmd string) []string {
		c, ok := lookupCommand(cmd)
		if !ok {
			t.Fatalf("no command %s", cmd)
		}
		f := outputFormats(c.make(a).flags())
		if len(f) == 0 {
			t.Fatalf("%s has no -o values", cmd)
		}
		return f
	}
	var allCommands []string
	for _, c := range commands() {
		allCommands = append(allCommands, c.name)
	}
	return []struct {
		name  string
		words []string
		want  []string
	}{
		{"every command", []string{""}, allCommands},
		{"a command by prefix", []string{"pl"}, []string{"plan"}},
		{"commands sharing a prefix", []string{"a"}, []string{"access", "apply"}},
		{"top-level flags", []string{"--"}, []string{"--help", "--version"}},
		{"flags by prefix", []string{"plan", "--o"}, []string{"--organization", "--out", "--output"}},
		{"a command's own flag", []string{"apply", "--auto"}, []string{"--auto-approve"}},
		{"a flag of another command is not offered", []string{"validate", "--auto"}, nil},
		{"plan -o values", []string{"plan", "-o", ""}, formats("plan")},
		{"validate --output values", []string{"validate", "--output", ""}, formats("validate")},
		{"access -o values", []string{"access", "-o", ""}, formats("access")},
		{"preview -o values by prefix", []string{"preview", "-o", "m"}, []string{"markdown"}},
		{"completion shells", []string{"completion", ""}, []string{"bash", "fish", "zsh"}},
		{"help takes a command", []string{"help", "exp"}, []string{"expire", "export"}},
	}
}

// TestCompletionBash runs the bash script's completion function as bash would.
func TestCompletionBash(t *testing.T) {
	t.Parallel() // a few seconds of shells: alongside the other slow tests
	script := writeCompletion(t, "bash")
	for _, tt := range completionCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			words := append([]string{"portalctl"}, tt.words...)
			var quoted []string
			for _, w := range words {
				quoted = append(quoted, bashQuote(w))
			}
			prog := `source "$1"
COMP_WORDS=(` + strings.Join(quoted, " ") + `)
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_portalctl
printf '%s\n' "${COMPREPLY[@]}"`
			out, err := exec.Command("bash", "--norc", "--noprofile", "-c", prog, "bash", script).CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			assertCandidates(t, strings.Fields(string(out)), tt.want)
		})
	}
}

// TestCompletionFish asks fish for the completions of each command line.
func TestCompletionFish(t *testing.T) {
	t.Parallel() // a few seconds of shells: alongside the other slow tests
	script := writeCompletion(t, "fish")
	for _, tt := range completionCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			line := "portalctl " + strings.Join(tt.words, " ")
			cmd := exec.Command("fish", "--no-config", "-c", `source $argv[1]; complete -C $argv[2]`, script, line)
			cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("fish: %v\n%s", err, out)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if cand, _, _ := strings.Cut(l, "\t"); cand != "" {
					got = append(got, cand)
				}
			}
			assertCandidates(t, got, tt.want)
		})
	}
}

// TestCompletionZsh drives an interactive zsh through a pseudo-terminal
// (testdata/complete.zsh): it loads the completion system and the script, presses
// tab after each command line and prints the candidates offered.
func TestCompletionZsh(t *testing.T) {
	t.Parallel() // a few seconds of shells: alongside the other slow tests
	script := writeCompletion(t, "zsh")
	harness, err := filepath.Abs(filepath.Join("testdata", "complete.zsh"))
	if err != nil {
		t.Fatal(err)
	}
	// The first completion writes compinit's dump; the others read it.
	home := t.TempDir()
	env := append(os.Environ(), "HOME="+home, "ZCOMPDUMP="+filepath.Join(home, ".zcompdump"))
	complete := func(t *testing.T, line string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "zsh", "-f", harness, script, line)
		cmd.Env = env
		return cmd.Output()
	}
	if out, err := complete(t, "portalctl "); err != nil {
		t.Fatalf("zsh: %v\n%s", err, out)
	}
	for _, tt := range completionCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			line := "portalctl " + strings.Join(tt.words, " ")
			out, err := complete(t, line)
			if err != nil {
				t.Fatalf("zsh: %v\n%s", err, out)
			}
			assertCandidates(t, strings.Fields(string(out)), tt.want)
		})
	}
}

func assertCandidates(t *testing.T, got, want []string) {
	t.Helper()
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("candidates %q, want %q", got, want)
	}
}

// TestOutputFormatsAreWhatCommandsAccept checks the -o values help and completion
// offer against what each command really accepts: its own error for an unknown
// format lists the formats it takes. Each command runs as its first example shows.
func TestOutputFormatsAreWhatCommandsAccept(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "portal.yaml")
	if err := os.WriteFile(file, []byte(readTestdata(t, "portal.yaml")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range commands() {
		offered := outputFormats(c.make(&app{}).flags())
		if offered == nil {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			args := firstExample(t, c)
			args = append(args, "-f", file, "-o", "no-such-format")
			r := cli{env: map[string]string{}}.run(t, args...)
			_, list, ok := strings.Cut(r.stderr, "unknown output format \"no-such-format\": use one of ")
			if r.code != 1 || !ok {
				t.Fatalf("%q: exit %d, want an unknown-format error\n%s", args, r.code, r.stderr)
			}
			accepted := strings.Split(strings.TrimSpace(list), ", ")
			assertCandidates(t, offered, accepted)
		})
	}
}

// firstExample is the arguments of the first line of c's example that runs it.
func firstExample(t *testing.T, c commandInfo) []string {
	t.Helper()
	for _, line := range strings.Split(c.example, "\n") {
		line, _, _ = strings.Cut(line, "#")
		line, _, _ = strings.Cut(line, ">")
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "portalctl" && f[1] == c.name {
			return f[1:]
		}
	}
	t.Fatalf("no example line runs portalctl %s", c.name)
	return nil
}
