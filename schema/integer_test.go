package schema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// integerField is an integer field of portal.yaml, in a file that is valid
// when it holds 1.
type integerField struct {
	name string
	file string // the file, with %s where the number goes
	line int    // where the number is
	col  int
	// value reads the field out of the model; set is false when it is unset.
	value func(*portal.Config) (n int, set bool)
}

const integerRest = "members:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  a:\n    domains: [company.com]\n"

var integerFields = []integerField{
	{
		name: "version", file: "version: %s\n" + integerRest, line: 1, col: 10,
		value: func(c *portal.Config) (int, bool) { return c.Version, c.Version != 0 },
	},
	{
		name: "max_open_blueprints", file: "version: 1\npolicy:\n  max_open_blueprints: %s\n" + integerRest, line: 3, col: 24,
		value: func(c *portal.Config) (int, bool) {
			return c.Policy.MaxOpenBlueprints, c.Policy.Has(portal.PolicyMaxOpenBlueprints)
		},
	},
	{
		name: "max_expiry_days", file: "version: 1\npolicy:\n  require_expiry_outside: [company.com]\n  max_expiry_days: %s\n" + integerRest, line: 4, col: 20,
		value: func(c *portal.Config) (int, bool) {
			return c.Policy.MaxExpiryDays, c.Policy.Has(portal.PolicyMaxExpiryDays)
		},
	},
}

// integerCase is a spelling of a number, and what becomes of it.
type integerCase struct {
	name     string
	spelling string
	value    int    // accepted: the value read
	code     string // refused: the error's code
	message  string // ... a part of its message
	hint     string // ... its hint, whole
}

// TestIntegerFields: every integer field accepts the integers every YAML reader
// reads as the same integer and refuses, at file:line:column and saying what to
// write, the spellings whose JSON value is a whole number but that are not YAML
// integers (floats, strings, a leading zero) or that YAML 1.2 reads otherwise
// (underscores, 0b binary, upper-case or signed prefixes, a quoted !!int).
func TestIntegerFields(t *testing.T) {
	one := []integerCase{
		{name: "plain", spelling: "1", value: 1},
		{name: "with a sign", spelling: "+1", value: 1},
		{name: "hexadecimal", spelling: "0x1", value: 1},
		{name: "octal with 0o", spelling: "0o1", value: 1},
		{name: "binary", spelling: "0b1", code: "ambiguous-number", message: `is written 0b1: portalctl's YAML reader (YAML 1.1) reads it as 1, binary, and a YAML 1.2 reader as the string "0b1"`, hint: "write 1, in decimal: YAML 1.2 has no binary numbers"},
		{name: "binary, tagged !!int", spelling: "!!int 0b1", code: "ambiguous-number", message: `a YAML 1.2 reader as the string "0b1"`, hint: "write 1, in decimal: YAML 1.2 has no binary numbers"},
		{name: "trailing underscores", spelling: "1__", code: "ambiguous-number", message: `is written 1__: portalctl's YAML reader (YAML 1.1) reads it as 1 and a YAML 1.2 reader as the string "1__"`, hint: "write 1, without underscores"},
		{name: "hexadecimal with an underscore", spelling: "0x1_", code: "ambiguous-number", message: `a YAML 1.2 reader as the string "0x1_"`, hint: "write 1, without underscores"},
		{name: "octal with an underscore", spelling: "0o0_1", code: "ambiguous-number", message: `a YAML 1.2 reader as the string "0o0_1"`, hint: "write 1, without underscores"},
		{name: "upper-case X", spelling: "0X1", code: "ambiguous-number", message: `is written 0X1: portalctl's YAML reader (YAML 1.1) reads it as 1 and a YAML 1.2 reader as the string "0X1"`, hint: "write 1"},
		{name: "upper-case O", spelling: "0O1", code: "ambiguous-number", message: `a YAML 1.2 reader as the string "0O1"`, hint: "write 1"},
		{name: "signed hexadecimal", spelling: "+0x1", code: "ambiguous-number", message: `a YAML 1.2 reader as the string "+0x1"`, hint: "write 1"},
		{name: "tagged !!int, double-quoted", spelling: `!!int "1"`, code: "ambiguous-number", message: `is written !!int "1", a quoted string tagged as an integer: portalctl's YAML reader reads it as 1, and whether another reads a string or a number depends on the reader`, hint: "write 1 without quotes or tag: a whole number"},
		{name: "tagged !!int, single-quoted", spelling: `!!int '1'`, code: "ambiguous-number", message: `is written !!int '1', a quoted string`, hint: "write 1 without quotes or tag: a whole number"},
		{name: "tagged !!int, quoted hexadecimal", spelling: `!!int "0x1"`, code: "ambiguous-number", message: `is written !!int "0x1", a quoted string`, hint: "write 1 without quotes or tag: a whole number"},
		{name: "tagged !!int", spelling: "!!int 1", value: 1},
		{name: "with a comment", spelling: "1 # one", value: 1},
		{name: "decimal point", spelling: "1.0", code: "wrong-type", message: "must be a whole number, found a number 1.0", hint: "write 1, a whole number without a decimal point"},
		{name: "trailing point", spelling: "1.", code: "wrong-type", message: "must be a whole number, found a number 1.", hint: "write 1, a whole number without a decimal point"},
		{name: "exponent", spelling: "1e0", code: "wrong-type", message: "must be a whole number, found a number 1e0", hint: "write 1, a whole number without an exponent"},
		{name: "tagged !!float", spelling: "!!float 1", code: "wrong-type", message: "must be a whole number, found a number 1", hint: "write 1 without the !!float tag: a whole number"},
		{name: "double-quoted", spelling: `"1"`, code: "wrong-type", message: `must be a whole number, found "1"`, hint: "write 1 without quotes: a whole number, not a string"},
		{name: "single-quoted", spelling: `'1'`, code: "wrong-type", message: `must be a whole number, found "1"`, hint: "write 1 without quotes: a whole number, not a string"},
		{name: "tagged !!str", spelling: "!!str 1", code: "wrong-type", message: `must be a whole number, found "1"`, hint: "write 1 without the !!str tag: a whole number, not a string"},
		{name: "leading zero, one digit", spelling: "01", code: "ambiguous-number", message: "is written 01: a number has no leading zero", hint: "write 1"},
		{name: "fraction", spelling: "1.5", code: "wrong-type", message: "must be a whole number, found a number 1.5"},
	}
	policies := []integerCase{
		{name: "underscores", spelling: "1_000", code: "ambiguous-number", message: `is written 1_000: portalctl's YAML reader (YAML 1.1) reads it as 1000 and a YAML 1.2 reader as the string "1_000"`, hint: "write 1000, without underscores"},
		{name: "signed binary", spelling: "+0b11", code: "ambiguous-number", message: `reads it as 3, binary, and a YAML 1.2 reader as the string "+0b11"`, hint: "write 3, in decimal: YAML 1.2 has no binary numbers"},
		{name: "signed octal", spelling: "+0o17", code: "ambiguous-number", message: `reads it as 15 and a YAML 1.2 reader as the string "+0o17"`, hint: "write 15"},
		{name: "octal 0o17", spelling: "0o17", value: 15},
		{name: "hexadecimal 0x10", spelling: "0x10", value: 16},
		{name: "30.0", spelling: "30.0", code: "wrong-type", message: "must be a whole number, found a number 30.0", hint: "write 30, a whole number without a decimal point"},
		{name: "leading zero", spelling: "017", code: "ambiguous-number", message: "is written 017 with a leading zero: portalctl's YAML reader (YAML 1.1) reads it as 15, octal, and a YAML 1.2 reader as 17", hint: "write 17 without the leading zero, or 0o17 if octal 017 was meant"},
		{name: "leading zero, not octal", spelling: "019", code: "wrong-type", message: "found a number 019", hint: "write 19 without the leading zero"},
		{name: "too large for YAML's integers", spelling: "99999999999999999999", code: "wrong-type", message: "must be a whole number, found a number 99999999999999999999", hint: "the number is too large for a whole number: write a smaller one"},
		{name: "too large for the model", spelling: "3000000000", code: "bad-value", message: "3000000000 is too large", hint: "write at most 2147483647"},
	}
	for _, f := range integerFields {
		cases := one
		switch f.name {
		case "max_open_blueprints":
			cases = append(append(cases, policies...),
				integerCase{name: "0.0", spelling: "0.0", code: "wrong-type", message: "policy max_open_blueprints must be a whole number, found a number 0.0", hint: "write 0, a whole number without a decimal point"},
				integerCase{name: "minus zero", spelling: "-0", code: "wrong-type", message: "found a number -0", hint: "write 0, a whole number"},
				integerCase{name: "zero", spelling: "0", value: 0})
		case "max_expiry_days":
			cases = append(cases, policies...)
		}
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				src := fmt.Sprintf(f.file, tc.spelling)
				cfg, ds := newLoader(t).Parse("portal.yaml", []byte(src))
				var errs []diag.Diagnostic
				for _, d := range ds {
					if d.Severity == diag.Error {
						errs = append(errs, d)
					}
				}
				if tc.code == "" {
					if len(errs) > 0 {
						t.Fatalf("%s refused: %v\n%s", tc.spelling, errs, src)
					}
					if n, set := f.value(cfg); !set || n != tc.value {
						t.Fatalf("%s read as %d (set %v), want %d", tc.spelling, n, set, tc.value)
					}
					return
				}
				if len(errs) != 1 {
					t.Fatalf("%s: %d errors, want 1: %v\n%s", tc.spelling, len(errs), errs, src)
				}
				d := errs[0]
				if d.Pos.Line != f.line || d.Pos.Col != f.col || d.Code != tc.code ||
					!strings.Contains(d.Message, tc.message) || !strings.Contains(d.Message, f.name) {
					t.Errorf("got %s %s: %s\nwant %d:%d %s: …%s… naming %s", d.Pos, d.Code, d.Message, f.line, f.col, tc.code, tc.message, f.name)
				}
				if tc.hint != "" && d.Hint != tc.hint {
					t.Errorf("hint %q, want %q", d.Hint, tc.hint)
				}
				if d.Hint == "" {
					t.Errorf("no hint: %v", d)
				}
				if f.name != "version" {
					if n, set := f.value(cfg); set {
						t.Errorf("a refused %s is enforced as %d", f.name, n)
					}
				}
			})
		}
	}
}

// TestFloatPolicyIsAnError: `max_open_blueprints: 0.0` with two open
// blueprints used to pass, the policy silently off; it is an error at the
// number, and written 0 the policy holds.
func TestFloatPolicyIsAnError(t *testing.T) {
	const file = "version: 1\npolicy:\n  max_open_blueprints: %s\nmembers:\n  - email: alice@company.com\n    role: admin\nblueprints:\n  a:\n    access: open\n  b:\n    access: open\n"
	for _, tc := range []struct {
		name, spelling string
		want           []string
	}{
		{"0.0", "0.0", []string{"3:24 wrong-type"}},
		{"1e0", "1e0", []string{"3:24 wrong-type"}},
		{"0", "0", []string{"8:3 policy-max-open-blueprints", "10:3 policy-max-open-blueprints"}},
		{"1", "1", []string{"10:3 policy-max-open-blueprints"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ds := newLoader(t).Parse("portal.yaml", []byte(fmt.Sprintf(file, tc.spelling)))
			var got []string
			for _, d := range ds {
				if d.Severity == diag.Error {
					got = append(got, fmt.Sprintf("%d:%d %s", d.Pos.Line, d.Pos.Col, d.Code))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
