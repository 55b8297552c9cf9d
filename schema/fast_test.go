package schema

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
)

// TestFastSchemaOracle checks the walk that applies the JSON schema to the node
// tree against the validator run on the whole document converted to Go values:
// on random documents of every shape, both report the same problems at the same
// places. (Not with an empty key: the validator's instance locations cannot tell
// "/a//b" from "/a/b", and only the walk reports those right.)
func TestFastSchemaOracle(t *testing.T) {
	t.Parallel() // seconds of CPU each, independent: they share the cores at the end of make test
	l := newLoader(t)
	r := rand.New(rand.NewPCG(5, 6))
	compared := 0
	for i := 0; i < 3000; i++ {
		src, err := yaml.Dump(randomDocument(r))
		if err != nil {
			t.Fatal(err)
		}
		root, ok := parseYAML("r.yaml", src, &diag.Collector{})
		if !ok {
			continue
		}
		fast := &diag.Collector{}
		l.fast.check("r.yaml", root, nil, fast)
		whole := &diag.Collector{}
		c := checker{f: l.fast, file: "r.yaml", ds: whole, doc: root}
		c.library(deref(root), l.schema, nil)
		got, want := renderSet(fast.List()), renderSet(whole.List())
		if !slices.Equal(got, want) {
			t.Fatalf("document:\n%s\nthe walk says:\n%q\nthe validator says:\n%q", src, got, want)
		}
		compared++
	}
	if compared < 2500 {
		t.Fatalf("only %d documents compared", compared)
	}
}

func renderSet(ds diag.List) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%s %s %s: %s (%s)", d.Pos, d.Severity, d.Code, d.Message, d.Hint)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func pick[T any](r *rand.Rand, values ...T) T { return values[r.IntN(len(values))] }

// randomScalar is any value a careless hand may write.
func randomScalar(r *rand.Rand) any {
	return pick[any](r, "alice@company.com", "", "open", "closed", "admin", "user", "owner",
		"0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", "not-a-uuid", "company.com", 1, 2, 1.5, true, nil, "-bad name")
}

// randomNumber is a number as a hand may spell it: integers in YAML's
// spellings (those of YAML 1.1 that YAML 1.2 reads as strings included), floats
// that are whole numbers (which the JSON view cannot tell from integers), quoted
// integers, tagged or not, and other values.
func randomNumber(r *rand.Rand) any {
	spelling := pick(r, "1", "0", "2", "-1", "+1", "0x1", "0o1", "1_0", "01", "00", "0b1", "0X1", "1__", "+0x1",
		"1.0", "0.0", "1e0", "30.", "-0", "1.5", "99999999999999999999", "18446744073709551615")
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: spelling}
	switch r.IntN(7) {
	case 0:
		n.Tag, n.Style = "!!float", yaml.TaggedStyle
		n.Value = pick(r, "1", "0", "30", "0x1")
	case 1:
		n.Style = yaml.DoubleQuotedStyle
	case 2:
		n.Tag, n.Style = "!!int", yaml.TaggedStyle|yaml.DoubleQuotedStyle
		n.Value = pick(r, "1", "0x1", "01")
	}
	return n
}

func randomValue(r *rand.Rand, depth int) any {
	if depth > 2 || r.IntN(3) > 0 {
		return randomScalar(r)
	}
	if r.IntN(2) == 0 {
		list := []any{}
		for i := r.IntN(3); i > 0; i-- {
			list = append(list, randomValue(r, depth+1))
		}
		return list
	}
	m := map[string]any{}
	for i := r.IntN(3); i > 0; i-- {
		m[pick(r, "email", "x", "domains")] = randomValue(r, depth+1)
	}
	return m
}

// maybe returns v most of the time, else a value of another shape.
func maybe(r *rand.Rand, v any) any {
	if r.IntN(5) == 0 {
		return randomValue(r, 1)
	}
	return v
}

func randomList(r *rand.Rand, item func() any) []any {
	var out []any
	for i := r.IntN(4); i > 0; i-- {
		out = append(out, item())
	}
	return out
}

func randomDocument(r *rand.Rand) map[string]any {
	doc := map[string]any{}
	if r.IntN(6) > 0 {
		doc["version"] = maybe(r, randomNumber(r))
	}
	if r.IntN(3) == 0 {
		policy := map[string]any{}
		for _, k := range []string{"max_open_blueprints", "max_expiry_days", "allowed_domains", "max_open"} {
			if r.IntN(2) == 0 {
				policy[k] = maybe(r, randomNumber(r))
			}
		}
		doc["policy"] = maybe(r, policy)
	}
	if r.IntN(3) == 0 {
		doc["organization"] = pick[any](r, "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", "acme", 42)
	}
	if r.IntN(4) > 0 {
		doc["members"] = maybe(r, randomList(r, func() any {
			m := map[string]any{}
			for _, k := range []string{"email", "role", "rol", "status"} {
				if r.IntN(2) == 0 {
					m[k] = maybe(r, pick[any](r, "a@company.com", "admin", "user", "owner", ""))
				}
			}
			return maybe(r, m)
		}))
	}
	if r.IntN(3) == 0 {
		groups := map[string]any{}
		for i := r.IntN(3); i > 0; i-- {
			groups[pick(r, "team", "ok_1.x", "-bad", "with space")] = maybe(r, randomList(r, func() any { return maybe(r, "a@company.com") }))
		}
		doc["groups"] = maybe(r, groups)
	}
	if r.IntN(4) > 0 {
		bps := map[string]any{}
		for i := r.IntN(4); i > 0; i-- {
			bp := map[string]any{}
			for _, k := range []string{"access", "domains", "emails", "groups", "domian"} {
				if r.IntN(3) == 0 {
					switch k {
					case "access", "domian":
						bp[k] = maybe(r, pick[any](r, "open", "closed"))
					default:
						bp[k] = maybe(r, randomList(r, func() any { return maybe(r, pick[any](r, "company.com", "a@company.com", "")) }))
					}
				}
			}
			bps[pick(r, "data-science", "x", "y z", "~/odd")] = maybe(r, bp)
		}
		doc["blueprints"] = maybe(r, bps)
	}
	if r.IntN(5) == 0 {
		doc[pick(r, "member", "x-common", "extra")] = randomValue(r, 0)
	}
	return doc
}
