package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/internal/guard"
)

// errTooComplex is returned when a document would expand beyond the limits.
var errTooComplex = errors.New("too complex")

// converter turns a YAML node tree into the plain values the JSON schema validator
// takes (map[string]any, []any, string, json.Number, bool, nil), expanding aliases
// within a budget and refusing cycles and deep nesting.
type converter struct {
	budget    int
	expanding map[*yaml.Node]bool
	err       error
	errNode   *yaml.Node
}

// toJSON converts a subtree for the JSON schema validator, within a budget of
// values (aliases expanded). guard.CheckAliases has refused documents that would
// exceed it; the budget keeps the conversion bounded on its own.
func toJSON(root *yaml.Node, budget int) (any, *yaml.Node, error) {
	c := &converter{budget: budget, expanding: map[*yaml.Node]bool{}}
	v := c.value(root, 0)
	return v, c.errNode, c.err
}

func (c *converter) fail(n *yaml.Node, err error) any {
	if c.err == nil {
		c.err, c.errNode = err, n
	}
	return nil
}

func (c *converter) value(n *yaml.Node, depth int) any {
	if c.err != nil {
		return nil
	}
	if depth > guard.MaxDepth {
		return c.fail(n, fmt.Errorf("%w: nested deeper than %d levels", errTooComplex, guard.MaxDepth))
	}
	c.budget--
	if c.budget < 0 {
		return c.fail(n, fmt.Errorf("%w: aliases expand to too many values (an alias bomb?)", errTooComplex))
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return c.value(n.Content[0], depth)
	case yaml.AliasNode:
		if c.expanding[n.Alias] {
			return c.fail(n, fmt.Errorf("%w: alias *%s refers to itself", errTooComplex, n.Value))
		}
		c.expanding[n.Alias] = true
		v := c.value(n.Alias, depth+1)
		delete(c.expanding, n.Alias)
		return v
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		var seen map[string]int
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
				c.merge(m, v, depth)
				continue
			}
			name := keyString(k)
			if _, dup := m[name]; dup {
				// Keep every occurrence of a duplicated key so that each is validated;
				// the builder reports the duplication itself.
				if seen == nil {
					seen = map[string]int{}
				}
				seen[name]++
				name = dupKey(name, seen[name])
			}
			m[name] = c.value(v, depth+1)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, e := range n.Content {
			s[i] = c.value(e, depth+1)
		}
		return s
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil
}

// merge applies a "<<: *anchor" merge key: keys already set win.
func (c *converter) merge(m map[string]any, v *yaml.Node, depth int) {
	src := c.value(v, depth+1)
	add := func(x any) {
		if mm, ok := x.(map[string]any); ok {
			for k, val := range mm {
				if _, set := m[k]; !set {
					m[k] = val
				}
			}
		}
	}
	if list, ok := src.([]any); ok {
		for _, x := range list {
			add(x)
		}
		return
	}
	add(src)
}

// dupSep separates a duplicated key's name from its occurrence number in the values
// given to the validator. It cannot appear in a YAML key read from a file.
const dupSep = "\x00"

func dupKey(name string, n int) string { return name + dupSep + strconv.Itoa(n) }

// splitDup undoes dupKey: the key's name and which later occurrence it is (0 for the
// first).
func splitDup(tok string) (string, int) {
	i := strings.Index(tok, dupSep)
	if i < 0 {
		return tok, 0
	}
	n, _ := strconv.Atoi(tok[i+len(dupSep):])
	return tok[:i], n
}

func keyString(k *yaml.Node) string {
	for k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	return k.Value
}

// scalar converts a resolved YAML scalar to its JSON value.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err == nil {
			return b
		}
	case "!!int":
		if i, ok := intValue(n); ok {
			return json.Number(strconv.FormatInt(i, 10))
		}
		var i int64
		if err := n.Decode(&i); err == nil {
			return json.Number(strconv.FormatInt(i, 10))
		}
	case "!!float":
		var f float64
		if err := n.Decode(&f); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return n.Value
}

// lookup finds the node a JSON pointer designates. It returns the key node of the
// last object member on the way (nil for array elements and the root) and the value
// node.
func lookup(root *yaml.Node, ptr string) (key, val *yaml.Node) {
	n := deref(root)
	if ptr == "" {
		return nil, n
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = unescapeToken(tok)
		n = deref(n)
		switch n.Kind {
		case yaml.MappingNode:
			name, nth := splitDup(tok)
			var fk, fv *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if keyString(n.Content[i]) == name {
					if nth == 0 {
						fk, fv = n.Content[i], n.Content[i+1]
						break
					}
					nth--
				}
			}
			if fv == nil {
				return key, n
			}
			key, n = fk, fv
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return key, n
			}
			key, n = nil, n.Content[i]
		default:
			return key, n
		}
	}
	return key, deref(n)
}

// unescapeToken decodes one token of an instance location as the validator writes
// it: a JSON pointer token, percent-encoded.
func unescapeToken(tok string) string {
	if u, err := url.PathUnescape(tok); err == nil {
		tok = u
	}
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < guard.MaxDepth; i++ {
		switch {
		case n.Kind == yaml.DocumentNode && len(n.Content) > 0:
			n = n.Content[0]
		case n.Kind == yaml.AliasNode && n.Alias != nil:
			n = n.Alias
		default:
			return n
		}
	}
	return n
}
