package codeowners

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"testing"
)

func TestCompile(t *testing.T) {
	tests := []struct {
		pattern string
		yes, no []string
	}{
		{"/portal.yaml", []string{"portal.yaml", "portal.yaml/x"}, []string{"a/portal.yaml", "portal.yml", "portal.yaml.bak"}},
		{"portal.yaml", []string{"portal.yaml", "a/b/portal.yaml", "a/portal.yaml/c"}, []string{"portal.yml", "xportal.yaml"}},
		{"teams/ml.yaml", []string{"teams/ml.yaml"}, []string{"config/teams/ml.yaml"}}, // a / inside anchors
		{"*.yaml", []string{"a.yaml", "x/y/a.yaml", ".yaml"}, []string{"a.yml", "a.yaml.txt"}},
		{"/config/", []string{"config/a.yaml", "config/x/y"}, []string{"config", "x/config/a.yaml"}},
		{"config/", []string{"config/a.yaml", "x/config/a.yaml"}, []string{"config", "configs/a"}},
		{"/config", []string{"config", "config/a.yaml"}, []string{"configs/a"}},
		{"notes/*", []string{"notes/a.md"}, []string{"notes/a/b.md", "x/notes/a.md", "notes"}}, // GitHub's documented difference
		{"/*", []string{"portal.yaml"}, []string{"teams/ml.yaml"}},
		{"*", []string{"portal.yaml", "teams/ml.yaml"}, nil},
		{"/notes/*/", []string{"notes/a/b.md", "notes/a/b/c.md"}, []string{"notes/a.md"}},
		{"/c*/", []string{"config/a"}, []string{"config", "x/config/a"}},
		{"notes/*.md", []string{"notes/a.md", "notes/a.md/b"}, []string{"notes/a/b.md"}},
		{"/te?ms/*.yaml", []string{"teams/ml.yaml", "te-ms/a.yaml"}, []string{"tems/ml.yaml", "te/ms/a.yaml"}},
		{"**/logs", []string{"logs", "a/logs", "a/b/logs/x"}, []string{"alogs", "logs2"}},
		{"**/a/b", []string{"a/b", "x/a/a/b", "x/a/b/c"}, []string{"a/x/b"}}, // backtracks over **
		{"/a/**/b", []string{"a/b", "a/x/b", "a/x/y/b/z"}, []string{"x/a/b", "a/bb"}},
		{"/a/**", []string{"a/x", "a/x/y"}, []string{"a", "ab/x"}},
		{"/a/**/", []string{"a/x/y"}, []string{"a/x", "a"}},
		{"**", []string{"a", "a/b"}, nil},
		{"/a**b", []string{"ab", "axxb"}, []string{"a/b"}}, // ** inside a name is *
		{`/my\ team.yaml`, []string{"my team.yaml"}, []string{`my\ team.yaml`, "my"}},
		{`/a\*b`, []string{"a*b"}, []string{"axb"}},
		{"/é/ü.yaml", []string{"é/ü.yaml"}, []string{"e/u.yaml"}},
		{"/?", []string{"é", "a"}, []string{"ab"}},
		{"/Portal.yaml", nil, []string{"portal.yaml"}}, // paths are case sensitive
	}
	for _, tt := range tests {
		re, ok := compile(tt.pattern)
		if !ok {
			t.Fatalf("compile(%q) matches nothing", tt.pattern)
		}
		for _, p := range tt.yes {
			if !re.MatchString(p) {
				t.Errorf("%q does not match %q (%s)", tt.pattern, p, re)
			}
		}
		for _, p := range tt.no {
			if re.MatchString(p) {
				t.Errorf("%q matches %q (%s)", tt.pattern, p, re)
			}
		}
	}
	for _, p := range []string{"/", "//"} {
		if _, ok := compile(p); ok {
			t.Errorf("compile(%q) matches something", p)
		}
	}
}

// oracleMatch is the obvious reading of a pattern, segment by segment, with
// path.Match for each name: the pattern matches the file, or (a directory)
// any of the directories above it; unanchored, starting at any depth.
func oracleMatch(pattern, file string) bool {
	dirOnly := strings.HasSuffix(pattern, "/")
	body := strings.TrimSuffix(pattern, "/")
	anchored := strings.HasPrefix(body, "/") || strings.Contains(strings.TrimPrefix(body, "/"), "/")
	body = strings.TrimPrefix(body, "/")
	segs, names := strings.Split(body, "/"), strings.Split(file, "/")
	lastStar := anchored && !dirOnly && segs[len(segs)-1] == "*" // GitHub: docs/* is the files directly in docs
	starts := 1
	if !anchored {
		starts = len(names)
	}
	for s := range starts {
		for k := s + 1; k <= len(names); k++ { // the pattern covers names[s:k]
			if k == len(names) && dirOnly || k < len(names) && lastStar {
				continue
			}
			if segsMatch(segs, names[s:k]) {
				return true
			}
		}
	}
	return false
}

func segsMatch(segs, names []string) bool {
	if len(segs) == 0 {
		return len(names) == 0
	}
	if segs[0] == "**" {
		least := 0
		if len(segs) == 1 {
			least = 1 // a trailing ** is what is inside, not the directory
		}
		for n := least; n <= len(names); n++ {
			if segsMatch(segs[1:], names[n:]) {
				return true
			}
		}
		return false
	}
	if len(names) == 0 {
		return false
	}
	ok, err := path.Match(segs[0], names[0])
	return err == nil && ok && segsMatch(segs[1:], names[1:])
}

// TestCompileOracle holds the regular expressions to oracleMatch on random
// patterns and paths over a small alphabet, where they collide often.
func TestCompileOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 7))
	patSegs := []string{"a", "b", "ab", "*", "a*", "*b", "?", "??", "**", "a?", `\*`, "a**b", "a b", "é"}
	names := []string{"a", "b", "ab", "ba", "aab", "*", "a b", "é", "éé"}
	pick := func(vs []string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = vs[r.IntN(len(vs))]
		}
		return out
	}
	n, matched := 0, 0
	for range 4000 {
		pattern := strings.Join(pick(patSegs, 1+r.IntN(3)), "/")
		if r.IntN(2) == 0 {
			pattern = "/" + pattern
		}
		if r.IntN(3) == 0 {
			pattern += "/"
		}
		re, ok := compile(pattern)
		if !ok {
			t.Fatalf("compile(%q) matches nothing", pattern)
		}
		for range 10 {
			file := strings.Join(pick(names, 1+r.IntN(4)), "/")
			want := oracleMatch(pattern, file)
			if got := re.MatchString(file); got != want {
				t.Fatalf("%q on %q: got %v, the oracle says %v (%s)", pattern, file, got, want, re)
			}
			n++
			if want {
				matched++
			}
		}
	}
	if matched < n/10 || matched > n-n/10 {
		t.Fatalf("%d of %d pairs match: the inputs do not exercise both outcomes", matched, n)
	}
	t.Log(fmt.Sprintf("%d pairs, %d matching", n, matched))
}
