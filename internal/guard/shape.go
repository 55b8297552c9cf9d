package guard

import (
	"fmt"

	"go.yaml.in/yaml/v4"
)

// Limits on the shape of a document, so that hostile input cannot exhaust time
// or memory.
const (
	// MaxDepth is far beyond any real portal.yaml (which nests four levels). The
	// parser refuses deeper nesting as it reads (schema gives it this limit);
	// CheckAliases counts the nesting that aliases add.
	MaxDepth = 64
	// minExpansion is how many node visits aliases may add to a document, or a
	// quarter of its nodes if that is more: anchors shared by a few blueprints
	// add a few nodes each, an alias bomb adds billions.
	minExpansion = 100_000
)

// Shape is what one walk over the nodes as written (aliases not followed) finds.
type Shape struct {
	Nodes   int
	Aliases bool       // the document uses aliases: see CheckAliases
	Deep    *yaml.Node // a node nested deeper than MaxDepth, or nil
}

// Survey walks the nodes as written, calling scalar on every scalar (key tells
// a mapping key from a value), so that the checks of scalars share its walk.
func Survey(root *yaml.Node, scalar func(n *yaml.Node, key bool)) Shape {
	var s Shape
	var walk func(n *yaml.Node, depth int, key bool)
	walk = func(n *yaml.Node, depth int, key bool) {
		s.Nodes++
		switch n.Kind {
		case yaml.ScalarNode:
			scalar(n, key)
			return
		case yaml.AliasNode:
			s.Aliases = true
			return
		case yaml.DocumentNode:
			depth--
		}
		if depth > MaxDepth && s.Deep == nil {
			s.Deep = n
		}
		for i, c := range n.Content {
			walk(c, depth+1, n.Kind == yaml.MappingNode && i%2 == 0)
		}
	}
	walk(root, 0, false)
	return s
}

// CheckAliases walks the document as the checks will, following aliases, and
// refuses one whose aliases refer to themselves, nest deeper than MaxDepth or
// expand to more than their share of nodes (written is how many nodes it has,
// Shape.Nodes). It returns the node where it stopped; the error reads "too
// complex: …".
func CheckAliases(root *yaml.Node, written int) (*yaml.Node, error) {
	w := shapeWalk{budget: written + max(written/4, minExpansion)}
	w.walk(root, 0)
	return w.at, w.err
}

type shapeWalk struct {
	budget    int
	expanding []*yaml.Node // the aliases being followed, outermost first
	err       error
	at        *yaml.Node
}

func (w *shapeWalk) fail(n *yaml.Node, format string, args ...any) {
	if w.err == nil {
		w.err, w.at = fmt.Errorf("too complex: "+format, args...), n
	}
}

func (w *shapeWalk) walk(n *yaml.Node, depth int) {
	if w.err != nil || n == nil {
		return
	}
	if depth > MaxDepth {
		w.fail(n, "nested deeper than %d levels", MaxDepth)
		return
	}
	w.budget--
	if w.budget < 0 {
		// Point at the alias written in the document that started it all.
		at := n
		if len(w.expanding) > 0 {
			at = w.expanding[0]
		}
		w.fail(at, "aliases expand to too many values (an alias bomb?)")
		return
	}
	if n.Kind == yaml.AliasNode {
		for _, e := range w.expanding {
			if e.Alias == n.Alias {
				w.fail(n, "alias *%s refers to itself", n.Value)
				return
			}
		}
		w.expanding = append(w.expanding, n)
		w.walk(n.Alias, depth+1)
		w.expanding = w.expanding[:len(w.expanding)-1]
		return
	}
	next := depth + 1
	if n.Kind == yaml.DocumentNode {
		next = depth
	}
	for _, c := range n.Content {
		w.walk(c, next)
	}
}
