package codeowners

import (
	"strings"
	"testing"
)

// FuzzCheck reads arbitrary CODEOWNERS files: Check never panics, reports
// every problem with a message, a hint and a line inside the file, and a file
// that Lines wrote followed by the fuzzed text still decides by its last
// matching line. Inputs are capped, so that each run is bounded in time and
// memory.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"", "* @a", "/teams/ml.yaml @acme/ml # comment", "\uFEFF# x\r\n/teams/ @a\r\n/teams/ml.yaml\r\n",
		"!x @a", "/a[b] @a", `\#x @a`, "/a#b @a", `/my\ team/ @a`, "/**/ml.yaml @a\n/**/ @b", "teams/*/ @a x@y.z",
		"/ @a", "/a\\", "\xff @a", "docs/* @a\n*.yaml\t@b\t#c",
	} {
		f.Add(s, "teams/ml.yaml")
	}
	f.Fuzz(func(t *testing.T, text, path string) {
		if len(text) > 4096 || len(path) > 256 {
			t.Skip()
		}
		entries := []Entry{{Path: path, Owners: []string{"@acme/ml"}}}
		if validEntries(entries) != nil {
			entries = []Entry{{Path: "teams/ml.yaml", Owners: []string{"@acme/ml"}}}
		}
		ps, err := Check("CODEOWNERS", []byte(text), entries)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(strings.TrimPrefix(text, "\uFEFF"), "\n") + 1
		for _, p := range ps {
			if p.Message == "" || p.Hint == "" || p.Pos.Line < 0 || p.Pos.Line > lines {
				t.Fatalf("%+v: no message, no hint, or a line outside the file", p)
			}
		}
		// The fuzzed text, then what Lines writes: Lines' line is last to match.
		data, err := Lines(entries)
		if err != nil {
			t.Fatal(err)
		}
		ps, err = Check("CODEOWNERS", append([]byte(text+"\n"), data...), entries)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Path != "" {
				t.Fatalf("Lines' line is last, yet: %s", p)
			}
		}
	})
}
