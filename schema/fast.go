package schema

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/guard"
	"github.com/qovery/portalctl/portal"
)

// fastSchema applies the compiled JSON schema straight to the YAML node tree.
//
// The validator takes Go values (maps, slices, strings): converting 100,000
// members into them and validating the result cost more than parsing the file.
// Here the keywords of the compiled schema are read from the validator's own
// compiled form and applied to the nodes in one walk, with no allocation on a
// node that passes; the rules stay in portal.schema.json. Where a node fails, the
// validator itself is run on that node alone (its children stubbed, as each is
// checked on its own) and its verdict is explained, so every message comes from
// the library; and a part of the schema that uses keywords the walk does not know
// is validated entirely by the library, on that subtree. TestFastSchemaOracle
// checks the walk against the library on whole documents. The one rule of the
// schema the JSON view cannot carry, that an integer is written as a YAML
// integer, the walk and the library's path both apply to the nodes themselves
// (integer.go).
type fastSchema struct {
	root *jsonschema.Schema
	// walkable holds the schemas whose keywords the walk applies itself.
	walkable map[*jsonschema.Schema]bool
}

func newFastSchema(root *jsonschema.Schema) *fastSchema {
	f := &fastSchema{root: root, walkable: map[*jsonschema.Schema]bool{}}
	f.visit(root, map[*jsonschema.Schema]bool{})
	return f
}

func (f *fastSchema) visit(s *jsonschema.Schema, seen map[*jsonschema.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	f.walkable[s] = walkable(s)
	f.visit(s.Ref, seen)
	for _, p := range s.Properties {
		f.visit(p, seen)
	}
	for _, p := range s.PatternProperties {
		f.visit(p, seen)
	}
	if ap, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
		f.visit(ap, seen)
	}
	f.visit(s.PropertyNames, seen)
	f.visit(s.Items2020, seen)
}

// walkable reports whether every keyword of s is one the walk applies: type,
// const and enum of scalars, properties, patternProperties, additionalProperties,
// propertyNames, required, items, minLength, maxLength, pattern, a $ref alone, and
// annotations. Any other keyword sends the subtree to the library.
func walkable(s *jsonschema.Schema) bool {
	if s.Ref != nil {
		t := *s
		t.Ref, t.Location, t.Draft = nil, "", nil
		t.Title, t.Description, t.Default, t.Comment, t.Examples = "", "", nil, "", nil
		return isEmptySchema(&t)
	}
	return s.Format == "" && s.RecursiveRef == nil && s.DynamicRef == nil && s.Not == nil &&
		len(s.AllOf) == 0 && len(s.AnyOf) == 0 && len(s.OneOf) == 0 && s.If == nil &&
		s.MinProperties < 0 && s.MaxProperties < 0 && len(s.Dependencies) == 0 &&
		len(s.DependentRequired) == 0 && len(s.DependentSchemas) == 0 &&
		s.UnevaluatedProperties == nil && !s.RegexProperties &&
		s.MinItems < 0 && s.MaxItems < 0 && !s.UniqueItems && s.Items == nil &&
		s.AdditionalItems == nil && len(s.PrefixItems) == 0 && s.Contains == nil &&
		s.UnevaluatedItems == nil && s.ContentEncoding == "" && s.ContentMediaType == "" &&
		s.ContentSchema == nil && s.Minimum == nil && s.ExclusiveMinimum == nil &&
		s.Maximum == nil && s.ExclusiveMaximum == nil && s.MultipleOf == nil &&
		len(s.Extensions) == 0 && scalars(s.Constant) && scalars(s.Enum)
}

// isEmptySchema reports whether s has no keyword at all besides annotations.
func isEmptySchema(s *jsonschema.Schema) bool {
	return walkable(s) && s.Always == nil && len(s.Types) == 0 && len(s.Constant) == 0 &&
		len(s.Enum) == 0 && len(s.Required) == 0 && len(s.Properties) == 0 &&
		s.PropertyNames == nil && len(s.PatternProperties) == 0 &&
		s.AdditionalProperties == nil && s.Items2020 == nil && s.MinLength < 0 &&
		s.MaxLength < 0 && s.Pattern == nil
}

func scalars(values []any) bool {
	for _, v := range values {
		switch v.(type) {
		case nil, bool, string, json.Number:
		default:
			return false
		}
	}
	return true
}

type checker struct {
	f    *fastSchema
	file string
	ds   *diag.Collector
	// hidden are the keys and values holding a hidden control character,
	// reported already: nothing else is said about them.
	hidden map[*yaml.Node]bool
	// path is the instance location of the node being checked: a stack pushed
	// and popped as the walk descends, written out only when a failure is
	// explained. An element is a key, or an index when index >= 0.
	path []step
	// doc is the document's root, for messages that name an entry by its email.
	doc *yaml.Node
}

type step struct {
	key   string
	index int
}

func (c *checker) tokens() []string {
	out := make([]string, len(c.path))
	for i, s := range c.path {
		out[i] = s.key
		if s.index >= 0 {
			out[i] = strconv.Itoa(s.index)
		}
	}
	return out
}

func (c *checker) push(key string, index int) { c.path = append(c.path, step{key, index}) }

func (c *checker) pop() { c.path = c.path[:len(c.path)-1] }

// check validates the document and adds a diagnostic for every failure.
func (f *fastSchema) check(file string, root *yaml.Node, hidden map[*yaml.Node]bool, ds *diag.Collector) {
	c := checker{f: f, file: file, ds: ds, hidden: hidden, doc: root}
	c.node(root, f.root, nil)
}

// follow resolves a schema that is only a $ref.
func (c *checker) follow(s *jsonschema.Schema) *jsonschema.Schema {
	for i := 0; s.Ref != nil && c.f.walkable[s] && i < 16; i++ {
		s = s.Ref
	}
	return s
}

// node validates n (reached through key, when it is a mapping's value) against s.
func (c *checker) node(n *yaml.Node, s *jsonschema.Schema, key *yaml.Node) {
	n = deref(n)
	if c.hidden[n] {
		return
	}
	s = c.follow(s)
	if !c.f.walkable[s] || s.Ref != nil {
		c.library(n, s, key)
		return
	}
	typed, ok := holds(n, s)
	if !ok {
		c.explainNode(n, s, key)
	}
	if !typed {
		return // the validator checks nothing else of a value of the wrong type
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if kind := misspelt(n, s); kind != "" {
			c.misspelt(kind, n, s, key) // a float or 017 where an integer goes: see integer.go
		}
	case yaml.MappingNode:
		c.mapping(n, s)
	case yaml.SequenceNode:
		if s.Items2020 != nil {
			for i, item := range n.Content {
				c.push("", i)
				c.node(item, s.Items2020, nil)
				c.pop()
			}
		}
	}
}

func (c *checker) mapping(n *yaml.Node, s *jsonschema.Schema) {
	ap, _ := s.AdditionalProperties.(*jsonschema.Schema)
	eachPair(n, func(k, v *yaml.Node) {
		name := keyString(k)
		if s.PropertyNames != nil {
			c.name(k, name, s.PropertyNames)
		}
		c.push(name, -1)
		matched := false
		if ps, ok := s.Properties[name]; ok {
			matched = true
			c.node(v, ps, k)
		}
		for re, ps := range s.PatternProperties {
			if re.MatchString(name) {
				matched = true
				c.node(v, ps, k)
			}
		}
		if !matched && ap != nil {
			c.node(v, ap, k)
		}
		c.pop()
	})
}

// name validates a mapping key against the propertyNames schema s.
func (c *checker) name(k *yaml.Node, name string, s *jsonschema.Schema) {
	if c.hidden[deref(k)] {
		return
	}
	s = c.follow(s)
	if c.f.walkable[s] && s.Ref == nil && holdsString(name, s) {
		return
	}
	c.explain(s.Validate(name), func(leaf *jsonschema.ValidationError) bool { return true },
		failure{toks: append(c.tokens(), name), key: k, val: deref(k), name: true})
}

// holds applies the keywords of s that concern n itself (not its children).
// typed is false when n has the wrong type, which stops the validator there.
func holds(n *yaml.Node, s *jsonschema.Schema) (typed, ok bool) {
	if s.Always != nil {
		return *s.Always, *s.Always
	}
	switch n.Kind {
	case yaml.MappingNode:
		if !typeAllowed("object", s) {
			return false, false
		}
		return true, len(s.Constant) == 0 && len(s.Enum) == 0 && holdsMapping(n, s)
	case yaml.SequenceNode:
		if !typeAllowed("array", s) {
			return false, false
		}
		return true, len(s.Constant) == 0 && len(s.Enum) == 0
	}
	if isPlainString(n) {
		if !typeAllowed("string", s) {
			return false, false
		}
		return true, holdsString(n.Value, s)
	}
	v := scalar(n)
	if !typeMatches(v, s) {
		return false, false
	}
	if str, isStr := v.(string); isStr {
		return true, holdsString(str, s)
	}
	return true, holdsConst(v, s)
}

func isPlainString(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch n.ShortTag() {
	case "!!null", "!!bool", "!!int", "!!float":
		return false
	}
	return true
}

func typeAllowed(t string, s *jsonschema.Schema) bool {
	if len(s.Types) == 0 {
		return true
	}
	for _, st := range s.Types {
		if st == t {
			return true
		}
	}
	return false
}

// typeMatches is the validator's type check of a scalar that is not a string.
func typeMatches(v any, s *jsonschema.Schema) bool {
	if len(s.Types) == 0 {
		return true
	}
	t := "null"
	switch v.(type) {
	case bool:
		t = "boolean"
	case json.Number:
		t = "number"
	}
	for _, st := range s.Types {
		if st == t {
			return true
		}
		if st == "integer" && t == "number" {
			if r, ok := new(big.Rat).SetString(string(v.(json.Number))); ok && r.IsInt() {
				return true
			}
		}
	}
	return false
}

func holdsString(str string, s *jsonschema.Schema) bool {
	if s.Always != nil {
		return *s.Always
	}
	if !typeAllowed("string", s) || !holdsConst(str, s) {
		return false
	}
	return lengthOK(str, s) && (s.Pattern == nil || s.Pattern.MatchString(str))
}

// lengthOK applies minLength and maxLength, which count characters.
func lengthOK(str string, s *jsonschema.Schema) bool {
	switch {
	case s.MinLength < 0 && s.MaxLength < 0:
		return true
	case s.MaxLength < 0 && s.MinLength <= 1:
		return len(str) >= s.MinLength // "minLength: 1": any byte begins a character
	}
	n := utf8.RuneCountInString(str)
	return (s.MinLength < 0 || n >= s.MinLength) && (s.MaxLength < 0 || n <= s.MaxLength)
}

func holdsConst(v any, s *jsonschema.Schema) bool {
	if len(s.Constant) > 0 && !equalScalar(v, s.Constant[0]) {
		return false
	}
	if len(s.Enum) > 0 {
		for _, e := range s.Enum {
			if equalScalar(v, e) {
				return true
			}
		}
		return false
	}
	return true
}

// equalScalar is the validator's equality on scalars: numbers compare by value.
func equalScalar(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		b, ok := b.(json.Number)
		if !ok {
			return false
		}
		ra, okA := new(big.Rat).SetString(string(a))
		rb, okB := new(big.Rat).SetString(string(b))
		return okA && okB && ra.Cmp(rb) == 0
	case string:
		b, ok := b.(string)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case nil:
		return b == nil
	}
	return false
}

func holdsMapping(n *yaml.Node, s *jsonschema.Schema) bool {
	for _, r := range s.Required {
		found := false
		eachPair(n, func(k, _ *yaml.Node) {
			found = found || keyString(k) == r
		})
		if !found {
			return false
		}
	}
	if b, ok := s.AdditionalProperties.(bool); ok && !b {
		allowed := true
		eachPair(n, func(k, _ *yaml.Node) {
			if allowed && !declared(keyString(k), s) {
				allowed = false
			}
		})
		return allowed
	}
	return true
}

// declared reports whether name is a property of s or matches one of its
// patternProperties.
func declared(name string, s *jsonschema.Schema) bool {
	if _, ok := s.Properties[name]; ok {
		return true
	}
	return matchesPattern(s, name)
}

// eachPair calls fn for every entry of a mapping node as the validator sees it:
// "<<" merge keys expanded, keys written in the mapping itself winning over
// merged ones, a key written twice seen twice.
func eachPair(n *yaml.Node, fn func(k, v *yaml.Node)) {
	merges := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Tag == "!!merge" {
			merges = true
			continue
		}
		fn(n.Content[i], n.Content[i+1])
	}
	if !merges {
		return
	}
	own := pairs(n)
	for _, p := range own[countOwn(n):] {
		fn(p.k, p.v)
	}
}

// countOwn is how many entries of n are written in it, not merged.
func countOwn(n *yaml.Node) int {
	c := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			c++
		}
	}
	return c
}

// library validates a subtree the walk cannot, with the validator itself.
func (c *checker) library(n *yaml.Node, s *jsonschema.Schema, key *yaml.Node) {
	v, bad, err := toJSON(n, maxConverted)
	if err != nil {
		c.ds.Add(nodePos(c.file, bad), diag.Error, "too-complex", "the document is "+err.Error(), guard.TooComplexHint)
		return
	}
	c.explain(s.Validate(v), func(*jsonschema.ValidationError) bool { return true }, failure{toks: c.tokens(), key: key, val: n, sub: true})
	c.integersIn(n, s, key, 0)
}

// maxConverted bounds a subtree handed to the validator whole: guard.CheckAliases
// has already bounded the document, this keeps the conversion bounded on its own.
const maxConverted = 10_000_000

// explainNode runs the validator on n alone, its children stubbed with null (each
// is checked on its own), and explains what it finds wrong with n itself.
func (c *checker) explainNode(n *yaml.Node, s *jsonschema.Schema, key *yaml.Node) {
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		eachPair(n, func(k, _ *yaml.Node) { m[keyString(k)] = nil })
		v = m
	case yaml.SequenceNode:
		v = []any{}
	default:
		v = scalar(n)
	}
	own := func(leaf *jsonschema.ValidationError) bool {
		return leaf.InstanceLocation == "" && !strings.Contains(leaf.KeywordLocation, "/propertyNames")
	}
	c.explain(s.Validate(v), own, failure{toks: c.tokens(), key: key, val: n, at: s})
}

// explain adds a diagnostic for each failure the validator reported that keep
// selects.
func (c *checker) explain(err error, keep func(*jsonschema.ValidationError) bool, f failure) {
	if err == nil {
		return
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		c.ds.Add(nodePos(c.file, f.val), diag.Error, "schema", err.Error(), "")
		return
	}
	seen := map[string]bool{}
	for _, leaf := range leaves(ve, nil) {
		if !keep(leaf) {
			continue
		}
		g := f
		g.doc = c.doc
		g.keyword, g.message, g.keywordLoc = keyword(leaf), leaf.Message, leaf.KeywordLocation
		if f.sub {
			// A subtree validated whole: the failure is somewhere inside it.
			rel := splitPtr(leaf.InstanceLocation)
			g.toks = append(append([]string(nil), f.toks...), rel...)
			k, v := lookup(f.val, leaf.InstanceLocation)
			if len(rel) > 0 {
				g.key, g.val = k, v
			}
			g.at = nil
		}
		for _, d := range explain(c.f.root, c.file, g) {
			if k := d.Pos.String() + d.Message; !seen[k] {
				seen[k] = true
				c.ds.Append(d)
			}
		}
	}
}

func nodePos(file string, n *yaml.Node) portal.Pos {
	if n == nil {
		return portal.Pos{File: file, Line: 1, Col: 1}
	}
	return portal.Pos{File: file, Line: n.Line, Col: n.Column}
}
