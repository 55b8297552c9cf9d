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

// texts are strings the edits write, plain or not: Scalar must quote the ones
// that would read as something else.
var texts = []string{"a@b.c", "yes", "null", "1e3", "2026-12-07", "x, y", "#x", "a: b", "*star", "é ü", "-dash", "it's", `q"q`, "[x]", "~", ""}

// randomDoc writes a document of three sections the edits touch (members, a
// list of mappings; tags, a list of strings; meta, a mapping of strings), each
// in block or flow style, empty or null at times, between sections left alone,
// with comments; LF or CRLF.
func randomDoc(r *rand.Rand) string {
	var b strings.Builder
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	inline := func() string { return pick("", "", "  # note", "  # a, b]") }
	b.WriteString("head: {x: 1}  # left alone\n")
	ind := pick("", "  ", "    ")
	// members
	switch n := r.IntN(4); {
	case r.IntN(6) == 0:
		b.WriteString("members:" + pick("", " ~", " []") + inline() + "\n")
	case r.IntN(4) == 0:
		var items []string
		for i := range n + 1 {
			items = append(items, fmt.Sprintf("{email: m%d@x.y, role: user}", i))
		}
		b.WriteString("members: [" + strings.Join(items, ", ") + "]" + inline() + "\n")
	default:
		b.WriteString("members:" + inline() + "\n")
		for i := range n + 1 {
			if r.IntN(4) == 0 {
				b.WriteString(ind + "# about m" + fmt.Sprint(i) + "\n")
			}
			fmt.Fprintf(&b, "%s- email: m%d@x.y%s\n%s  role: user\n", ind, i, inline(), ind)
			if r.IntN(5) == 0 {
				b.WriteString("\n")
			}
		}
	}
	b.WriteString("# keep 1\n")
	// tags
	switch n := r.IntN(4); {
	case r.IntN(6) == 0:
		b.WriteString("tags:" + pick("", " []", " null") + inline() + "\n")
	case r.IntN(3) == 0:
		var items []string
		for i := range n + 1 {
			items = append(items, pick(fmt.Sprintf("t%d", i), fmt.Sprintf("\"t%d, x\"", i), fmt.Sprintf("'t%d'", i)))
		}
		if r.IntN(2) == 0 {
			b.WriteString("tags: [" + strings.Join(items, ", ") + "]" + inline() + "\n")
		} else {
			b.WriteString("tags: [\n  " + strings.Join(items, ",\n  ") + "\n]\n")
		}
	default:
		b.WriteString("tags:\n")
		for i := range n + 1 {
			fmt.Fprintf(&b, "%s- t%d%s\n", ind, i, inline())
		}
	}
	b.WriteString("fixed:\n  - a  # stays\n  - {b: [c]}\n\n# keep 2\n")
	// meta
	switch n := r.IntN(4); {
	case r.IntN(6) == 0:
		b.WriteString("meta:" + pick("", " {}") + inline() + "\n")
	case r.IntN(3) == 0:
		var kv []string
		for i := range n + 1 {
			kv = append(kv, fmt.Sprintf("k%d: %s", i, pick("v", "'v'", "\"v\"")))
		}
		b.WriteString("meta: {" + strings.Join(kv, ", ") + "}" + inline() + "\n")
	default:
		b.WriteString("meta:\n")
		for i := range n + 1 {
			if r.IntN(4) == 0 {
				b.WriteString("  # about k" + fmt.Sprint(i) + "\n")
			}
			fmt.Fprintf(&b, "  k%d: %s%s\n", i, pick("v", "'v'", "\"v\"", "v w"), inline())
		}
	}
	if r.IntN(2) == 0 {
		b.WriteString("# keep 3\ntail: [z]\n")
	}
	s := b.String()
	if r.IntN(3) == 0 {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	return s
}

// TestEditRandom: random documents take random edits: deletions of members,
// tags and meta keys, then values set, items and keys inserted, a section
// added. The result parses, reads as the same edits made on the decoded
// document, and the lines left alone are byte for byte as they were.
func TestEditRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 2026))
	for round := range 1500 {
		in := randomDoc(r)
		root := parse(t, []byte(in))
		var want map[string]any
		if err := yaml.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		ed, err := New([]byte(in), root)
		if err != nil {
			t.Fatal(err)
		}
		var log []string
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("round %d: %s\nedits: %s\n--- in\n%s", round, fmt.Sprintf(format, args...), strings.Join(log, "; "), in)
		}
		// Deletions first: they are planned before insertions.
		for _, name := range []string{"members", "tags"} {
			key, list := entry(root, name)
			if list.Kind != yaml.SequenceNode || len(list.Content) == 0 || r.IntN(2) == 0 {
				continue
			}
			del := make([]bool, len(list.Content))
			var kept []any
			for i := range del {
				del[i] = r.IntN(2) == 0
				if !del[i] {
					kept = append(kept, want[name].([]any)[i])
				}
			}
			log = append(log, fmt.Sprintf("delete %s %v", name, del))
			if _, err := ed.DeleteItems(key, list, del); err != nil {
				fail("%v", err)
			}
			if kept == nil {
				kept = []any{}
			}
			want[name] = kept
		}
		_, meta := entry(root, "meta")
		if meta.Kind == yaml.MappingNode && len(meta.Content) > 0 && r.IntN(2) == 0 {
			var keys []*yaml.Node
			for i := 0; i < len(meta.Content); i += 2 {
				if r.IntN(2) == 0 {
					keys = append(keys, meta.Content[i])
					delete(want["meta"].(map[string]any), meta.Content[i].Value)
				}
			}
			log = append(log, fmt.Sprintf("delete meta keys %d", len(keys)))
			if err := ed.DeleteKeys(meta, keys...); err != nil {
				fail("%v", err)
			}
		}
		// Set the values of meta's keys kept.
		if meta.Kind == yaml.MappingNode {
			for i := 0; i < len(meta.Content); i += 2 {
				k := meta.Content[i].Value
				m := want["meta"].(map[string]any)
				if _, ok := m[k]; !ok || r.IntN(2) == 0 {
					continue
				}
				text := texts[r.IntN(len(texts))]
				log = append(log, fmt.Sprintf("set %s %q", k, text))
				if err := ed.SetScalar(meta.Content[i+1], text); err != nil {
					fail("%v", err)
				}
				m[k] = text
			}
		}
		// Insertions.
		for range r.IntN(4) {
			switch r.IntN(3) {
			case 0:
				_, list := entry(root, "members")
				email := fmt.Sprintf("n%d@x.y", r.IntN(100))
				item := "email: " + email + "\nrole: admin"
				if r.IntN(3) == 0 {
					item = "{email: " + email + ", role: admin}"
				}
				log = append(log, fmt.Sprintf("insert member %q", item))
				if err := ed.InsertItem(list, item); err != nil {
					fail("%v", err)
				}
				l, _ := want["members"].([]any)
				want["members"] = append(l, map[string]any{"email": email, "role": "admin"})
			case 1:
				_, list := entry(root, "tags")
				text := texts[r.IntN(len(texts))]
				log = append(log, fmt.Sprintf("insert tag %q", text))
				if err := ed.InsertItem(list, Scalar(text)); err != nil {
					fail("%v", err)
				}
				l, _ := want["tags"].([]any)
				want["tags"] = append(l, text)
			default:
				k := texts[r.IntN(len(texts))]
				text := texts[r.IntN(len(texts))]
				m, _ := want["meta"].(map[string]any)
				if m == nil {
					m = map[string]any{}
				}
				if _, dup := m[k]; dup {
					continue
				}
				log = append(log, fmt.Sprintf("insert meta key %q %q", k, text))
				if err := ed.InsertKey(meta, k, Scalar(text)); err != nil {
					fail("%v", err)
				}
				m[k] = text
				want["meta"] = m
			}
		}
		if r.IntN(3) == 0 {
			log = append(log, "insert section")
			if err := ed.InsertKey(root, "section", "- "+Scalar("a: b")+"\n- {c: d}"); err != nil {
				fail("%v", err)
			}
			want["section"] = []any{"a: b", map[string]any{"c": "d"}}
		}
		out := ed.Bytes()
		var got map[string]any
		if err := yaml.Unmarshal(out, &got); err != nil {
			fail("the result does not parse: %v\n--- out\n%s", err, out)
		}
		if !reflect.DeepEqual(got, want) {
			fail("the result reads\n%#v\nwant\n%#v\n--- out\n%s", got, want, out)
		}
		// The lines no edit touches stay, in order.
		var alone [][]byte
		for _, l := range bytes.SplitAfter([]byte(in), []byte("\n")) {
			if bytes.HasPrefix(l, []byte("# keep")) || bytes.HasPrefix(l, []byte("head:")) || bytes.HasPrefix(l, []byte("fixed:")) || bytes.HasPrefix(l, []byte("  - a  # stays")) || bytes.HasPrefix(l, []byte("tail:")) {
				alone = append(alone, l)
			}
		}
		outLines := bytes.SplitAfter(out, []byte("\n"))
		i := 0
		for _, l := range outLines {
			if i < len(alone) && bytes.Equal(l, alone[i]) {
				i++
			}
		}
		if i < len(alone) {
			fail("the line %q left alone is not in the result as it was\n--- out\n%s", alone[i], out)
		}
		if crlf := strings.Contains(in, "\r\n"); crlf && slices.ContainsFunc(outLines, func(l []byte) bool { return bytes.HasSuffix(l, []byte("\n")) && !bytes.HasSuffix(l, []byte("\r\n")) }) {
			fail("a line ends in LF alone in a CRLF file\n--- out\n%q", out)
		}
	}
}

// FuzzEdit: whatever the file, edits chosen by op on the nodes it holds (set a
// scalar, insert an item or a key, delete keys or items) never panic, and the
// result parses unless an edit was refused: the editor refuses what it cannot
// write safely.
func FuzzEdit(f *testing.F) {
	f.Add([]byte("members:\n  - email: a\n    role: user\n# c\ngroups: {}\n"), uint64(0x1234))
	f.Add([]byte("list: [a, \"b, c\", {d: [e]}]  # stays\nm: {a: 1}\n"), uint64(0x9876))
	f.Add([]byte("k:\r\n- a\r\n- b\r\nn: ~\r\n"), uint64(77))
	f.Add([]byte("a:\n  b: |+\n    x\n\nc: [\n  1,\n  2 # two\n]\n"), uint64(5))
	f.Fuzz(func(t *testing.T, data []byte, ops uint64) {
		var root yaml.Node
		if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
			return
		}
		var nodes []*yaml.Node
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			nodes = append(nodes, n)
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(root.Content[0])
		ed, err := New(data, &root)
		if err != nil {
			return
		}
		texts := []string{"x", "k: v\nl: [1]", "- a\n- b", "{a: 1}", "'q'", ""}
		for range 3 {
			n := nodes[int(ops%uint64(len(nodes)))]
			ops /= uint64(len(nodes))
			text := texts[ops%uint64(len(texts))]
			op := (ops / 8) % 5
			ops /= 40
			switch op {
			case 0:
				err = ed.SetScalar(n, text)
			case 1:
				err = ed.InsertItem(n, text)
			case 2:
				err = ed.InsertKey(n, fmt.Sprintf("new%d", ops%7), text)
			case 3:
				if n.Kind == yaml.MappingNode && len(n.Content) > 0 {
					err = ed.DeleteKeys(n, n.Content[0])
				}
			default:
				if n.Kind == yaml.SequenceNode && len(n.Content) > 0 {
					_, err = ed.DeleteItems(nil, n, []bool{true})
				}
			}
			if err != nil {
				return
			}
		}
		out := ed.Bytes()
		var after yaml.Node
		if err := yaml.Unmarshal(out, &after); err != nil {
			t.Fatalf("the result does not parse: %v\n--- in\n%q\n--- out\n%q", err, data, out)
		}
	})
}
