package reconcile_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var fixedTime = time.Date(2025, 3, 14, 15, 9, 26, 535_000_000, time.FixedZone("CET", 3600))

// goldenPlan plans testdata/golden-plan.yaml against planLive().
func goldenPlan(t *testing.T) *reconcile.Plan {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "golden-plan.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, ds := reconcile.Diff(parseFile(t, string(src)), planLive(), reconcile.DiffOptions{})
	if len(ds) != 0 {
		t.Fatalf("diagnostics: %+v", ds)
	}
	return p
}

func encodePlan(t testing.TB, p *reconcile.Plan) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := reconcile.WritePlan(&buf, p.ToJSON(fixedTime)); err != nil {
		t.Fatalf("WritePlan: %v", err)
	}
	return buf.Bytes()
}

// comparableOps drops what the plan file does not carry (source positions) and
// treats empty and nil rule lists alike.
func comparableOps(ops []reconcile.Op) []reconcile.Op {
	strip := func(rs []portal.Rule) []portal.Rule {
		if len(rs) == 0 {
			return nil
		}
		out := make([]portal.Rule, len(rs))
		for i, r := range rs {
			r.Pos = portal.Pos{}
			out[i] = r
		}
		return out
	}
	out := make([]reconcile.Op, len(ops))
	for i, o := range ops {
		o.Rules, o.Added, o.Removed = strip(o.Rules), strip(o.Added), strip(o.Removed)
		out[i] = o
	}
	return out
}

func TestPlanFileRoundTrip(t *testing.T) {
	p := goldenPlan(t)
	if len(p.Ops) != 6 {
		t.Fatalf("the golden input should plan one op of every kind, got %v", actions(p.Ops))
	}
	back, err := reconcile.ReadPlan(bytes.NewReader(encodePlan(t, p)), nil)
	if err != nil {
		t.Fatalf("ReadPlan: %v", err)
	}
	if got, want := comparableOps(back.Ops), comparableOps(p.Ops); !reflect.DeepEqual(got, want) {
		t.Errorf("ops after a round trip:\n%+v\nwant\n%+v", got, want)
	}
	if back.Fingerprint != p.Fingerprint || back.Organization != p.Organization {
		t.Errorf("fingerprint/organization %q %q, want %q %q", back.Fingerprint, back.Organization, p.Fingerprint, p.Organization)
	}
	if !reflect.DeepEqual(back.Unmanaged, p.Unmanaged) {
		t.Errorf("unmanaged %+v, want %+v", back.Unmanaged, p.Unmanaged)
	}
	// The group an email rule came from survives, so apply can still say it.
	var grouped bool
	for _, o := range back.Ops {
		for _, r := range o.Rules {
			grouped = grouped || r.Group == "contractors"
		}
	}
	if !grouped {
		t.Error("the group of an expanded email rule was lost")
	}
}

func TestPlanJSONGolden(t *testing.T) {
	got := encodePlan(t, goldenPlan(t))
	if bytes.Contains(got, []byte(testToken)) {
		t.Fatal("the plan holds the token")
	}
	path := filepath.Join("testdata", "plan.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestPlanJSONGolden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("plan JSON differs from %s (re-run with -update if the change is intended):\n%s", path, got)
	}
	// What the summary says is checked by hand, not only against the golden file.
	var pj reconcile.PlanJSON
	if err := json.Unmarshal(got, &pj); err != nil {
		t.Fatal(err)
	}
	s := pj.Summary
	if s.Invite != 1 || s.Promote != 1 || s.UpdateACL != 2 || s.Demote != 1 || s.Remove != 1 {
		t.Errorf("summary counts %+v", s)
	}
	if !reflect.DeepEqual(s.BecomesOpen, []string{"data-science"}) {
		t.Errorf("blueprints becoming open %v", s.BecomesOpen)
	}
	if !pj.CreatedAt.Equal(fixedTime.Truncate(time.Second)) || pj.CreatedAt.Location() != time.UTC {
		t.Errorf("created_at %v: want the time in UTC, to the second", pj.CreatedAt)
	}
	if pj.FormatVersion != reconcile.FormatVersion {
		t.Errorf("format_version %d", pj.FormatVersion)
	}
}

// validPlanDoc is the golden plan as a generic document that cases edit.
func validPlanDoc(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(encodePlan(t, goldenPlan(t)), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// opAt returns the first operation of the document with the given action.
func opAt(doc map[string]any, action string) map[string]any {
	for _, o := range doc["operations"].([]any) {
		if o := o.(map[string]any); o["action"] == action {
			return o
		}
	}
	panic("no " + action)
}

func desiredOf(doc map[string]any) map[string]any { return doc["desired"].(map[string]any) }

func marshalDoc(t *testing.T, doc map[string]any) []byte {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// reseal recomputes the digest of an edited document, as someone who knows the
// format would, and signs it with key when key is set.
func reseal(t *testing.T, data []byte, key []byte) []byte {
	t.Helper()
	var pj reconcile.PlanJSON
	if err := json.Unmarshal(data, &pj); err != nil {
		t.Fatal(err)
	}
	pj.Seal(key)
	var buf bytes.Buffer
	if err := reconcile.WritePlan(&buf, pj); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A plan file must be one well-formed document of this format, whose operations
// and desired state are what this package writes; anything else is refused before
// its digest is even looked at.
func TestReadPlanRefusesMalformed(t *testing.T) {
	if _, err := reconcile.ReadPlan(bytes.NewReader(marshalDoc(t, validPlanDoc(t))), nil); err != nil {
		t.Fatalf("the base document is refused: %v", err)
	}
	tests := []struct {
		name    string
		edit    func(map[string]any)
		raw     func([]byte) []byte
		wantMsg string
	}{
		{name: "unknown top-level field", edit: func(d map[string]any) { d["token"] = "x" }, wantMsg: "token"},
		{name: "unknown operation field", edit: func(d map[string]any) { opAt(d, "invite")["force"] = true }, wantMsg: "force"},
		{name: "unknown desired field", edit: func(d map[string]any) { desiredOf(d)["groups"] = map[string]any{} }, wantMsg: "groups"},
		{name: "format version 1", edit: func(d map[string]any) { d["format_version"] = 1 }, wantMsg: "run plan again"},
		{name: "format version missing", edit: func(d map[string]any) { delete(d, "format_version") }, wantMsg: "format_version"},
		{name: "no fingerprint", edit: func(d map[string]any) { delete(d, "fingerprint") }, wantMsg: "fingerprint"},
		{name: "empty fingerprint", edit: func(d map[string]any) { d["fingerprint"] = "" }, wantMsg: "fingerprint"},
		{name: "no digest", edit: func(d map[string]any) { delete(d, "digest") }, wantMsg: "no digest"},
		{name: "no desired state", edit: func(d map[string]any) { delete(d, "desired") }, wantMsg: "desired"},
		{name: "no operations", edit: func(d map[string]any) { delete(d, "operations") }, wantMsg: "operations"},
		{name: "desired organization differs", edit: func(d map[string]any) { desiredOf(d)["organization"] = "11111111-2222-3333-4444-555555555555" }, wantMsg: "differs"},
		{name: "email without @", edit: func(d map[string]any) { opAt(d, "invite")["email"] = "erin" }, wantMsg: "bad email"},
		{name: "email not normalised", edit: func(d map[string]any) { opAt(d, "promote")["email"] = "Dave@company.com" }, wantMsg: "bad email"},
		{name: "email with spaces", edit: func(d map[string]any) { opAt(d, "remove")["email"] = " mallory@company.com" }, wantMsg: "bad email"},
		{name: "unknown action", edit: func(d map[string]any) { opAt(d, "invite")["action"] = "delete" }, wantMsg: "unknown action"},
		{name: "no action", edit: func(d map[string]any) { delete(opAt(d, "invite"), "action") }, wantMsg: "unknown action"},
		{name: "bad role", edit: func(d map[string]any) { opAt(d, "invite")["role"] = "owner" }, wantMsg: "bad role"},
		{name: "invite without role", edit: func(d map[string]any) { delete(opAt(d, "invite"), "role") }, wantMsg: "bad role"},
		{name: "invite with a member id", edit: func(d map[string]any) { opAt(d, "invite")["member_id"] = "m-alice" }, wantMsg: "member_id"},
		{name: "invite with a blueprint", edit: func(d map[string]any) { opAt(d, "invite")["blueprint_id"] = "bp-ds" }, wantMsg: "blueprint fields"},
		{name: "demote whose role is admin", edit: func(d map[string]any) { opAt(d, "demote")["role"] = "admin" }, wantMsg: "contradicts"},
		{name: "promote whose role is user", edit: func(d map[string]any) { opAt(d, "promote")["role"] = "user" }, wantMsg: "contradicts"},
		{name: "promote from admin", edit: func(d map[string]any) { opAt(d, "promote")["from_role"] = "admin" }, wantMsg: "from_role"},
		{name: "remove with a from_role", edit: func(d map[string]any) { opAt(d, "remove")["from_role"] = "admin" }, wantMsg: "from_role"},
		{name: "remove without member id", edit: func(d map[string]any) { delete(opAt(d, "remove"), "member_id") }, wantMsg: "member_id"},
		{name: "update_acl without blueprint id", edit: func(d map[string]any) { delete(opAt(d, "update_acl"), "blueprint_id") }, wantMsg: "blueprint_id"},
		{name: "update_acl with a member", edit: func(d map[string]any) { opAt(d, "update_acl")["email"] = "alice@company.com" }, wantMsg: "member fields"},
		{name: "unknown rule type", edit: func(d map[string]any) {
			opAt(d, "update_acl")["rules"] = []any{map[string]any{"type": "DOMAIN", "value": "company.com"}}
		}, wantMsg: "rule type"},
		{name: "rule value not normalised", edit: func(d map[string]any) {
			opAt(d, "update_acl")["rules_added"] = []any{map[string]any{"type": "domain", "value": "@Company.com"}}
		}, wantMsg: "bad domain rule"},
		{name: "email rule that is not an email", edit: func(d map[string]any) {
			opAt(d, "update_acl")["rules_removed"] = []any{map[string]any{"type": "email", "value": "company.com"}}
		}, wantMsg: "bad email rule"},
		{name: "desired member twice", edit: func(d map[string]any) {
			m := desiredOf(d)["members"].([]any)
			desiredOf(d)["members"] = append(m, m[0])
		}, wantMsg: "twice"},
		{name: "desired member with a bad role", edit: func(d map[string]any) {
			desiredOf(d)["members"].([]any)[0].(map[string]any)["role"] = "root"
		}, wantMsg: "bad role"},
		{name: "desired rules out of order", edit: func(d map[string]any) {
			b := desiredOf(d)["blueprints"].([]any)[0].(map[string]any)
			b["rules"] = []any{map[string]any{"type": "email", "value": "a@company.com"}, map[string]any{"type": "domain", "value": "company.com"}}
		}, wantMsg: "canonical order"},
		{name: "desired blueprint twice", edit: func(d map[string]any) {
			bs := desiredOf(d)["blueprints"].([]any)
			desiredOf(d)["blueprints"] = append(bs, bs[0])
		}, wantMsg: "twice"},
		{name: "desired value with a bidi override", edit: func(d map[string]any) {
			desiredOf(d)["blueprints"].([]any)[0].(map[string]any)["name"] = "data\u202escience"
		}, wantMsg: "U+202E"},
		{name: "remove before invite", edit: func(d map[string]any) {
			ops := d["operations"].([]any)
			ops[0], ops[len(ops)-1] = ops[len(ops)-1], ops[0]
		}, wantMsg: "out of order"},
		{name: "field twice", raw: func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"organization":`), []byte(`"organization":"x","organization":`), 1)
		}, wantMsg: "twice"},
		{name: "trailing data", raw: func(b []byte) []byte { return append(b, []byte("\n{\"more\":1}")...) }, wantMsg: "trailing"},
		{name: "trailing garbage", raw: func(b []byte) []byte { return append(b, []byte(" xyz")...) }, wantMsg: "trailing"},
		{name: "not JSON", raw: func([]byte) []byte { return []byte("format_version: 2\n") }, wantMsg: "not a portalctl plan"},
		{name: "empty", raw: func([]byte) []byte { return nil }, wantMsg: "not a portalctl plan"},
		{name: "truncated", raw: func(b []byte) []byte { return b[:len(b)/2] }, wantMsg: "not a portalctl plan"},
		{name: "operations not a list", edit: func(d map[string]any) { d["operations"] = map[string]any{} }, wantMsg: "not a portalctl plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := validPlanDoc(t)
			if tt.edit != nil {
				tt.edit(doc)
			}
			data := marshalDoc(t, doc)
			if tt.raw != nil {
				data = tt.raw(data)
			}
			p, err := reconcile.ReadPlan(bytes.NewReader(data), nil)
			if err == nil {
				t.Fatalf("ReadPlan accepted it: %+v", p)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

// Every field apply acts on is covered by the digest: changing any of them, while
// the document stays well-formed, is refused as "modified after plan". What is only
// shown to humans (the time, the summary, the impact, the unmanaged list) is
// recomputed by apply, and may differ.
func TestReadPlanDetectsEdits(t *testing.T) {
	set := func(field string, v any) func(map[string]any, string) {
		return func(d map[string]any, action string) { opAt(d, action)[field] = v }
	}
	rule := func(typ, value string) []any { return []any{map[string]any{"type": typ, "value": value}} }
	tests := []struct {
		name   string
		action string // the operation edited, if any
		edit   func(map[string]any, string)
		caught bool
	}{
		{"invite email", "invite", set("email", "eve@company.com"), true},
		{"invite role", "invite", set("role", "admin"), true},
		{"promote email", "promote", set("email", "erin@company.com"), true},
		{"promote member id", "promote", set("member_id", "m-alice"), true},
		{"remove member id: the admin's", "remove", set("member_id", "m-alice"), true},
		{"remove email", "remove", set("email", "alice@company.com"), true},
		{"remove role", "remove", set("role", "admin"), true},
		{"demote from_role and role", "demote", func(d map[string]any, a string) {
			opAt(d, a)["action"], opAt(d, a)["role"], opAt(d, a)["from_role"] = "demote", "user", "admin"
			opAt(d, a)["member_id"] = "m-alice"
		}, true},
		{"update_acl blueprint", "update_acl", set("blueprint", "ml-lab"), true},
		{"update_acl blueprint id", "update_acl", set("blueprint_id", "bp-ml"), true},
		{"update_acl etag", "update_acl", set("etag", `"stale"`), true},
		{"update_acl rules", "update_acl", set("rules", rule("domain", "gmail.com")), true},
		{"update_acl rules emptied: open", "", func(d map[string]any, _ string) {
			for _, o := range d["operations"].([]any) {
				if o := o.(map[string]any); o["action"] == "update_acl" && o["rules"] != nil {
					delete(o, "rules")
					return
				}
			}
			panic("no ACL update with rules")
		}, true},
		{"update_acl rules_added", "update_acl", set("rules_added", rule("domain", "gmail.com")), true},
		{"update_acl rules_removed", "update_acl", set("rules_removed", rule("domain", "gmail.com")), true},
		{"rule group", "", func(d map[string]any, _ string) {
			for _, o := range d["operations"].([]any) {
				rules, _ := o.(map[string]any)["rules"].([]any)
				for _, r := range rules {
					if r := r.(map[string]any); r["group"] != nil {
						r["group"] = "admins"
						return
					}
				}
			}
			panic("no grouped rule")
		}, true},
		{"operation added: an invitation as admin", "", func(d map[string]any, _ string) {
			ops := d["operations"].([]any)
			d["operations"] = append([]any{map[string]any{"action": "invite", "email": "mallory@evil.com", "role": "admin"}}, ops...)
		}, true},
		{"operation removed", "", func(d map[string]any, _ string) {
			ops := d["operations"].([]any)
			d["operations"] = ops[1:]
		}, true},
		{"desired member added", "", func(d map[string]any, _ string) {
			ms := desiredOf(d)["members"].([]any)
			desiredOf(d)["members"] = append(ms, map[string]any{"email": "mallory@evil.com", "role": "admin"})
		}, true},
		{"desired member role", "", func(d map[string]any, _ string) {
			desiredOf(d)["members"].([]any)[0].(map[string]any)["role"] = "user"
		}, true},
		{"desired rule", "", func(d map[string]any, _ string) {
			desiredOf(d)["blueprints"].([]any)[0].(map[string]any)["rules"] = rule("domain", "gmail.com")
		}, true},
		{"organization", "", func(d map[string]any, _ string) {
			d["organization"] = "11111111-2222-3333-4444-555555555555"
			desiredOf(d)["organization"] = "11111111-2222-3333-4444-555555555555"
		}, true},
		{"fingerprint", "", func(d map[string]any, _ string) { d["fingerprint"] = "sha256:" + strings.Repeat("0", 64) }, true},
		{"digest", "", func(d map[string]any, _ string) { d["digest"] = "sha256:" + strings.Repeat("0", 64) }, true},
		{"created_at", "", func(d map[string]any, _ string) { d["created_at"] = "2030-01-01T00:00:00Z" }, false},
		{"summary", "", func(d map[string]any, _ string) { d["summary"].(map[string]any)["remove"] = 0 }, false},
		{"impact", "", func(d map[string]any, _ string) { d["impact"] = []any{} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := validPlanDoc(t)
			tt.edit(doc, tt.action)
			_, err := reconcile.ReadPlan(bytes.NewReader(marshalDoc(t, doc)), nil)
			switch {
			case tt.caught && !errors.Is(err, reconcile.ErrPlanModified):
				t.Fatalf("err = %v, want %q", err, reconcile.ErrPlanModified)
			case tt.caught && !strings.Contains(err.Error(), "modified after plan: run plan again"):
				t.Errorf("message %q", err)
			case !tt.caught && err != nil:
				t.Fatalf("an edit of what apply recomputes was refused: %v", err)
			}
		})
	}
}

func TestReadPlanSignature(t *testing.T) {
	key := []byte("0123456789abcdef-plan-key")
	other := []byte("another-key-of-enough-length")
	unsigned := encodePlan(t, goldenPlan(t))
	signed := reseal(t, unsigned, key)
	if !bytes.Contains(signed, []byte(`"signature": "hmac-sha256:`)) {
		t.Fatalf("no signature written:\n%s", signed)
	}
	if bytes.Contains(signed, key) {
		t.Fatal("the signed plan holds the key")
	}
	var forged map[string]any
	json.Unmarshal(signed, &forged)
	forged["fingerprint"] = "sha256:" + strings.Repeat("1", 64)
	forgedResealed := reseal(t, marshalDoc(t, forged), nil) // digest redone, signature dropped
	forged["signature"] = "hmac-sha256:" + strings.Repeat("ab", 32)
	badSignature := reseal(t, marshalDoc(t, forged), nil)
	var withSig map[string]any
	json.Unmarshal(badSignature, &withSig)
	withSig["signature"] = forged["signature"]
	badSignature = marshalDoc(t, withSig)

	tests := []struct {
		name    string
		plan    []byte
		key     []byte
		wantErr string // "" = accepted
	}{
		{"unsigned, no key", unsigned, nil, ""},
		{"signed, right key", signed, key, ""},
		{"unsigned, key set", unsigned, key, "not signed"},
		{"signed, other key", signed, other, "does not match PORTALCTL_PLAN_KEY"},
		{"signed, no key", signed, nil, "set it to the key"},
		{"edited and resealed without the key", forgedResealed, key, "not signed"},
		{"edited, resealed, signature made up", badSignature, key, "does not match PORTALCTL_PLAN_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reconcile.ReadPlan(bytes.NewReader(tt.plan), tt.key)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if err != nil && (bytes.Contains([]byte(err.Error()), key) || bytes.Contains([]byte(err.Error()), other)) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}

// The streamed document is exactly what encoding/json makes of PlanJSON with an
// indent of two spaces, and WriteJSON writes what WritePlan writes of ToJSON.
func TestWritePlanIsEncodingJSON(t *testing.T) {
	empty, _ := reconcile.Diff(parseFile(t, planFile), planLive(), reconcile.DiffOptions{})
	for name, p := range map[string]*reconcile.Plan{"golden": goldenPlan(t), "empty": empty, "offline": {Organization: testOrg}} {
		t.Run(name, func(t *testing.T) {
			pj := p.ToJSON(fixedTime)
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(pj); err != nil {
				t.Fatal(err)
			}
			got := encodePlan(t, p)
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("WritePlan:\n%s\nencoding/json:\n%s", got, want.Bytes())
			}
			var streamed bytes.Buffer
			if err := p.WriteJSON(&streamed, fixedTime, nil); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(streamed.Bytes(), got) {
				t.Errorf("WriteJSON differs from WritePlan(ToJSON):\n%s", streamed.Bytes())
			}
		})
	}
}

// The digest is the SHA-256 of the compact JSON of the fields apply acts on, as
// documented: anyone can check it with a JSON library.
func TestDigestIsDocumented(t *testing.T) {
	pj := goldenPlan(t).ToJSON(fixedTime)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		FormatVersion int                    `json:"format_version"`
		Organization  string                 `json:"organization"`
		Fingerprint   string                 `json:"fingerprint"`
		Desired       *reconcile.DesiredJSON `json:"desired"`
		Operations    []reconcile.OpJSON     `json:"operations"`
	}{pj.FormatVersion, pj.Organization, pj.Fingerprint, pj.Desired, pj.Operations})
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	if want := "sha256:" + hex.EncodeToString(sum[:]); pj.Digest != want {
		t.Errorf("digest %s, want %s", pj.Digest, want)
	}
}

// Bidirectional and invisible controls that come from the live portal (a blueprint
// or member name) are written as \u escapes: the file and plan -o json carry none
// raw, and the values read back unchanged.
func TestWritePlanEscapesHiddenControls(t *testing.T) {
	live := planLive()
	live.Blueprints = append(live.Blueprints, portal.Blueprint{ID: "bp-x", Name: "invoice\u202egpj.exe", Open: true, ETag: `"x"`})
	live.Blueprints = append(live.Blueprints, portal.Blueprint{ID: "bp-z", Name: "zed\u200bsandbox", Open: true, ETag: `"z"`})
	live.Sort()
	p, ds := reconcile.Diff(parseFile(t, planFile), live, reconcile.DiffOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	out := encodePlan(t, p)
	for _, r := range []rune{'\u202e', '\u200b'} {
		if bytes.ContainsRune(out, r) {
			t.Errorf("the plan holds U+%04X raw", r)
		}
	}
	for _, esc := range []string{`invoice\u202egpj.exe`, `zed\u200bsandbox`} {
		if !bytes.Contains(out, []byte(esc)) {
			t.Errorf("the plan lacks the escape %s:\n%s", esc, out)
		}
	}
	back, err := reconcile.ReadPlan(bytes.NewReader(out), nil)
	if err != nil {
		t.Fatalf("ReadPlan: %v", err)
	}
	if got := back.Unmanaged[len(back.Unmanaged)-2].Name; got != "invoice\u202egpj.exe" {
		t.Errorf("name read back as %q", got)
	}
	if got := back.Unmanaged[len(back.Unmanaged)-1].Name; got != "zed\u200bsandbox" {
		t.Errorf("name read back as %q", got)
	}
	// Written one byte at a time, split characters are escaped all the same.
	var slow bytes.Buffer
	if err := reconcile.WritePlan(oneByteWriter{&slow}, p.ToJSON(fixedTime)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(slow.Bytes(), out) {
		t.Error("writing through a one-byte writer changes the output")
	}
}

type oneByteWriter struct{ w io.Writer }

func (o oneByteWriter) Write(p []byte) (int, error) {
	for i := range p {
		if _, err := o.w.Write(p[i : i+1]); err != nil {
			return i, err
		}
	}
	return len(p), nil
}

// The one size limit: CapWriter stops a plan larger than MaxPlanBytes while it is
// written.
func TestCapWriter(t *testing.T) {
	var buf bytes.Buffer
	w := &reconcile.CapWriter{W: &buf, Max: 100}
	err := goldenPlan(t).WriteJSON(w, fixedTime, nil)
	if !errors.Is(err, reconcile.ErrPlanTooLarge) {
		t.Fatalf("err = %v, want ErrPlanTooLarge", err)
	}
	if buf.Len() > 100 {
		t.Errorf("%d bytes went through a 100-byte cap", buf.Len())
	}
	if !strings.Contains(reconcile.ErrPlanTooLarge.Error(), fmt.Sprint(reconcile.MaxPlanBytes>>20)) {
		t.Errorf("ErrPlanTooLarge does not name the limit: %v", reconcile.ErrPlanTooLarge)
	}
}

func FuzzReadPlan(f *testing.F) {
	if golden, err := os.ReadFile(filepath.Join("testdata", "plan.golden.json")); err == nil {
		f.Add(golden)
	}
	f.Add([]byte(`{"format_version":2,"fingerprint":"x","operations":[]}`))
	f.Add([]byte(`{"format_version":2,"organization":"o","fingerprint":"x","digest":"sha256:0","operations":[],"desired":{"organization":"o","members":[],"blueprints":[]}}`))
	f.Add([]byte(`{"format_version":2,"fingerprint":"x","operations":[{"action":"remove","email":"a@b.co","member_id":"1","role":"admin"}]}`))
	f.Add([]byte(`{"format_version":2,"fingerprint":"x","operations":[{"action":"update_acl","blueprint":"b","blueprint_id":"1","rules":[{"type":"email","value":"a@xn--bcher-kva.de","group":"g"}]}]}`))
	f.Add([]byte(`{"format_version":1,"fingerprint":"x","operations":[{"action":"invite","email":"A@b.co","role":"user"}]}]`))
	f.Add(encodePlan(f, orgFuzzPlan(f)))
	f.Add([]byte(`{"format_version":2,"organization":"o","fingerprint":"x","digest":"sha256:0","operations":[{"action":"org_reinvite","email":"a@b.co","invite_id":"i","role":"Admin","role_id":"r","from_role":"Viewer","from_role_id":"v","expired":true}],"desired":{"organization":"o","members":[],"blueprints":[],"organization_members":[{"email":"a@b.co","role":"Admin"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := reconcile.ReadPlan(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		if p.Fingerprint == "" || p.Desired == nil || p.Digest == "" {
			t.Fatal("accepted a plan without a fingerprint, a desired state or a digest")
		}
		again, err := reconcile.ReadPlan(bytes.NewReader(encodePlan(t, p)), nil)
		if err != nil {
			t.Fatalf("a plan ReadPlan accepted does not re-read after ToJSON/WritePlan: %v\n%s", err, encodePlan(t, p))
		}
		if !reflect.DeepEqual(comparableOps(again.Ops), comparableOps(p.Ops)) {
			t.Fatalf("ops changed through a round trip:\n%+v\n%+v", p.Ops, again.Ops)
		}
		if again.Fingerprint != p.Fingerprint || again.Organization != p.Organization || again.Digest != p.Digest || !reflect.DeepEqual(again.Unmanaged, p.Unmanaged) {
			t.Fatalf("plan changed through a round trip: %+v vs %+v", p, again)
		}
	})
}

// orgFuzzPlan is a plan with one organization operation of every kind, made
// without a server: the fuzz target's seed for the organization's fields.
func orgFuzzPlan(t testing.TB) *reconcile.Plan {
	t.Helper()
	live := planLive()
	live.Org = must(organization.FromAPI(
		[]organization.Role{{ID: "r-owner", Name: "Owner"}, {ID: "r-admin", Name: "Admin"}, {ID: "r-viewer", Name: "Viewer"}},
		[]organization.Member{{ID: "github|1", Email: "alice@company.com", RoleID: "r-owner", Role: organization.LegacyOwner}, {ID: "github|2", Email: "bob@company.com", RoleID: "r-viewer"}, {ID: "github|3", Email: "gone@company.com", RoleID: "r-viewer"}},
		[]organization.Invitation{{ID: "i-1", Email: "late@company.com", RoleID: "r-viewer", InvitationStatus: organization.StatusExpired}, {ID: "i-2", Email: "stale@company.com", RoleID: "r-viewer", InvitationStatus: organization.StatusPending}}))
	src := planFile + "organization_members:\n  - {email: alice@company.com, role: Owner}\n  - {email: bob@company.com, role: admin}\n  - {email: late@company.com, role: Viewer}\n  - {email: new@company.com, role: Viewer}\n"
	l, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg, ds := l.Parse("portal.yaml", []byte(src))
	if ds.HasErrors() {
		t.Fatalf("%+v", ds)
	}
	p, ds := reconcile.Diff(cfg, live, reconcile.DiffOptions{})
	if ds.HasErrors() || p.Count(reconcile.OrgInvite)+p.Count(reconcile.OrgReinvite)+p.Count(reconcile.OrgChangeRole)+p.Count(reconcile.OrgCancelInvite)+p.Count(reconcile.OrgRemove) != 5 {
		t.Fatalf("org plan %v %+v", actions(p.Ops), ds)
	}
	return p
}
