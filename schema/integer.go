package schema

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"go.yaml.in/yaml/v4"
)

// An integer field of portal.yaml (a schema of "type": "integer") accepts only a
// YAML integer that every YAML reader reads as the same number: a node the YAML
// reader resolves as !!int, written as YAML 1.2's core schema writes one (3, +3,
// 0x10, 0o17), plainly or tagged (!!int 3). The JSON view the validator sees
// cannot tell 0.0 from 0, so the validator alone would let `max_open_blueprints:
// 0.0` through, and the builder, which reads only integers, would leave the rule
// unset: a policy written as a float would switch itself off. The YAML side of
// "type": "integer" is therefore checked on the nodes, here, by the walk and by
// the validator's path alike (see checker.node and checker.library).
//
// Spellings are refused though their JSON value is a whole number: a float
// (0.0, 1e0, 30., !!float 3, -0, or digits too many for an integer, which YAML
// reads as a float); a decimal with a leading zero (017), which this YAML reader
// takes for octal 15 and a YAML 1.2 reader for 17; and what this reader, which
// follows YAML 1.1 there, reads as an integer and a YAML 1.2 reader as a string
// (1_000, 0b11, 0X1F, -0x1) or not at all (!!int "1", a quoted string tagged as
// an integer). The last two are refused with one keyword (keywordLeadingZero),
// each saying how the readers differ (leadingZeroMessage) and what to write
// (integerHint).

// intValue is the value of a YAML integer, as the YAML reader resolves it; ok is
// false for any other node, for an integer beyond int64, and for a spelling YAML
// 1.2 does not read as the same integer (see yaml12): no rule is enforced with a
// number the file's readers disagree on.
func intValue(n *yaml.Node) (int64, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || !yaml12(n) {
		return 0, false
	}
	i, err := strconv.ParseInt(n.Value, 0, 64)
	return i, err == nil
}

// integerOnly reports whether s admits integers and no other number.
func integerOnly(s *jsonschema.Schema) bool {
	integer := false
	for _, t := range s.Types {
		switch t {
		case "integer":
			integer = true
		case "number":
			return false
		}
	}
	return integer
}

// misspelt says why the scalar n, whose JSON value s accepts as an integer, is
// not written as one: keywordFloat, keywordLeadingZero, or "" when it is.
func misspelt(n *yaml.Node, s *jsonschema.Schema) string {
	if n.Kind != yaml.ScalarNode || !integerOnly(s) {
		return ""
	}
	switch n.ShortTag() {
	case "!!float":
		if num, ok := scalar(n).(json.Number); ok {
			if r, ok := new(big.Rat).SetString(string(num)); ok && r.IsInt() {
				return keywordFloat
			}
		}
		// Not a whole number: the validator's type check says so itself.
	case "!!int":
		if leadingZero(n.Value) || !yaml12(n) {
			return keywordLeadingZero
		}
	}
	return ""
}

// The keywords of the failures misspelt finds, as failure.keyword: a float is
// the type keyword failing on the YAML side; a leading zero is this file's own.
const (
	keywordFloat       = "type"
	keywordLeadingZero = "leadingZero"
)

// leadingZero reports whether an integer is written in decimal digits after a 0
// (017, -00, 0_7): octal to a YAML 1.1 reader, decimal to a YAML 1.2 one.
func leadingZero(v string) bool {
	v = strings.TrimLeft(v, "+-")
	if len(v) < 2 || v[0] != '0' {
		return false
	}
	for i := 1; i < len(v); i++ {
		if (v[i] < '0' || v[i] > '9') && v[i] != '_' {
			return false
		}
	}
	return true
}

// yaml12 reports whether the integer n (a node the YAML reader resolved as !!int)
// is written as YAML 1.2's core schema writes one, which a YAML 1.2 reader reads
// as the same number: plain or tagged but not quoted, and [-+]?[0-9]+ (a leading
// zero aside: see leadingZero), 0o[0-7]+ or 0x[0-9a-fA-F]+. This reader also
// takes underscores, 0b binary, upper-case prefixes and signed prefixed numbers
// for integers; YAML 1.2 reads each as a string.
func yaml12(n *yaml.Node) bool {
	if quotedScalar(n) {
		return false
	}
	v := n.Value
	switch {
	case strings.HasPrefix(v, "0o"):
		return allOf(v[2:], "01234567")
	case strings.HasPrefix(v, "0x"):
		return allOf(v[2:], "0123456789abcdefABCDEF")
	case strings.HasPrefix(v, "+"), strings.HasPrefix(v, "-"):
		v = v[1:]
	}
	return allOf(v, "0123456789")
}

// quotedScalar reports whether a scalar is written in quotes (or as a block): a
// string to YAML, whatever its tag says.
func quotedScalar(n *yaml.Node) bool {
	return n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0
}

// quotedAs shows a quoted scalar's value in the quotes it was written with.
func quotedAs(n *yaml.Node) string {
	if n.Style&yaml.SingleQuotedStyle != 0 {
		return "'" + strings.ReplaceAll(n.Value, "'", "''") + "'"
	}
	return strconv.Quote(n.Value)
}

// binary reports whether an integer is written in YAML 1.1's 0b binary.
func binary(v string) bool {
	v = strings.TrimLeft(v, "+-")
	return strings.HasPrefix(v, "0b") || strings.HasPrefix(v, "0B")
}

// allOf reports whether s is not empty and made of the bytes of set only.
func allOf(s, set string) bool { return s != "" && strings.Trim(s, set) == "" }

// readings are the two numbers an integer written with a leading zero may be:
// YAML 1.1's octal one (as 0o17 would write it, here 15) and YAML 1.2's decimal
// one (17).
func readings(v string) (octal, decimal string) {
	sign := ""
	if strings.HasPrefix(v, "-") {
		sign = "-"
	}
	digits := strings.TrimLeft(strings.ReplaceAll(strings.TrimLeft(v, "+-"), "_", ""), "0")
	if digits == "" {
		return "0", "0"
	}
	if len(digits) == 1 {
		return sign + digits, sign + digits // 0 to 7 (8 and 9 are floats, see integerHint): the same either way
	}
	return sign + "0o" + digits, sign + digits
}

// leadingZeroMessage says why an integer written with a leading zero is refused,
// or one written otherwise than YAML 1.2 writes it (see yaml12): how the YAML
// readers differ on it.
func leadingZeroMessage(where string, n *yaml.Node) string {
	value := n.Value
	if num, ok := scalar(n).(json.Number); ok {
		value = string(num)
	}
	switch {
	case quotedScalar(n):
		return fmt.Sprintf("%s is written %s %s, a quoted string tagged as an integer: portalctl's YAML reader reads it as %s, and whether another reads a string or a number depends on the reader", where, n.ShortTag(), quotedAs(n), value)
	case !leadingZero(n.Value):
		base := ""
		if binary(n.Value) {
			base = ", binary,"
		}
		return fmt.Sprintf("%s is written %s: portalctl's YAML reader (YAML 1.1) reads it as %s%s and a YAML 1.2 reader as the string %s", where, n.Value, value, base, strconv.Quote(n.Value))
	}
	octal, decimal := readings(n.Value)
	if octal == decimal {
		return fmt.Sprintf("%s is written %s: a number has no leading zero", where, n.Value)
	}
	return fmt.Sprintf("%s is written %s with a leading zero: portalctl's YAML reader (YAML 1.1) reads it as %s, octal, and a YAML 1.2 reader as %s", where, n.Value, value, decimal)
}

// misspeltFailure is the failure misspelt finds at n, for explain.
func misspeltFailure(kind string, toks []string, key, n *yaml.Node, s *jsonschema.Schema) failure {
	msg := "expected integer, but got number" // the validator's words for 1.5
	if kind == keywordLeadingZero {
		msg = "a leading zero"
	}
	return failure{keyword: kind, message: msg, toks: toks, key: key, val: n, at: s}
}

// integersIn applies misspelt to a subtree the validator checked whole, going
// down as the validator does: through $ref, allOf, properties,
// patternProperties, additionalProperties and items, into a mapping or a list
// only where its schema allows one (a value of the wrong type is not looked
// into). anyOf, oneOf and if are not followed: where they decide, the schema
// does not say which branch holds, and portal.schema.json puts no number under
// one. hops counts the schemas applied to n itself, through $ref and allOf.
func (c *checker) integersIn(n *yaml.Node, s *jsonschema.Schema, key *yaml.Node, hops int) {
	n = deref(n)
	if n == nil || s == nil || c.hidden[n] || hops > 16 {
		return
	}
	if s.Ref != nil {
		c.integersIn(n, s.Ref, key, hops+1)
	}
	for _, a := range s.AllOf {
		c.integersIn(n, a, key, hops+1)
	}
	if s.Always != nil {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if kind := misspelt(n, s); kind != "" {
			c.misspelt(kind, n, s, key)
		}
	case yaml.MappingNode:
		if !typeAllowed("object", s) {
			return
		}
		ap, _ := s.AdditionalProperties.(*jsonschema.Schema)
		eachPair(n, func(k, v *yaml.Node) {
			name := keyString(k)
			c.push(name, -1)
			matched := false
			if ps, ok := s.Properties[name]; ok {
				matched = true
				c.integersIn(v, ps, k, 0)
			}
			for re, ps := range s.PatternProperties {
				if re.MatchString(name) {
					matched = true
					c.integersIn(v, ps, k, 0)
				}
			}
			if !matched && ap != nil {
				c.integersIn(v, ap, k, 0)
			}
			c.pop()
		})
	case yaml.SequenceNode:
		if !typeAllowed("array", s) || s.Items2020 == nil {
			return
		}
		for i, item := range n.Content {
			c.push("", i)
			c.integersIn(item, s.Items2020, nil, 0)
			c.pop()
		}
	}
}

// misspelt reports the integer n misspells, at n.
func (c *checker) misspelt(kind string, n *yaml.Node, s *jsonschema.Schema, key *yaml.Node) {
	f := misspeltFailure(kind, c.tokens(), key, n, s)
	f.doc = c.doc
	for _, d := range explain(c.f.root, c.file, f) {
		c.ds.Append(d)
	}
}

// integerHint says how to write the value of n as a YAML integer, or "" when
// there is nothing better to say than the field's own hint.
func integerHint(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	v := n.Value
	switch n.ShortTag() {
	case "!!str":
		if i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			if n.Style&yaml.TaggedStyle != 0 {
				return fmt.Sprintf("write %d without the %s tag: a whole number, not a string", i, n.Tag)
			}
			return fmt.Sprintf("write %d without quotes: a whole number, not a string", i)
		}
	case "!!int":
		whole := v
		if num, ok := scalar(n).(json.Number); ok {
			whole = string(num)
		}
		switch {
		case quotedScalar(n):
			return fmt.Sprintf("write %s without quotes or tag: a whole number", whole)
		case leadingZero(v):
			octal, decimal := readings(v)
			if octal == decimal {
				return fmt.Sprintf("write %s", decimal)
			}
			return fmt.Sprintf("write %s without the leading zero, or %s if octal %s was meant", decimal, octal, strings.TrimLeft(v, "+-"))
		case yaml12(n):
		case strings.Contains(v, "_"):
			return fmt.Sprintf("write %s, without underscores", whole)
		case binary(v):
			return fmt.Sprintf("write %s, in decimal: YAML 1.2 has no binary numbers", whole)
		default:
			return fmt.Sprintf("write %s", whole)
		}
	case "!!float":
		num, ok := scalar(n).(json.Number)
		if !ok {
			return ""
		}
		r, ok := new(big.Rat).SetString(string(num))
		if !ok || !r.IsInt() {
			return ""
		}
		whole := r.Num()
		if !whole.IsInt64() {
			return "the number is too large for a whole number: write a smaller one"
		}
		w := whole.String()
		switch {
		case n.Style&yaml.TaggedStyle != 0:
			return fmt.Sprintf("write %s without the !!float tag: a whole number", w)
		case strings.ContainsAny(v, "."):
			return fmt.Sprintf("write %s, a whole number without a decimal point", w)
		case strings.ContainsAny(v, "eE"):
			return fmt.Sprintf("write %s, a whole number without an exponent", w)
		case leadingZero(v):
			return fmt.Sprintf("write %s without the leading zero", w)
		}
		return fmt.Sprintf("write %s, a whole number", w)
	}
	return ""
}
