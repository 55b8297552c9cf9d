package codeowners

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// randomEntries is a layout of files with odd names (spaces, a trailing one
// too, Unicode, punctuation, names that look like patterns' parts) and random
// owner sets, none included, in random spellings. No path is given twice or
// lies inside another.
func randomEntries(r *rand.Rand) []Entry {
	names := []string{"portal.yaml", "ml.yaml", "data science.yaml", "trailing ", " lead", "ünïcödé", "a+b=c", "(eu)", "x,y;z", "~tilde",
		"!bang", "@at", "$dollar%", "it's", "a&b", "teams", "docs", "-", "..x", "é"}
	dirs := []string{"config", "teams", "a b", "ü", "!x", "@acme", "{c}", "te.ams"}
	owners := []string{"@alice", "@Alice", "@acme/ml-platform", "@ACME/ML-Platform", "@bob_emu", "eve@example.com", "Eve@Example.COM", "o'neil+x@eu.example.co"}
	var out []Entry
	taken := map[string]bool{} // the paths and their directories
	for range 1 + r.IntN(12) {
		parts := make([]string, r.IntN(3))
		for i := range parts {
			parts[i] = dirs[r.IntN(len(dirs))]
		}
		parts = append(parts, names[r.IntN(len(names))])
		p := strings.Join(parts, "/")
		clash := taken[p]
		for i := 1; i < len(parts); i++ {
			clash = clash || slices.ContainsFunc(out, func(e Entry) bool { return e.Path == strings.Join(parts[:i], "/") })
		}
		if clash {
			continue
		}
		for i := 1; i <= len(parts); i++ {
			taken[strings.Join(parts[:i], "/")] = true
		}
		var os []string
		for range r.IntN(4) {
			os = append(os, owners[r.IntN(len(owners))])
		}
		out = append(out, Entry{Path: p, Owners: os})
	}
	return out
}

// paths lists the paths of the problems about entries, and fails t on any
// problem of a line.
func paths(t *testing.T, ps []Problem) []string {
	t.Helper()
	var out []string
	for _, p := range ps {
		if p.Path == "" {
			t.Fatalf("a problem of a line: %s", p)
		}
		out = append(out, p.Path)
	}
	return out
}

// TestRoundTrip: what Lines writes, Check accepts; with a default owner on
// top, removing any one line, or changing its owners, makes Check report
// exactly that file; and respelling an owner in another case changes nothing.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 22))
	for range 300 {
		entries := randomEntries(r)
		if r.IntN(8) == 0 { // a name CODEOWNERS cannot carry: refused, naming it
			bad := &entries[r.IntN(len(entries))]
			bad.Path += []string{"#1", "*", "?", "[1]", `\`, "\t", "\u00a0"}[r.IntN(7)]
			if _, err := Lines(entries); err == nil || !strings.Contains(err.Error(), strconv.Quote(bad.Path)) {
				t.Fatalf("Lines with %q: err = %v, want one naming it", bad.Path, err)
			}
			continue
		}
		data, err := Lines(entries)
		if err != nil {
			t.Fatal(err)
		}
		check := func(data []byte) []string {
			t.Helper()
			ps, err := Check("CODEOWNERS", data, entries)
			if err != nil {
				t.Fatal(err)
			}
			return paths(t, ps)
		}
		if got := check(data); len(got) != 0 {
			t.Fatalf("Check(Lines) reports %q:\n%s", got, data)
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		// A default owner nobody declares: a file whose line is gone falls to it.
		lines = slices.Insert(lines, 1, "* @default-owner")
		for i, e := range entries {
			n := i + 2
			edit := func(l string) []byte {
				c := slices.Clone(lines)
				if l == "" {
					c = slices.Delete(c, n, n+1)
				} else {
					c[n] = l
				}
				return []byte(strings.Join(c, "\n"))
			}
			if got := check(edit("")); !slices.Equal(got, []string{e.Path}) {
				t.Fatalf("without line %q, Check reports %q, want only %s", lines[n], got, e.Path)
			}
			if got := check(edit(lines[n] + " @someone-else")); !slices.Equal(got, []string{e.Path}) {
				t.Fatalf("with an owner added to %q, Check reports %q, want only %s", lines[n], got, e.Path)
			}
			if len(e.Owners) > 0 {
				drop := ownerKey(e.Owners[r.IntN(len(e.Owners))]) // every spelling of it
				fewer := slices.DeleteFunc(slices.Clone(e.Owners), func(o string) bool { return ownerKey(o) == drop })
				if got := check(edit(line(Entry{Path: e.Path, Owners: fewer}))); !slices.Equal(got, []string{e.Path}) {
					t.Fatalf("with %s dropped from %q, Check reports %q, want only %s", drop, lines[n], got, e.Path)
				}
			}
			upper := make([]string, len(e.Owners))
			for k, o := range e.Owners {
				upper[k] = strings.ToUpper(o)
			}
			if got := check(edit(line(Entry{Path: e.Path, Owners: upper}))); len(got) != 0 {
				t.Fatalf("with the owners of %q in capitals, Check reports %q", lines[n], got)
			}
		}
	}
}
