package yamledit

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// parse parses one document, for the editor.
func parse(t testing.TB, data []byte) *yaml.Node {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatalf("the case does not parse: %v\n%s", err, data)
	}
	return &root
}

// entry finds the key of the top-level mapping named name, and its value.
func entry(root *yaml.Node, name string) (key, value *yaml.Node) {
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// deleteItems deletes the items at the indexes given of the list under the
// top-level key name.
func deleteItems(t testing.TB, data []byte, name string, indexes ...int) ([]byte, []Lines, error) {
	t.Helper()
	root := parse(t, data)
	key, list := entry(root, name)
	if list == nil {
		t.Fatalf("no %s in\n%s", name, data)
	}
	del := make([]bool, len(list.Content))
	for _, i := range indexes {
		del[i] = true
	}
	ed, err := New(data, root)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := ed.DeleteItems(key, list, del)
	return ed.Bytes(), lines, err
}

// TestDeleteItems: the items go with their own lines, or in a flow list with a
// comma; every other byte stays. Each case is also run with CRLF line endings,
// and must give the same result with CRLF endings.
func TestDeleteItems(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		key   string
		del   []int
		want  string
		lines []Lines
	}{
		{
			name: "block: an item with its comment above, the blank line before the next",
			in: `list:
  - a: 1
    b: 2

  # about c
  - c: 3

  - d: 4
other: x
`,
			key: "list", del: []int{1},
			want: `list:
  - a: 1
    b: 2

  - d: 4
other: x
`,
			lines: []Lines{{5, 7}},
		},
		{
			name: "block: the first item, and a comment of what follows the list stays",
			in: `list:
  - a
  - b
# about other
other: x
`,
			key: "list", del: []int{0},
			want: `list:
  - b
# about other
other: x
`,
			lines: []Lines{{2, 2}},
		},
		{
			name: "block: the last item, written at the key's column",
			in: `list:
- a
- b  # b's line comment
other: x
`,
			key: "list", del: []int{1},
			want: `list:
- a
other: x
`,
			lines: []Lines{{3, 3}},
		},
		{
			name: "block: every item, and the key says the list is empty",
			in: `list:  # a comment after the key
  - a
  - {b: 1}
other: x
`,
			key: "list", del: []int{0, 1},
			want: `list: []  # a comment after the key
other: x
`,
			lines: []Lines{{2, 2}, {3, 3}},
		},
		{
			name: "flow, on one line: a run of items with the comma after it",
			in:   "list: [a, \"b, c\", {d: [e]}, f]  # stays\n",
			key:  "list", del: []int{1, 2},
			want:  "list: [a, f]  # stays\n",
			lines: []Lines{{1, 1}, {1, 1}},
		},
		{
			name: "flow: the last item with the comma before it",
			in:   "list: [a, 'b''s', c]\n",
			key:  "list", del: []int{2},
			want:  "list: [a, 'b''s']\n",
			lines: []Lines{{1, 1}},
		},
		{
			name: "flow, an item a line, with comments",
			in: `list: [
  a,
  b, # about b
  c
]
`,
			key: "list", del: []int{1},
			want: `list: [
  a,
  c
]
`,
			lines: []Lines{{3, 3}},
		},
		{
			name: "block: an anchor and a tag before the first item",
			in: `list: &l !!seq
  - a
  - b
copy: *l
`,
			key: "list", del: []int{0},
			want: `list: &l !!seq
  - b
copy: *l
`,
			lines: []Lines{{2, 2}},
		},
		{
			name: "block: an anchor on a line of its own, a comment after it",
			in: `list:
  &l  # the list
  - a
  - b
`,
			key: "list", del: []int{1},
			want: `list:
  &l  # the list
  - a
`,
			lines: []Lines{{4, 4}},
		},
		{
			name:  "flow: every item",
			in:    "list: [a, b]\nother: x\n",
			key:   "list",
			del:   []int{0, 1},
			want:  "list: []\nother: x\n",
			lines: []Lines{{1, 1}, {1, 1}},
		},
		{
			name:  "nothing marked: nothing changes",
			in:    "list: [a, b]\n",
			key:   "list",
			want:  "list: [a, b]\n",
			lines: nil,
		},
	} {
		for _, crlf := range []bool{false, true} {
			name := tc.name
			in, want := tc.in, tc.want
			if crlf {
				name += " (CRLF)"
				in, want = strings.ReplaceAll(in, "\n", "\r\n"), strings.ReplaceAll(want, "\n", "\r\n")
			}
			t.Run(name, func(t *testing.T) {
				out, lines, err := deleteItems(t, []byte(in), tc.key, tc.del...)
				if err != nil {
					t.Fatal(err)
				}
				if string(out) != want {
					t.Errorf("got\n%q\nwant\n%q", out, want)
				}
				if !slices.Equal(lines, tc.lines) {
					t.Errorf("lines %v, want %v", lines, tc.lines)
				}
			})
		}
	}
}

// TestDeleteItemsRefused: what would leave the file unreadable is refused,
// naming where, and nothing is planned.
func TestDeleteItemsRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		key  string
		del  []int
		want string
	}{
		{"an item defines an anchor used elsewhere", "list:\n  - &a x\n  - y\nother: *a\n", "list", []int{0}, "2:5: the item defines the anchor &a, which line 4 uses (*a)"},
		{"a block list emptied carries an anchor", "list: &l\n  - x\nother: *l\n", "list", []int{0}, "1:7: the block list would be left empty"},
		{"a block list emptied carries a tag", "list: !!seq\n  - x\n", "list", []int{0}, "1:7: the block list would be left empty"},
		{"not a list", "list: {a: 1}\n", "list", nil, "1:7: not a list written in place"},
		{"a list written as an alias", "base: &b [x]\nlist: *b\n", "list", nil, "2:7: not a list written in place"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := deleteItems(t, []byte(tc.in), tc.key, tc.del...)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %v, want one starting %q", err, tc.want)
			}
			if string(out) != tc.in {
				t.Errorf("the file changed:\n%s", out)
			}
		})
	}
}

// TestDeleteAndInsert: the two edits everything else is made of, planned on the
// original offsets and made at once.
func TestDeleteAndInsert(t *testing.T) {
	const in = "name: old\nlist: [a]\n"
	for _, tc := range []struct {
		name string
		edit func(e *Editor)
		want string
	}{
		{"replace a value: a delete and an insert at its offset", func(e *Editor) {
			at := e.Offset(1, 7)
			e.Delete(at, at+len("old"))
			e.Insert(at, "new")
		}, "name: new\nlist: [a]\n"},
		{"edits at both ends, planned in any order", func(e *Editor) {
			e.Insert(len(in), "other: x\n")
			e.Insert(0, "# head\n")
			e.Delete(e.Offset(2, 1), len(in))
		}, "# head\nname: old\nother: x\n"},
		{"overlapping deletes", func(e *Editor) {
			e.Delete(0, 6)
			e.Delete(4, 10)
		}, "list: [a]\n"},
		{"offsets out of the file are clamped", func(e *Editor) {
			e.Delete(-5, 0)
			e.Delete(len(in)-1, len(in)+10)
		}, "name: old\nlist: [a]"},
		{"a column counts characters, not bytes", func(e *Editor) {
			e.Insert(e.Offset(1, 7), "é")
		}, "name: éold\nlist: [a]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New([]byte(in), parse(t, []byte(in)))
			if err != nil {
				t.Fatal(err)
			}
			tc.edit(e)
			if got := string(e.Bytes()); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	e, err := New([]byte("k: é\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Offset(1, 4); got != 3 {
		t.Errorf("Offset after é = %d, want 3 (é is two bytes)", got)
	}
}

// TestNewRefusesLoneCR: YAML reads a carriage return alone as a line break, the
// editor does not: such a file is refused, naming the line, rather than cut at
// the wrong bytes. CRLF endings are read.
func TestNewRefusesLoneCR(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"CR line endings", "list:\r- a\r- b\r", "line 1 ends in a carriage return alone (CR)"},
		{"one CR among LFs", "list:\n- a\r- b\n", "line 2 ends in a carriage return alone (CR)"},
		{"a CR at the end", "list: [a]\r", "line 1 ends in a carriage return alone (CR)"},
		{"CRLF", "list:\r\n- a\r\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New([]byte(tc.in), parse(t, []byte(tc.in)))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("error %v, want one starting %q", err, tc.want)
			}
		})
	}
}

// onlyCut reports whether out is in less some bytes, but for the " []" that an
// emptied block list gets: nothing added, moved or rewritten.
func onlyCut(in, out []byte) bool {
	out = bytes.ReplaceAll(out, []byte(": []"), []byte(":"))
	i := 0
	for _, c := range out {
		for i < len(in) && in[i] != c {
			i++
		}
		if i == len(in) {
			return false
		}
		i++
	}
	return true
}

// decoded is what a YAML value reads as.
func decoded(t testing.TB, n *yaml.Node) any {
	t.Helper()
	v, err := decode(n)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return v
}

// decode reads a YAML value into Go values; a value Go cannot hold (a list as
// a mapping key, say) is an error.
func decode(n *yaml.Node) (any, error) {
	var v any
	err := n.Decode(&v)
	return v, err
}

// kept is what the items of list not marked in del read as.
func kept(list *yaml.Node, del []bool) ([]any, error) {
	out := []any{}
	for i, item := range list.Content {
		if !del[i] {
			v, err := decode(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	return out, nil
}

// checkDeleted deletes the items marked in del of the list under the top-level
// key name, and checks the result: the input with parts cut out, which parses,
// whose list holds the items kept, and whose other values are as they were.
func checkDeleted(t *testing.T, data []byte, name string, del []bool) {
	t.Helper()
	root := parse(t, data)
	key, list := entry(root, name)
	keptItems, err := kept(list, del)
	if err != nil {
		t.Fatal(err)
	}
	others := map[string]any{}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != name {
			others[m.Content[i].Value] = decoded(t, m.Content[i+1])
		}
	}
	ed, err := New(data, root)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ed.DeleteItems(key, list, del)
	emptied := !slices.Contains(del, false) && list.Style&yaml.FlowStyle == 0
	switch {
	case emptied && (list.Anchor != "" || list.Style&yaml.TaggedStyle != 0):
		if err == nil {
			t.Fatalf("a block list with an anchor or a tag emptied:\n%s", ed.Bytes())
		}
		return // refused, as it must be
	case err != nil:
		t.Fatalf("%v\n%s", err, data)
	}
	out := ed.Bytes()
	if !onlyCut(data, out) {
		t.Fatalf("the result is not the input with parts cut out:\n--- in\n%s\n--- out\n%s", data, out)
	}
	var after yaml.Node
	if err := yaml.Unmarshal(out, &after); err != nil {
		t.Fatalf("the result does not parse: %v\n--- in\n%s\n--- out\n%s", err, data, out)
	}
	_, afterList := entry(&after, name)
	if afterList == nil {
		t.Fatalf("the list is gone:\n--- in\n%s\n--- out\n%s", data, out)
	}
	if got := decoded(t, afterList); !reflect.DeepEqual(got, any(keptItems)) {
		t.Fatalf("the list reads %v, want %v:\n--- in\n%s\n--- out\n%s", got, keptItems, data, out)
	}
	m = after.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i].Value
		want := others[k]
		if v := m.Content[i+1]; v.Kind == yaml.AliasNode && v.Alias == afterList {
			want = keptItems // an alias of the list is the list
		}
		if k != name && !reflect.DeepEqual(decoded(t, m.Content[i+1]), want) {
			t.Fatalf("%s changed:\n--- in\n%s\n--- out\n%s", k, data, out)
		}
	}
}

// TestDeleteItemsRandom: lists written every way a person might (block and flow,
// items a line or several, indented or not, comments above, beside and below,
// blank lines, quoting with commas, brackets and #, nested mappings and lists,
// LF or CRLF) lose random items, and read as the items kept.
func TestDeleteItemsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 2026))
	for round := range 2000 {
		data := randomList(r)
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			t.Fatalf("round %d: the generator wrote invalid YAML: %v\n%s", round, err, data)
		}
		_, list := entry(&root, "list")
		del := make([]bool, len(list.Content))
		for i := range del {
			del[i] = r.IntN(2) == 0
		}
		t.Run(fmt.Sprint(round), func(t *testing.T) { checkDeleted(t, data, "list", del) })
	}
}

func randomList(r *rand.Rand) []byte {
	var b strings.Builder
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	comment := func() string {
		if r.IntN(3) == 0 {
			return "  # " + pick("note", "a, b]", "é ü", "- not an item")
		}
		return ""
	}
	scalar := func(i int) string {
		return pick(fmt.Sprintf("v%d", i), fmt.Sprintf("\"v%d, [#]\"", i), fmt.Sprintf("'v%d''s'", i), fmt.Sprint(i))
	}
	item := func(i int) string { // a flow item
		switch r.IntN(3) {
		case 0:
			return scalar(i)
		case 1:
			return fmt.Sprintf("{k: %s, l: [%s]}", scalar(i), scalar(i+100))
		}
		return fmt.Sprintf("[%s, %s]", scalar(i), scalar(i+200))
	}
	b.WriteString("before: x" + comment() + "\n")
	props := pick("", "", "", " &l", " !!seq", " &l !!seq") // written before the first item
	n := 1 + r.IntN(6)
	if r.IntN(4) == 0 {
		var items []string
		for i := range n {
			items = append(items, item(i))
		}
		if r.IntN(2) == 0 {
			fmt.Fprintf(&b, "list:%s [%s]%s\n", props, strings.Join(items, ", "), comment())
		} else {
			fmt.Fprintf(&b, "list:%s [\n  %s\n]\n", props, strings.Join(items, ",\n  "))
		}
	} else {
		fmt.Fprintf(&b, "list:%s%s\n", props, comment())
		ind := pick("", "  ", "    ")
		for i := range n {
			if r.IntN(4) == 0 {
				b.WriteString("\n")
			}
			if r.IntN(4) == 0 {
				fmt.Fprintf(&b, "%s# about item %d\n", ind, i)
			}
			switch r.IntN(4) {
			case 0:
				fmt.Fprintf(&b, "%s- %s%s\n", ind, item(i), comment())
			case 1:
				fmt.Fprintf(&b, "%s-\n%s  k: %s%s\n", ind, ind, scalar(i), comment())
			case 2:
				fmt.Fprintf(&b, "%s- - %s\n%s  - %s\n", ind, scalar(i), ind, scalar(i+300))
			default:
				fmt.Fprintf(&b, "%s- k: %s%s\n%s  l:\n%s    - %s\n", ind, scalar(i), comment(), ind, ind, scalar(i+400))
				if r.IntN(4) == 0 {
					fmt.Fprintf(&b, "%s  # foot of item %d\n", ind, i)
				}
			}
		}
		if r.IntN(3) == 0 {
			b.WriteString("\n# end of list\n")
		}
	}
	if strings.Contains(props, "&l") && r.IntN(2) == 0 {
		b.WriteString("copy: *l\n")
	}
	b.WriteString("after: [y]\n")
	out := []byte(b.String())
	if r.IntN(4) == 0 {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n"))
	}
	return out
}

// FuzzDeleteItems: whatever the file, deleting items of a list never panics,
// and writes the input with parts cut out; when the result parses, the list
// reads as the items kept. A file the editor gets wrong must be refused or fail
// to parse: the caller parses the result again (schema.Loader.Expire does).
func FuzzDeleteItems(f *testing.F) {
	f.Add([]byte("list:\n  - a\n  # about b\n  - b\n\n  - c\nother: x\n"), uint64(2))
	f.Add([]byte("list: [a, \"b, c\", {d: [e]}, f]  # stays\n"), uint64(6))
	f.Add([]byte("list:\r\n- a\r\n- b\r\n"), uint64(3))
	f.Fuzz(func(t *testing.T, data []byte, mask uint64) {
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			return
		}
		key, list := entry(&root, "list")
		if list == nil || list.Kind != yaml.SequenceNode {
			return
		}
		del := make([]bool, len(list.Content))
		for i := range del {
			del[i] = mask&(1<<(i%64)) != 0
		}
		want, err := kept(list, del)
		if err != nil {
			return // not values Go can compare
		}
		ed, err := New(data, &root)
		if err != nil {
			return
		}
		if _, err := ed.DeleteItems(key, list, del); err != nil {
			return
		}
		out := ed.Bytes()
		if !onlyCut(data, out) {
			t.Fatalf("the result is not the input with parts cut out:\n--- in\n%q\n--- out\n%q", data, out)
		}
		var after yaml.Node
		if yaml.Unmarshal(out, &after) != nil {
			return
		}
		if _, l := entry(&after, "list"); l != nil && l.Kind == yaml.SequenceNode {
			got, err := kept(l, make([]bool, len(l.Content)))
			if err != nil {
				t.Fatalf("the list no longer decodes (%v):\n--- in\n%q\n--- out\n%q", err, data, out)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("the list reads %v, want %v:\n--- in\n%q\n--- out\n%q", got, want, data, out)
			}
		}
	})
}
