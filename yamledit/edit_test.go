package yamledit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
	"go.yaml.in/yaml/v4"
)

// A case file of testdata/edit holds three sections, each opened by a line
// "-- name --": in.yaml, the file edited; edits, one edit a line; out, what
// the editor writes, or "error: ..." when an edit is refused (the file is then
// left as it was). Edits name nodes by path from the document's mapping:
// "members.0.role", "blueprints.web.domains", "." for the mapping itself.
//
//	set PATH TEXT          SetScalar (TEXT is a Go-quoted string)
//	item PATH YAML         InsertItem (YAML Go-quoted: "email: a\nrole: admin")
//	key PATH NAME YAML     InsertKey
//	delkey PATH KEY...     DeleteKeys
//	delitem PATH INDEX...  DeleteItems of the list at PATH, a mapping's value

// section splits a case file into its sections.
func sections(t *testing.T, data string) map[string]string {
	t.Helper()
	out := map[string]string{}
	name := ""
	for _, l := range strings.SplitAfter(data, "\n") {
		if strings.HasPrefix(l, "-- ") && strings.HasSuffix(l, " --\n") {
			name = strings.TrimSuffix(strings.TrimPrefix(l, "-- "), " --\n")
			out[name] = ""
			continue
		}
		if name == "" {
			if strings.TrimSpace(l) != "" {
				t.Fatalf("text before the first section: %q", l)
			}
			continue
		}
		out[name] += l
	}
	return out
}

// lookup finds the node at path (dot-separated keys and indexes) from the
// document's mapping.
func lookup(root *yaml.Node, path string) (*yaml.Node, error) {
	n := root.Content[0]
	if path == "." {
		return n, nil
	}
	for _, part := range strings.Split(path, ".") {
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == part {
					n, found = n.Content[i+1], true
					break
				}
			}
			if !found {
				return nil, fmt.Errorf("no key %s in %s", part, path)
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, fmt.Errorf("no item %s in %s", part, path)
			}
			n = n.Content[i]
		default:
			return nil, fmt.Errorf("%s: %s is a scalar", path, part)
		}
	}
	return n, nil
}

// keyOf is the key node of the entry named name of mapping m.
func keyOf(m *yaml.Node, name string) (*yaml.Node, error) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i], nil
		}
	}
	return nil, fmt.Errorf("no key %s", name)
}

// fields splits an edit line into words, a Go-quoted string being one.
func fields(line string) ([]string, error) {
	var out []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				return nil, err
			}
			s, _ := strconv.Unquote(q)
			out = append(out, s)
			line = line[len(q):]
			continue
		}
		w, rest, _ := strings.Cut(line, " ")
		out = append(out, w)
		line = rest
	}
	return out, nil
}

// applyEdits makes the edits of a case on data, and returns the result or the
// first refusal.
func applyEdits(t *testing.T, data []byte, edits string) ([]byte, error) {
	t.Helper()
	root := parse(t, data)
	ed, err := New(data, root)
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(strings.TrimSpace(edits), "\n") {
		f, err := fields(line)
		if err != nil || len(f) < 2 {
			t.Fatalf("edit %q: %v", line, err)
		}
		n, err := lookup(root, f[1])
		if err != nil {
			t.Fatalf("edit %q: %v", line, err)
		}
		switch {
		case f[0] == "set" && len(f) == 3:
			err = ed.SetScalar(n, f[2])
		case f[0] == "item" && len(f) == 3:
			err = ed.InsertItem(n, f[2])
		case f[0] == "key" && len(f) == 4:
			err = ed.InsertKey(n, f[2], f[3])
		case f[0] == "delkey":
			var keys []*yaml.Node
			for _, name := range f[2:] {
				k, err := keyOf(n, name)
				if err != nil {
					t.Fatalf("edit %q: %v", line, err)
				}
				keys = append(keys, k)
			}
			err = ed.DeleteKeys(n, keys...)
		case f[0] == "delitem":
			i := strings.LastIndex(f[1], ".")
			parent, key := root.Content[0], f[1]
			if i >= 0 {
				parent, _ = lookup(root, f[1][:i])
				key = f[1][i+1:]
			}
			k, err2 := keyOf(parent, key)
			if err2 != nil {
				t.Fatalf("edit %q: %v", line, err2)
			}
			del := make([]bool, len(n.Content))
			for _, s := range f[2:] {
				j, _ := strconv.Atoi(s)
				del[j] = true
			}
			_, err = ed.DeleteItems(k, n, del)
		default:
			t.Fatalf("edit %q: unknown", line)
		}
		if err != nil {
			return nil, err
		}
	}
	return ed.Bytes(), nil
}

// TestEditGolden: each case of testdata/edit, with LF line endings and with
// CRLF ones: the result is the golden one (with the file's line endings), and
// parses; a refusal leaves nothing planned that matters, as the caller writes
// nothing. Run with -update to rewrite the out sections.
func TestEditGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/edit/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s := sections(t, string(raw))
			in, edits := s["in.yaml"], s["edits"]
			got := func(in string) string {
				out, err := applyEdits(t, []byte(in), edits)
				if err != nil {
					return "error: " + err.Error() + "\n"
				}
				var check yaml.Node
				if err := yaml.Unmarshal(out, &check); err != nil {
					t.Errorf("the result does not parse: %v\n%s", err, out)
				}
				return string(out)
			}
			lf := got(in)
			if crlf := got(strings.ReplaceAll(in, "\n", "\r\n")); !strings.HasPrefix(lf, "error: ") && crlf != strings.ReplaceAll(lf, "\n", "\r\n") {
				t.Errorf("with CRLF endings:\n%q\nwith LF:\n%q", crlf, lf)
			}
			testkit.Golden(t, file, "-- in.yaml --\n"+in+"-- edits --\n"+edits+"-- out --\n"+lf)
		})
	}
}

// TestScalar: a string is written plain when it reads back as itself, and
// quoted when it would read as something else.
func TestScalar(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"alice@company.com", "alice@company.com"},
		{"data-science", "data-science"},
		{"é ü", "é ü"},
		{"yes", "'yes'"},
		{"null", "'null'"},
		{"~", "'~'"},
		{"1e3", "'1e3'"},
		{"2026-12-07", "'2026-12-07'"},
		{"*star", "'*star'"},
		{"&a", "'&a'"},
		{"!tag", "'!tag'"},
		{"#x", "'#x'"},
		{"a: b", "'a: b'"},
		{"a #b", "'a #b'"},
		{"x, y", "'x, y'"},
		{"it's", "it's"},
		{"'q", "'''q'"},
		{"", "''"},
		{" lead", "' lead'"},
		{"a\nb", `"a\nb"`},
		{"tab\there", `"tab\there"`},
		{"bell\a", `"bell\x07"`},
	} {
		got := Scalar(tc.in)
		if got != tc.want {
			t.Errorf("Scalar(%q) = %s, want %s", tc.in, got, tc.want)
		}
		for _, doc := range []string{"k: " + got + "\n", "k: [" + got + "]\n", "k: {x: " + got + "}\n"} {
			var v map[string]any
			if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
				t.Fatalf("%q: %v", doc, err)
			}
			var s any = v["k"]
			switch x := s.(type) {
			case []any:
				s = x[0]
			case map[string]any:
				s = x["x"]
			}
			if s != tc.in {
				t.Errorf("%q reads %#v, want %q", doc, s, tc.in)
			}
		}
	}
}

// TestInsertAtEndWithoutNewline: text inserted at the end of a file whose last
// line has no line ending starts with the file's own.
func TestInsertAtEndWithoutNewline(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"version: 1", "version: 1\nmembers:\n  - email: a@b.c\n"},
		{"a: 1\r\nversion: 1", "a: 1\r\nversion: 1\r\nmembers:\r\n  - email: a@b.c\r\n"},
		{"members:", "members:\n  - email: a@b.c\n"},
	} {
		root := parse(t, []byte(tc.in))
		ed, err := New([]byte(tc.in), root)
		if err != nil {
			t.Fatal(err)
		}
		if _, v := entry(root, "members"); v != nil {
			err = ed.InsertItem(v, "email: a@b.c")
		} else {
			err = ed.InsertKey(root, "members", "- email: a@b.c")
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := string(ed.Bytes()); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestEditProperties: anchors and tags written before keys and values, in
// block and flow style, with names that hold ":", "#", quotes or commas (a
// verbatim tag): the edits find where each node's text starts and ends, and
// leave the properties as they were.
func TestEditProperties(t *testing.T) {
	for _, tc := range []struct{ name, in, edits, want string }{
		// Block keys.
		{"empty key anchored with a colon in the name", "&:0:", `set "" "x"`, "&:0: x"},
		{"empty key anchored a:b", "&a:b:\nz: 1\n", `set "" "x"`, "&a:b: x\nz: 1\n"},
		{"empty key tagged and anchored", "!!str &a:\n", `set "" "x"`, "!!str &a: x\n"},
		{"anchored key, null value", "&k k:\n", `item k "a"`, "&k k:\n  - a\n"},
		{"tagged key, null value", "!!str k: ~\n", `item k "a"`, "!!str k:\n  - a\n"},
		{"quoted key with a colon, null value", "'a: b': ~\n", `item "a: b" "x"`, "'a: b':\n  - x\n"},
		{"anchored key, emptied list", "&k k:\n  - a\nz: 1\n", `delitem k 0`, "&k k: []\nz: 1\n"},
		{"anchored key, emptied mapping", "&k:0 m:\n  a: 1\n", `delkey m a`, "&k:0 m: {}\n"},
		// Block values.
		{"anchored value", "k: &a v\n", `set k "x"`, "k: &a x\n"},
		{"anchor with a hash", "k: &a#b v\n", `set k "x"`, "k: &a#b x\n"},
		{"tag and anchor before a quoted value", "k: !!str &a 'it''s'\n", `set k "y"`, "k: !!str &a 'y'\n"},
		{"anchor and tag before a quoted value", "k: &a !!str \"q\"\n", `set k "y"`, "k: &a !!str \"y\"\n"},
		{"value on the line after its anchor", "k: &a\n  v\n", `set k "x"`, "k: &a\n  x\n"},
		{"value after an anchor and a comment", "k: &a # c, d\n  v\n", `set k "x"`, "k: &a # c, d\n  x\n"},
		{"quoted value with doubled quotes", "k: 'a''b'\n", `set k "c"`, "k: 'c'\n"},
		{"block list after a tag and an anchor", "l: !!seq &x\n  - a\n", `item l "b"`, "l: !!seq &x\n  - a\n  - b\n"},
		{"block mapping after an anchor and a comment", "m: &x # c\n  a: 1\n", `key m "b" "2"`, "m: &x # c\n  a: 1\n  b: 2\n"},
		{"empty value anchored", "k: &a\n", `set k "x"`, "error: 1:4: an empty scalar with an anchor or a tag: edit it by hand"},
		// Flow.
		{"flow item anchored with a quote in the name", "l: [&a\"b x, y]\n", `delitem l 1`, "l: [&a\"b x]\n"},
		{"flow item after one anchored with a quote", "l: [&a\"b x, y, \"z\"]\n", `delitem l 0`, "l: [y, \"z\"]\n"},
		{"flow insert after an anchored item", "l: [y, &a'b x]\n", `item l "z"`, "l: [y, &a'b x, z]\n"},
		{"verbatim tag with a comma", "l: [!<tag:x,y> a, b]\n", `delitem l 1`, "l: [!<tag:x,y> a]\n"},
		{"tag with a quote", "l: [!a'b x, c]\n", `delitem l 1`, "l: [!a'b x]\n"},
		{"quotes inside plain items", "l: [a\"b, c, d\"e]\n", `delitem l 2`, "l: [a\"b, c]\n"},
		{"flow key anchored with a quote", "m: {&a'k: 1, b: 2}\n", `delkey m b`, "m: {&a'k: 1}\n"},
		{"flow key anchored, insert", "m: {&a'k: 1}\n", `key m "c" "3"`, "m: {&a'k: 1, c: 3}\n"},
		{"anchored flow mapping", "m: &m {a: 1}\n", `key m "c" "x"`, "m: &m {a: 1, c: x}\n"},
		{"tagged flow list emptied", "k: 1\nl: !!seq [a]\n", `delitem l 0`, "k: 1\nl: !!seq []\n"},
		{"tagged empty flow list, block item", "l: !!seq []\n", `item l "a: 1"`, "l: !!seq [{a: 1}]\n"},
		{"flow items with doubled quotes", "l: ['a'',b', c]\n", `delitem l 1`, "l: ['a'',b']\n"},
		// A byte order mark opens the file: the parser does not count it.
		{"byte order mark", "\ufeffk: v\n", `set k "x"`, "\ufeffk: x\n"},
		{"byte order mark, flow", "\ufeffl: [a, b]\n", `delitem l 0`, "\ufeffl: [b]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := applyEdits(t, []byte(tc.in), tc.edits)
			got := string(out)
			if err != nil {
				got = "error: " + err.Error()
			}
			if got != tc.want {
				t.Fatalf("%q, %s:\ngot  %q\nwant %q", tc.in, tc.edits, got, tc.want)
			}
			if err == nil {
				var check yaml.Node
				if err := yaml.Unmarshal(out, &check); err != nil {
					t.Fatalf("the result does not parse: %v\n%q", err, out)
				}
			}
		})
	}
}

// TestNewRefusesEncodings: a file that is not UTF-8 (UTF-16, which the parser
// reads too, or a legacy encoding), or whose line breaks the parser counts
// otherwise than the editor (CR alone, U+0085, U+2028, U+2029), is refused,
// naming the line.
func TestNewRefusesEncodings(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"\xff\xfek\x00:\x00 \x00v\x00", "line 1 is not UTF-8"},
		{"a: 1\nb: caf\xe9\n", "line 2 is not UTF-8"},
		{"a: x\u2028b: y\n", "line 1 holds the character U+2028"},
		{"a: 1\nb: 'x\u2029'\n", "line 2 holds the character U+2029"},
		{"a: \"x\u0085\"\n", "line 1 holds the character U+0085"},
		{"a: 1\rb: 2\n", "line 1 ends in a carriage return alone"},
	} {
		_, err := New([]byte(tc.in), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
		}
	}
}
