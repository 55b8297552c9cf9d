package synth

import (
	"fmt"
	"sort"
	"strings"
)

// denseShapes are the files that cost the most memory for their size: the worst
// cases the parse floor's memory bound is measured on (BENCHMARKS.md, "Memory").
// Each writes a valid YAML document of about size bytes.
func denseShapes() map[string]func(b *strings.Builder, size int) {
	return map[string]func(b *strings.Builder, size int){
		// The same tiny member over and over: every one a duplicate.
		"same-members": func(b *strings.Builder, size int) {
			b.WriteString("version: 1\nmembers:\n")
			for b.Len() < size {
				b.WriteString("  - email: a@b.co\n")
			}
		},
		// Distinct members with the shortest addresses.
		"tiny-members": func(b *strings.Builder, size int) {
			b.WriteString("version: 1\nmembers:\n")
			for i := 0; b.Len() < size; i++ {
				fmt.Fprintf(b, "  - email: %x@b.co\n", i)
			}
		},
		// Members in flow style.
		"flow-members": func(b *strings.Builder, size int) {
			b.WriteString("version: 1\nmembers:\n")
			for i := 0; b.Len() < size; i++ {
				fmt.Fprintf(b, "  - {email: %x@b.co}\n", i)
			}
		},
		// One blueprint with a huge flow list of rules.
		"flow-rules": func(b *strings.Builder, size int) {
			b.WriteString("version: 1\nblueprints:\n  b:\n    emails: [")
			for i := 0; b.Len() < size; i++ {
				fmt.Fprintf(b, "%x@b.co, ", i)
			}
			b.WriteString("a@b.co]\n")
		},
		// A flow sequence of one-letter values.
		"flow-sequence": func(b *strings.Builder, size int) {
			b.WriteString("version: 1\nx-list: [")
			for b.Len() < size {
				b.WriteString("a,")
			}
			b.WriteString("a]\n")
		},
		// A flow mapping of keys without values: two nodes every three bytes.
		"flow-keys": func(b *strings.Builder, size int) {
			b.WriteString("version: 1\nx-keys: {")
			for i := 0; b.Len() < size; i++ {
				fmt.Fprintf(b, "%x, ", i)
			}
			b.WriteString("a}\n")
		},
		// A block sequence of empty items.
		"empty-items": func(b *strings.Builder, size int) {
			b.WriteString("version: 1\nx-list:\n")
			for b.Len() < size {
				b.WriteString("-\n")
			}
		},
		// Blueprints, each a few bytes, sharing one list through an alias.
		"aliases": func(b *strings.Builder, size int) {
			b.WriteString("version: 1\nx-all: &all [")
			for i := 0; i < 1000; i++ {
				fmt.Fprintf(b, "%x@b.co, ", i)
			}
			b.WriteString("a@b.co]\nblueprints:\n")
			for i := 0; b.Len() < size; i++ {
				fmt.Fprintf(b, "  %x: {emails: *all}\n", i)
			}
		},
		// One long value.
		"long-value": func(b *strings.Builder, size int) {
			b.WriteString("version: 1\nx-long: ")
			for b.Len() < size {
				b.WriteString("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
			}
			b.WriteString("\n")
		},
	}
}

// DenseShapes lists the names Dense takes.
func DenseShapes() []string {
	shapes := denseShapes()
	names := make([]string, 0, len(shapes))
	for n := range shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Dense writes a file of about size bytes of the named shape (see DenseShapes).
func Dense(shape string, size int) ([]byte, error) {
	write, ok := denseShapes()[shape]
	if !ok {
		return nil, fmt.Errorf("unknown shape %q: use one of %s", shape, strings.Join(DenseShapes(), ", "))
	}
	var b strings.Builder
	b.Grow(size + 64)
	write(&b, size)
	return []byte(b.String()), nil
}
