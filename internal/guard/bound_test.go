package guard

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/internal/synth"
)

// parsedNodes counts the nodes the YAML library builds for data (each node once,
// aliases not followed), or -1 when data is not one valid document.
func parsedNodes(data []byte) int {
	l, err := yaml.NewLoader(bytes.NewReader(data))
	if err != nil {
		return -1
	}
	total := 0
	for {
		var root yaml.Node
		err := l.Load(&root)
		if err != nil {
			if total == 0 && !errors.Is(err, io.EOF) {
				return -1
			}
			return total
		}
		var count func(n *yaml.Node)
		count = func(n *yaml.Node) {
			total++
			for _, c := range n.Content {
				count(c)
			}
		}
		count(&root)
	}
}

// TestNodeBound checks the bound against the parser: never below the nodes it
// builds, and close to them on the files portal.yaml really is.
func TestNodeBound(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{"block members", "version: 1\nmembers:\n  - email: a@b.co\n    role: admin\n  - email: c@d.co\n"},
		{"compact sequence under a key", "members:\n- email: a@b.co\n- email: c@d.co\ngroups:\n  g: [a]\n"},
		{"flow sequence", "x: [a, b, c]\n"},
		{"flow keys without values", "x: {a, b, c}\n"},
		{"flow pairs in a sequence", "x: [a: b, c: d, e]\n"},
		{"empty flow values", "x: {a: , b: }\ny: [a: ]\n"},
		{"nested flow", "x: [[a, [b]], {c: [d, {e}]}]\n"},
		{"empty items", "x:\n-\n-\n- a\n"},
		{"empty values", "a:\nb:\nc:\n  d:\n"},
		{"explicit keys", "? a\n: b\n? c\n"},
		{"nested sequences on one line", "- - - a\n  - b\n- c\n"},
		{"quoted keys and values", "\"a: b\": 'c, d'\n'e''f': \"g\\\"h\"\n"},
		{"json style", "{\"a\":\"b\",\"c\":[1,2,{\"d\":null}]}\n"},
		{"multi-line quoted", "a: \"one\n  two\"\nb: c\n"},
		{"block scalars", "a: |\n  - x: y\n  [z]\nb: >-\n  w\nc: d\n"},
		{"comments", "# a: b\na: b # c: d\n# - e\n"},
		{"anchors and aliases", "a: &x [1, 2]\nb: *x\nc: &y\n  d: *x\n"},
		{"merge keys", "x: &m {a: 1}\ny:\n  <<: *m\n  b: 2\n"},
		{"tags", "a: !!str\nb: !!int 1\nc: !custom {d: e}\n"},
		{"a scalar document", "just text\n"},
		{"an empty document", "---\n"},
		{"two documents", "a: b\n---\nc: d\n"},
		{"a key with no value at the end", "a:"},
		{"crlf", "a: b\r\nc:\r\n  - d\r\n"},
		{"colons inside values", "a: http://x.org/y\nb: [c:d, e]\n"},
		{"sequence value at the key's column", "a:\n- b\n- c\nd: e\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := parsedNodes([]byte(tt.data))
			if want < 0 {
				t.Fatalf("test input is not valid YAML")
			}
			if got := NodeBound([]byte(tt.data)); got < want {
				t.Errorf("NodeBound = %d, but the parser builds %d nodes", got, want)
			}
		})
	}
	// The files of schema's golden cases and the examples: what portal.yaml
	// really is, and what it is when it goes wrong.
	files, _ := filepath.Glob("../../schema/testdata/cases/*.yaml")
	more, _ := filepath.Glob("../../examples/*/*.yaml")
	if len(files) == 0 || len(more) == 0 {
		t.Fatal("no files to check the bound on")
	}
	for _, f := range append(files, more...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if want := parsedNodes(data); want >= 0 && NodeBound(data) < want {
			t.Errorf("%s: NodeBound = %d, but the parser builds %d nodes", f, NodeBound(data), want)
		}
	}
}

// TestNodeBoundTight: on the files portal.yaml really is, the bound stays within
// 10% of the nodes built, so that the memory guard never refuses them.
func TestNodeBoundTight(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"generated", synth.New(synth.Spec{Members: 2000, Blueprints: 200, Rules: 10, Seed: 1}).YAML(synth.Change{})},
		{"tiny members", []byte("version: 1\nmembers:\n" + strings.Repeat("  - email: a@b.co\n    role: admin\n", 1000))},
		{"flow members", []byte("version: 1\nmembers:\n" + strings.Repeat("  - {email: a@b.co, role: admin}\n", 1000))},
		{"block lists", []byte("version: 1\nblueprints:\n" + strings.Repeat("  b:\n    emails:\n      - a@b.co\n      - c@d.co\n", 1000))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := NodeBound(tt.data), parsedNodes(tt.data)
			if got < want || float64(got) > 1.1*float64(want) {
				t.Errorf("NodeBound = %d for %d nodes: want within 10%% above", got, want)
			}
		})
	}
}

func FuzzNodeBound(f *testing.F) {
	files, _ := filepath.Glob("../../schema/testdata/cases/*.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("x: {a, b: [c: d, {e}], ? f}\n- - g\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := NodeBound(data)
		if want := parsedNodes(data); got < want {
			t.Fatalf("NodeBound = %d, but the parser builds %d nodes for %q", got, want, data)
		}
	})
}
