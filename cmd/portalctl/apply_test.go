package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfirmed: apply's question takes exactly "yes", the line without its
// line ending, for an answer; anything else is no.
func TestConfirmed(t *testing.T) {
	for _, tc := range []struct {
		name string
		line string
		want bool
	}{
		{"yes", "yes\n", true},
		{"yes, CRLF", "yes\r\n", true},
		{"a space before", " yes\n", false},
		{"a space after", "yes \n", false},
		{"a tab after", "yes\t\n", false},
		{"capitals", "YES\n", false},
		{"a capital", "Yes\n", false},
		{"y", "y\n", false},
		{"yes!", "yes!\n", false},
		{"two line endings", "yes\r\r\n", false},
		{"empty", "\n", false},
		{"no", "no\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := confirmed(tc.line); got != tc.want {
				t.Errorf("confirmed(%q) = %v, want %v", tc.line, got, tc.want)
			}
		})
	}
}

// TestApplyConfirmationTyped: the answer typed at the terminal, read by apply
// itself: only "yes" applies; " yes" changes nothing.
func TestApplyConfirmationTyped(t *testing.T) {
	seed := readTestdata(t, "seed.yaml")
	for _, tc := range []struct {
		typed    string
		wantCode int
		want     string
	}{
		{" yes\n", 1, "apply cancelled: nothing was changed"},
		{"yes \n", 1, "apply cancelled: nothing was changed"},
		{"YES\n", 1, "apply cancelled: nothing was changed"},
		{"y\n", 1, "apply cancelled: nothing was changed"},
		{"yes\n", 0, "10 done, 0 failed"},
	} {
		t.Run(strings.TrimSpace(tc.typed)+"/"+tc.typed, func(t *testing.T) {
			p := startPortal(t, seed)
			state := func() string {
				b, err := json.Marshal(p.emu.State())
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			before := state()
			r := cli{env: p.env, terminal: true, stdin: tc.typed}.run(t, "apply", "-f", filepath.Join("testdata", "portal.yaml"))
			if r.code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, "Only 'yes' is accepted") || !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("output lacks the question or %q:\n%s\n%s", tc.want, r.stdout, r.stderr)
			}
			if changed := state() != before; changed != (tc.wantCode == 0) {
				t.Errorf("the portal changed: %v, want %v", changed, tc.wantCode == 0)
			}
		})
	}
}
