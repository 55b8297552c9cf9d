package reconcile_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
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
	back, err := reconcile.ReadPlan(bytes.NewReader(encodePlan(t, p)))
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

// validPlanDoc is a small valid plan file as a generic document that cases edit.
func validPlanDoc() map[string]any {
	return map[string]any{
		"format_version": 1,
		"created_at":     "2025-03-14T14:09:26Z",
		"organization":   testOrg,
		"fingerprint":    "sha256:abc",
		"summary":        map[string]any{"invite": 1},
		"operations": []any{
			map[string]any{"action": "invite", "email": "erin@company.com", "role": "user"},
			map[string]any{"action": "promote", "email": "bob@company.com", "member_id": "m-bob", "role": "admin", "from_role": "user"},
			map[string]any{"action": "update_acl", "blueprint": "ds", "blueprint_id": "bp-ds", "etag": `"e"`,
				"rules": []any{map[string]any{"type": "domain", "value": "company.com"}}},
			map[string]any{"action": "demote", "email": "carol@partner.org", "member_id": "m-carol", "role": "user", "from_role": "admin"},
			map[string]any{"action": "remove", "email": "dave@company.com", "member_id": "m-dave", "role": "user"},
		},
		"impact":    []any{},
		"unmanaged": []any{map[string]any{"name": "ml-lab", "open": false}},
	}
}

func op(doc map[string]any, i int) map[string]any {
	return doc["operations"].([]any)[i].(map[string]any)
}

func marshalDoc(t *testing.T, doc map[string]any) []byte {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestReadPlanRefuses(t *testing.T) {
	if _, err := reconcile.ReadPlan(bytes.NewReader(marshalDoc(t, validPlanDoc()))); err != nil {
		t.Fatalf("the base document is refused: %v", err)
	}
	tests := []struct {
		name    string
		edit    func(map[string]any)
		raw     func([]byte) []byte
		wantMsg string
	}{
		{name: "unknown top-level field", edit: func(d map[string]any) { d["token"] = "x" }, wantMsg: "token"},
		{name: "unknown operation field", edit: func(d map[string]any) { op(d, 0)["force"] = true }, wantMsg: "force"},
		{name: "format version 2", edit: func(d map[string]any) { d["format_version"] = 2 }, wantMsg: "format_version 2"},
		{name: "format version missing", edit: func(d map[string]any) { delete(d, "format_version") }, wantMsg: "format_version"},
		{name: "no fingerprint", edit: func(d map[string]any) { delete(d, "fingerprint") }, wantMsg: "fingerprint"},
		{name: "empty fingerprint", edit: func(d map[string]any) { d["fingerprint"] = "" }, wantMsg: "fingerprint"},
		{name: "email without @", edit: func(d map[string]any) { op(d, 0)["email"] = "erin" }, wantMsg: "bad email"},
		{name: "email not normalised", edit: func(d map[string]any) { op(d, 1)["email"] = "Bob@company.com" }, wantMsg: "bad email"},
		{name: "email with spaces", edit: func(d map[string]any) { op(d, 4)["email"] = " dave@company.com" }, wantMsg: "bad email"},
		{name: "unknown action", edit: func(d map[string]any) { op(d, 0)["action"] = "delete" }, wantMsg: "unknown action"},
		{name: "no action", edit: func(d map[string]any) { delete(op(d, 0), "action") }, wantMsg: "unknown action"},
		{name: "bad role", edit: func(d map[string]any) { op(d, 0)["role"] = "owner" }, wantMsg: "bad role"},
		{name: "invite without role", edit: func(d map[string]any) { delete(op(d, 0), "role") }, wantMsg: "bad role"},
		{name: "demote whose role is admin", edit: func(d map[string]any) { op(d, 3)["role"] = "admin" }, wantMsg: "contradicts"},
		{name: "promote whose role is user", edit: func(d map[string]any) { op(d, 1)["role"] = "user" }, wantMsg: "contradicts"},
		{name: "remove without member id", edit: func(d map[string]any) { delete(op(d, 4), "member_id") }, wantMsg: "member_id"},
		{name: "update_acl without blueprint id", edit: func(d map[string]any) { delete(op(d, 2), "blueprint_id") }, wantMsg: "blueprint_id"},
		{name: "unknown rule type", edit: func(d map[string]any) {
			op(d, 2)["rules"] = []any{map[string]any{"type": "DOMAIN", "value": "company.com"}}
		}, wantMsg: "rule type"},
		{name: "rule value not normalised", edit: func(d map[string]any) {
			op(d, 2)["rules_added"] = []any{map[string]any{"type": "domain", "value": "@Company.com"}}
		}, wantMsg: "bad domain rule"},
		{name: "email rule that is not an email", edit: func(d map[string]any) {
			op(d, 2)["rules_removed"] = []any{map[string]any{"type": "email", "value": "company.com"}}
		}, wantMsg: "bad email rule"},
		{name: "remove before invite", edit: func(d map[string]any) {
			ops := d["operations"].([]any)
			ops[0], ops[4] = ops[4], ops[0]
		}, wantMsg: "out of order"},
		{name: "update_acl after demote", edit: func(d map[string]any) {
			ops := d["operations"].([]any)
			ops[2], ops[3] = ops[3], ops[2]
		}, wantMsg: "out of order"},
		{name: "trailing data", raw: func(b []byte) []byte { return append(b, []byte("\n{\"more\":1}")...) }, wantMsg: "trailing"},
		{name: "trailing garbage", raw: func(b []byte) []byte { return append(b, []byte(" xyz")...) }, wantMsg: "trailing"},
		{name: "not JSON", raw: func([]byte) []byte { return []byte("format_version: 1\n") }, wantMsg: "not a portalctl plan"},
		{name: "empty", raw: func([]byte) []byte { return nil }, wantMsg: "not a portalctl plan"},
		{name: "operations not a list", edit: func(d map[string]any) { d["operations"] = map[string]any{} }, wantMsg: "not a portalctl plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := validPlanDoc()
			if tt.edit != nil {
				tt.edit(doc)
			}
			data := marshalDoc(t, doc)
			if tt.raw != nil {
				data = tt.raw(data)
			}
			p, err := reconcile.ReadPlan(bytes.NewReader(data))
			if err == nil {
				t.Fatalf("ReadPlan accepted it: %+v", p)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

// The plan file is one JSON value: a stray closing bracket after it is trailing data
// like any other, and a truncated or concatenated file must not pass for a plan.
func TestReadPlanRefusesTrailingCloser(t *testing.T) {
	for _, tail := range []string{"}", "]", "\n]\n", "}}"} {
		data := append(marshalDoc(t, validPlanDoc()), tail...)
		if _, err := reconcile.ReadPlan(bytes.NewReader(data)); err == nil {
			t.Errorf("ReadPlan accepted a plan followed by %q", tail)
		}
	}
}

func TestReadPlanSizeLimit(t *testing.T) {
	big := append(marshalDoc(t, validPlanDoc()), bytes.Repeat([]byte(" "), 64<<20)...)
	if _, err := reconcile.ReadPlan(bytes.NewReader(big)); err == nil || !strings.Contains(err.Error(), "MiB") {
		t.Errorf("ReadPlan of a file over 64 MiB: %v, want a size error", err)
	}
}

func FuzzReadPlan(f *testing.F) {
	if golden, err := os.ReadFile(filepath.Join("testdata", "plan.golden.json")); err == nil {
		f.Add(golden)
	}
	f.Add([]byte(`{"format_version":1,"fingerprint":"x","operations":[]}`))
	f.Add([]byte(`{"format_version":1,"fingerprint":"x","operations":[{"action":"remove","email":"a@b.co","member_id":"1","role":"admin"}]}`))
	f.Add([]byte(`{"format_version":1,"fingerprint":"x","operations":[{"action":"update_acl","blueprint":"b","blueprint_id":"1","rules":[{"type":"email","value":"a@xn--bcher-kva.de","group":"g"}]}]}`))
	f.Add([]byte(`{"format_version":1,"fingerprint":"x","operations":[{"action":"invite","email":"A@b.co","role":"user"}]}]`))
	f.Add([]byte(`{"format_version":1,"fingerprint":"x","unmanaged":[{"name":"n","open":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := reconcile.ReadPlan(bytes.NewReader(data))
		if err != nil {
			return
		}
		if p.Fingerprint == "" {
			t.Fatal("accepted a plan without a fingerprint")
		}
		again, err := reconcile.ReadPlan(bytes.NewReader(encodePlan(t, p)))
		if err != nil {
			t.Fatalf("a plan ReadPlan accepted does not re-read after ToJSON/WritePlan: %v\n%s", err, encodePlan(t, p))
		}
		if !reflect.DeepEqual(comparableOps(again.Ops), comparableOps(p.Ops)) {
			t.Fatalf("ops changed through a round trip:\n%+v\n%+v", p.Ops, again.Ops)
		}
		if again.Fingerprint != p.Fingerprint || again.Organization != p.Organization || !reflect.DeepEqual(again.Unmanaged, p.Unmanaged) {
			t.Fatalf("plan changed through a round trip: %+v vs %+v", p, again)
		}
	})
}
