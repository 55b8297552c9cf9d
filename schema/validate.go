package schema

import (
	"bytes"
	"cmp"
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
)

// JSON is the JSON schema of portal.yaml, as embedded in the binary.
//
//go:embed portal.schema.json
var JSON []byte

// schemaURL is the schema's $id; it is only a name, never fetched.
const schemaURL = "https://github.com/qovery/portalctl/schema/portal.schema.json"

// compile builds the validator for a format from the embedded schema.
func compile(f format) (*jsonschema.Schema, error) {
	doc := JSON
	if f.overlay != nil {
		merged, err := mergePatch(JSON, f.overlay)
		if err != nil {
			return nil, fmt.Errorf("apply the %s schema overlay: %w", f.name, err)
		}
		doc = merged
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(schemaURL, bytes.NewReader(doc)); err != nil {
		return nil, fmt.Errorf("load embedded %s schema: %w", f.name, err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("compile embedded %s schema: %w", f.name, err)
	}
	return s, nil
}

func leaves(ve *jsonschema.ValidationError, acc []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return append(acc, ve)
	}
	for _, c := range ve.Causes {
		acc = leaves(c, acc)
	}
	return acc
}

func keyword(ve *jsonschema.ValidationError) string {
	k := ve.KeywordLocation
	return k[strings.LastIndexByte(k, '/')+1:]
}

func splitPtr(ptr string) []string {
	if ptr == "" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		toks[i] = unescapeToken(t)
	}
	return toks
}

// names returns the tokens with duplicate-key markers removed, for messages.
func names(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i], _ = splitDup(t)
	}
	return out
}

// failure is one thing the validator found wrong, with where it is.
type failure struct {
	keyword    string // the failing keyword, e.g. "required"
	message    string // the validator's message
	keywordLoc string
	toks       []string // the instance location from the document's root
	key, val   *yaml.Node
	at         *jsonschema.Schema // the schema holding the keyword, when known
	name       bool               // the failure concerns a mapping key (propertyNames)
	sub        bool               // val is a subtree validated whole (see checker.explain)
	// doc is the document's root, to name a list's entry by its email.
	doc *yaml.Node
}

// explain turns one schema failure into diagnostics that name the node and say what
// to write instead.
func explain(root *jsonschema.Schema, file string, f failure) []diag.Diagnostic {
	if len(f.toks) > 0 && strings.Contains(f.toks[len(f.toks)-1], dupSep) && strings.Contains(f.keywordLoc, "propertyNames") {
		return nil // the name of a duplicated key; the duplication is reported by itself
	}
	toks := names(f.toks)
	key, val := f.key, f.val
	where := describe(toks, f.doc)
	mk := func(n *yaml.Node, code, msg, hint string) diag.Diagnostic {
		return diag.Diagnostic{Pos: nodePos(file, n), Severity: diag.Error, Code: code, Message: msg, Hint: hint}
	}
	if f.name || strings.Contains(f.keywordLoc, "/propertyNames/") {
		container := toks
		if len(container) > 0 {
			container = container[:len(container)-1]
		}
		if len(container) == 1 && container[0] == "groups" {
			return []diag.Diagnostic{mk(key, "bad-name", fmt.Sprintf("group name %s is not allowed", diag.Quote(toks[len(toks)-1])), "start with a letter or digit and use only letters, digits, '.', '_' and '-'")}
		}
		if f.keyword == "minLength" {
			return []diag.Diagnostic{mk(key, "bad-name", fmt.Sprintf("empty name in %s", describe(container, f.doc)), "give it a name")}
		}
		return []diag.Diagnostic{mk(key, "bad-name", fmt.Sprintf("name %s in %s: %s", diag.Quote(toks[len(toks)-1]), describe(container, f.doc), f.message), "")}
	}
	switch f.keyword {
	case "additionalProperties":
		at := f.at
		if at == nil {
			at = schemaAt(root, toks)
		}
		allowed := allowedKeys(at)
		var ds []diag.Diagnostic
		if val != nil && val.Kind == yaml.MappingNode {
			eachPair(val, func(k, _ *yaml.Node) {
				name := keyString(k)
				if contains(allowed, name) || matchesPattern(at, name) {
					return
				}
				hint := "allowed keys: " + strings.Join(allowed, ", ")
				if c := closest(name, allowed); c != "" {
					hint = fmt.Sprintf("did you mean %q? (%s)", c, hint)
				}
				ds = append(ds, mk(k, "unknown-key", fmt.Sprintf("unknown key %s in %s", diag.Quote(name), where), hint))
			})
		}
		return ds
	case "required":
		missing := quoted(f.message)
		var ds []diag.Diagnostic
		for _, m := range missing {
			ds = append(ds, mk(val, "missing-key", fmt.Sprintf("%s has no %q", where, m), requiredHint(m)))
		}
		return ds
	case "type":
		hint := typeHint(toks)
		if len(toks) == 0 && isFragment(root) {
			hint = fragmentMappingHint
		}
		if wantType(f.message) == wantType("expected integer") {
			hint = cmp.Or(integerHint(val), hint)
		}
		return []diag.Diagnostic{mk(val, "wrong-type", fmt.Sprintf("%s must be %s, found %s", where, wantType(f.message), yamlKind(val)), hint)}
	case keywordLeadingZero:
		return []diag.Diagnostic{mk(val, "ambiguous-number", leadingZeroMessage(where, val), integerHint(val))}
	case "const", "enum":
		return []diag.Diagnostic{mk(val, "bad-value", fmt.Sprintf("%s cannot be %s", where, shown(val)), valueHint(toks))}
	case "pattern":
		if len(toks) == 1 && toks[0] == "organization" {
			return []diag.Diagnostic{mk(val, "bad-value", fmt.Sprintf("organization %s is not a Qovery organization id", shown(val)), "write the organization's UUID, e.g. organization: 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10")}
		}
		if len(toks) > 0 && toks[len(toks)-1] == "expires" {
			return []diag.Diagnostic{mk(val, "bad-date", fmt.Sprintf("%s must be a date written YYYY-MM-DD, found %s", where, shown(val)), "write the day the access ends, e.g. `expires: 2026-12-01` (from the start of that day, UTC)")}
		}
		if len(toks) == 3 && toks[0] == "blueprints" && toks[2] == "reviewed" {
			return []diag.Diagnostic{mk(val, "bad-date", fmt.Sprintf("%s must be a date written YYYY-MM-DD, found %s", where, shown(val)), "write the day the owners last reviewed the blueprint's audience, e.g. `reviewed: 2026-11-02`")}
		}
	case "minimum":
		return []diag.Diagnostic{mk(val, "bad-value", fmt.Sprintf("%s cannot be %s", where, shown(val)), valueHint(toks))}
	case "minItems":
		if len(toks) == 2 && toks[0] == "policy" {
			return []diag.Diagnostic{mk(val, "empty-value", fmt.Sprintf("%s is empty: every email would break it", where), "list the domains the file's emails may use, e.g. `allowed_domains: [company.com]`, or remove the rule")}
		}
	case "minLength":
		return []diag.Diagnostic{mk(val, "empty-value", fmt.Sprintf("%s is empty", where), "write a value or remove the entry")}
	}
	return []diag.Diagnostic{mk(val, "schema", fmt.Sprintf("%s: %s", where, f.message), "")}
}

// describe names an instance location the way a person reads the file: an entry of
// members or organization_members by its email when doc (the document's root, or
// nil) gives one, else by its number.
func describe(toks []string, doc *yaml.Node) string {
	switch {
	case len(toks) == 0:
		return "the file"
	case toks[0] == "members" && len(toks) == 1:
		return "members"
	case toks[0] == "members" && len(toks) == 2:
		return entryName(doc, toks[0], toks[1], "member")
	case toks[0] == "members":
		return fmt.Sprintf("%s of %s", toks[2], entryName(doc, toks[0], toks[1], "member"))
	case toks[0] == "organization_members" && len(toks) == 1:
		return "organization_members"
	case toks[0] == "organization_members" && len(toks) == 2:
		return entryName(doc, toks[0], toks[1], "organization member")
	case toks[0] == "organization_members":
		return fmt.Sprintf("%s of %s", toks[2], entryName(doc, toks[0], toks[1], "organization member"))
	case toks[0] == "organization_roles" && len(toks) == 2:
		return "organization role #" + plusOne(toks[1])
	case toks[0] == "organization_roles" && len(toks) > 2:
		return fmt.Sprintf("%s of organization role #%s", toks[2], plusOne(toks[1]))
	case toks[0] == "groups" && len(toks) == 1:
		return "groups"
	case toks[0] == "groups" && len(toks) == 2:
		return fmt.Sprintf("group %s", diag.Quote(toks[1]))
	case toks[0] == "groups":
		return fmt.Sprintf("entry #%s of group %s", plusOne(toks[2]), diag.Quote(toks[1]))
	case toks[0] == "policy" && len(toks) == 1:
		return "policy"
	case toks[0] == "policy" && len(toks) == 2:
		return "policy " + toks[1]
	case toks[0] == "policy":
		return fmt.Sprintf("entry #%s of policy %s", plusOne(toks[2]), toks[1])
	case toks[0] == "blueprints" && len(toks) == 1:
		return "blueprints"
	case toks[0] == "blueprints" && len(toks) == 2:
		return fmt.Sprintf("blueprint %s", diag.Quote(toks[1]))
	case toks[0] == "blueprints" && len(toks) == 3:
		return fmt.Sprintf("%s of blueprint %s", toks[2], diag.Quote(toks[1]))
	case toks[0] == "blueprints":
		return fmt.Sprintf("entry #%s of %s of blueprint %s", plusOne(toks[3]), toks[2], diag.Quote(toks[1]))
	}
	return strings.Join(toks, ".")
}

// entryName names entry index of the list section of doc: "member
// "bob@company.com"" when the entry writes an email, else "member #3".
func entryName(doc *yaml.Node, section, index, what string) string {
	if doc != nil && doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	var email string
	if doc != nil && doc.Kind == yaml.MappingNode {
		eachPair(doc, func(k, v *yaml.Node) {
			i, err := strconv.Atoi(index)
			if keyString(k) != section || v.Kind != yaml.SequenceNode || err != nil || i < 0 || i >= len(v.Content) {
				return
			}
			eachPair(v.Content[i], func(ek, ev *yaml.Node) {
				if keyString(ek) == "email" && ev.Kind == yaml.ScalarNode && ev.Tag == "!!str" && strings.TrimSpace(ev.Value) != "" {
					email = ev.Value
				}
			})
		})
	}
	if email != "" {
		return what + " " + diag.Quote(email)
	}
	return what + " #" + plusOne(index)
}

func plusOne(s string) string {
	var i int
	fmt.Sscanf(s, "%d", &i)
	return fmt.Sprint(i + 1)
}

func requiredHint(key string) string {
	switch key {
	case "version":
		return "add `version: 1` at the top of the file"
	case "email":
		return "add `email: name@company.com`"
	case "role":
		return "add the organization role by name, e.g. `role: Viewer` (Owner, Admin, DevOps, Billing Manager, Viewer, or a custom role)"
	}
	return fmt.Sprintf("add %q", key)
}

// rootMappingHint and fragmentMappingHint say what a root file and a fragment
// are, when the document is something else.
const (
	rootMappingHint     = "a portal.yaml is a mapping that starts with `version: 1`"
	fragmentMappingHint = "a fragment is a mapping of `members:`, `groups:`, `blueprints:` and `organization_members:`; version, organization, policy, codeowners and include belong in the root file"
)

// isFragment reports whether root is a fragment's schema: the one without
// version (fragment.overlay.json removes the root-only keys).
func isFragment(root *jsonschema.Schema) bool {
	_, ok := resolve(root).Properties["version"]
	return !ok
}

func typeHint(toks []string) string {
	last := ""
	if len(toks) > 0 {
		last = toks[len(toks)-1]
	}
	switch {
	case len(toks) == 0:
		return rootMappingHint
	case last == "members":
		return "write a list: `members:` then lines like `  - email: alice@company.com`"
	case toks[0] == "members" && len(toks) == 2:
		return "write `- email: alice@company.com` (and optionally `role: admin`)"
	case last == "organization_members":
		return "write a list: `organization_members:` then lines like `  - email: owner@company.com` and `    role: Owner`"
	case toks[0] == "organization_members" && len(toks) == 2:
		return "write `- email: alice@company.com` and `role: Viewer` (an organization role by name)"
	case toks[0] == "organization_members" && last == "role":
		return "write the role's name, e.g. `role: Admin` or `role: \"Billing Manager\"`"
	case last == "groups" && len(toks) == 1:
		return "write `groups:` then lines like `  contractors: [a@partner.org]`"
	case toks[0] == "groups" && len(toks) == 2:
		return fmt.Sprintf("write a list of emails: `%s: [a@partner.org, b@partner.org]`", toks[1])
	case last == "blueprints":
		return "write `blueprints:` then one key per blueprint name"
	case toks[0] == "blueprints" && len(toks) == 2:
		return fmt.Sprintf("give %s its rules (`domains: [company.com]`) or `access: open`", diag.Quote(toks[1]))
	case last == "domains":
		return "write a list: `domains: [company.com]`"
	case last == "emails":
		return "write a list: `emails: [alice@company.com]`"
	case toks[0] == "blueprints" && len(toks) == 3 && last == "groups":
		return "write a list: `groups: [contractors]`"
	case last == "expires":
		return "write the day the access ends, e.g. `expires: 2026-12-01`"
	case toks[0] == "blueprints" && len(toks) == 3 && last == "owners":
		return "write a list of members' emails: `owners: [alice@company.com]`"
	case toks[0] == "blueprints" && len(toks) == 3 && last == "reviewed":
		return "write the day of the last review, e.g. `reviewed: 2026-11-02`"
	case last == "required_admins":
		return "write a list of admins' emails: `required_admins: [alice@company.com]`"
	case last == "review_every_days":
		return "write a number of days, e.g. `review_every_days: 90`"
	case last == "max_pending_days":
		return "write a number of days, e.g. `max_pending_days: 30`"
	case last == "invited":
		return "write the day the invitation was sent, e.g. `invited: 2026-11-02`"
	case last == "status":
		return "write `status: active` or `status: pending`"
	case last == "policy":
		return "write `policy:` then its rules, e.g. `  allowed_domains: [company.com]`"
	case last == "allowed_domains", last == "require_expiry_outside":
		return fmt.Sprintf("write a list of domains: `%s: [company.com]`", last)
	case last == "max_open_blueprints":
		return "write a whole number, e.g. `max_open_blueprints: 2`"
	case last == "max_expiry_days":
		return "write a number of days, e.g. `max_expiry_days: 90`"
	}
	return "write a single value in quotes, e.g. \"alice@company.com\""
}

func valueHint(toks []string) string {
	last := ""
	if len(toks) > 0 {
		last = toks[len(toks)-1]
	}
	switch last {
	case "version":
		return "write `version: 1`"
	case "role":
		if len(toks) > 0 && toks[0] == "organization_members" {
			return "write the organization role's name, e.g. `role: Viewer`"
		}
		return "write `role: admin` or `role: user`"
	case "access":
		return "write `access: open`, or remove it and list domains, emails or groups"
	case "max_open_blueprints":
		return "write 0 or more, e.g. `max_open_blueprints: 2`"
	case "max_expiry_days":
		return "write 1 or more days, e.g. `max_expiry_days: 90`"
	case "review_every_days":
		return "write 1 or more days, e.g. `review_every_days: 90`"
	case "max_pending_days":
		return "write 1 or more days, e.g. `max_pending_days: 30`"
	case "status":
		if len(toks) > 0 && toks[0] == "organization_members" {
			return "write `status: active` (a member), or `status: pending` or `status: expired` (an invitation)"
		}
		return "write `status: active` or `status: pending` (invited, not logged in yet)"
	}
	return ""
}

func wantType(msg string) string {
	// The validator says "expected array, but got string".
	m := strings.TrimPrefix(msg, "expected ")
	if i := strings.Index(m, ","); i >= 0 {
		m = m[:i]
	}
	switch m {
	case "object":
		return "a mapping (key: value)"
	case "array":
		return "a list"
	case "string":
		return "a string"
	case "integer":
		return "a whole number"
	}
	return m
}

func yamlKind(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!int", "!!float":
			return "a number " + strings.Trim(diag.Quote(n.Value), `"`)
		case "!!bool":
			return "a boolean " + n.Value
		}
		return diag.Quote(n.Value)
	}
	return "a value"
}

func shown(n *yaml.Node) string {
	if n == nil {
		return "empty"
	}
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && n.Value == "":
		return "empty" // the key, then nothing: no value to show
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		return diag.Quote(n.Value)
	case n.Kind == yaml.ScalarNode:
		return strings.Trim(diag.Quote(n.Value), `"`) // a number or a boolean, shown as written
	}
	return yamlKind(n)
}

// quoted extracts the 'names' a validator message quotes.
func quoted(msg string) []string {
	var out []string
	for {
		i := strings.IndexByte(msg, '\'')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(msg[i+1:], '\'')
		if j < 0 {
			return out
		}
		out = append(out, msg[i+1:i+1+j])
		msg = msg[i+2+j:]
	}
}

// schemaAt walks the compiled schema along an instance path.
func schemaAt(s *jsonschema.Schema, toks []string) *jsonschema.Schema {
	for _, t := range toks {
		s = resolve(s)
		if s == nil {
			return nil
		}
		if p, ok := s.Properties[t]; ok {
			s = p
			continue
		}
		if ap, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
			s = ap
			continue
		}
		if s.Items2020 != nil {
			s = s.Items2020
			continue
		}
		return nil
	}
	return resolve(s)
}

func resolve(s *jsonschema.Schema) *jsonschema.Schema {
	for i := 0; s != nil && s.Ref != nil && i < 16; i++ {
		s = s.Ref
	}
	return s
}

func allowedKeys(s *jsonschema.Schema) []string {
	if s == nil {
		return nil
	}
	keys := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func matchesPattern(s *jsonschema.Schema, name string) bool {
	if s == nil {
		return false
	}
	for re := range s.PatternProperties {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
