package planfile_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/internal/testkit"
	"github.com/qovery/portalctl/planfile"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

// A plan file reads back as the plan it was made from: the same operations,
// fingerprint and organization, and a desired state that is the file's model,
// groups included, so that apply derives the same operations from it.
func TestRoundTrip(t *testing.T) {
	p := plan(t)
	if len(p.Ops) != 12 {
		t.Fatalf("the fixture should plan every kind of operation, got %d", len(p.Ops))
	}
	back, err := read(t, encoded(t, p), nil, today)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if got, want := opsJSON(back.Ops), opsJSON(p.Ops); got != want {
		t.Errorf("operations after a round trip:\n%s\nwant\n%s", got, want)
	}
	if back.Fingerprint != p.Fingerprint || back.Organization != p.Organization || back.Digest == "" {
		t.Errorf("fingerprint, organization, digest %q %q %q", back.Fingerprint, back.Organization, back.Digest)
	}
	if msg := schema.SameConfig(back.Desired, p.Desired); msg != "" {
		t.Errorf("the desired state read back: %s", msg)
	}
	bp, _ := back.Desired.Blueprint("python-starter")
	if !reflect.DeepEqual(bp.Groups, []string{"contractors", "empty"}) {
		t.Errorf("the groups the blueprint names: %v", bp.Groups)
	}
	fresh, err := reconcile.Recheck(back, live(), today)
	if err != nil {
		t.Fatalf("Recheck: %v", err)
	}
	if opsJSON(fresh.Ops) != opsJSON(p.Ops) || !reflect.DeepEqual(fresh.Unmanaged, p.Unmanaged) {
		t.Errorf("apply derives %s, unmanaged %v", opsJSON(fresh.Ops), fresh.Unmanaged)
	}
}

func TestGolden(t *testing.T) {
	got := encoded(t, plan(t))
	testkit.Golden(t, filepath.Join("testdata", "plan.golden.json"), got)
	f := fields(t, got)
	if !f.CreatedAt.Equal(fixedTime.Truncate(time.Second)) || f.CreatedAt.Location() != time.UTC {
		t.Errorf("created_at %v: want the time in UTC, to the second", f.CreatedAt)
	}
	if f.FormatVersion != 3 || planfile.FormatVersion != 3 {
		t.Errorf("format_version %d", f.FormatVersion)
	}
	if !bytes.HasPrefix(got, []byte("{\n  \"format_version\": ")) {
		t.Error("the file does not start with its format_version, as plan --out recognises a plan")
	}
}

// An offline plan (preview's: no fingerprint) and a plan without a desired
// state cannot be saved.
func TestOnlyLivePlansAreSaved(t *testing.T) {
	p := plan(t)
	for name, q := range map[string]*reconcile.Plan{
		"offline":       {Organization: testOrg, Desired: p.Desired},
		"without state": {Organization: testOrg, Fingerprint: p.Fingerprint},
	} {
		if _, err := planfile.Marshal(q, fixedTime, nil); err == nil {
			t.Errorf("%s: saved", name)
		}
	}
}

// A plan file must be one document of this format, written as Encode writes it;
// anything else is refused before its digest is looked at.
func TestReadRefusesMalformed(t *testing.T) {
	valid := encoded(t, plan(t))
	if _, err := read(t, valid, nil, today); err != nil {
		t.Fatalf("the base document is refused: %v", err)
	}
	field := func(name, value string) func([]byte) []byte {
		return func(b []byte) []byte {
			return bytes.Replace(b, []byte("\n  \"format_version\": 3,"), []byte("\n  \"format_version\": 3,\n  \""+name+"\": "+value+","), 1)
		}
	}
	replace := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte {
			if !bytes.Contains(b, []byte(old)) {
				panic("no " + old)
			}
			return bytes.Replace(b, []byte(old), []byte(new), 1)
		}
	}
	tests := []struct {
		name string
		raw  func([]byte) []byte
		want string
	}{
		{"format version 2", func([]byte) []byte {
			data, err := os.ReadFile(filepath.Join("testdata", "format2.plan.json"))
			if err != nil {
				panic(err)
			}
			return data
		}, "plan portal.plan was made by an older portalctl (format 2): run plan again"},
		{"format version 1", replace(`"format_version": 3`, `"format_version": 1`), "made by an older portalctl (format 1): run plan again"},
		{"format version 4", replace(`"format_version": 3`, `"format_version": 4`), "made by a newer portalctl (format 4; this one reads format 3)"},
		{"no format version", replace(`"format_version": 3,`, ``), "not a portalctl plan file: no format_version"},
		{"unknown field", field("token", `"x"`), `unknown field "token"`},
		{"unknown operation field", replace(`"action": "invite",`, `"action": "invite", "force": true,`), `unknown field "force"`},
		{"the desired state as an object, as format 2 had it", replace(`"desired": "`, `"desired": {}, "x": "`), "not a portalctl plan file"},
		{"a field twice", field("organization", `"11111111-2222-3333-4444-555555555555"`), "not written as portalctl writes it"},
		{"a key in another case", replace(`"fingerprint":`, `"FINGERPRINT":`), "not written as portalctl writes it"},
		{"keys in another order", func(b []byte) []byte {
			var doc map[string]any
			json.Unmarshal(b, &doc)
			out, _ := json.Marshal(doc)
			return out
		}, "not written as portalctl writes it"},
		{"a value written otherwise", replace(`"format_version": 3`, `"format_version": 3.0`), "not a portalctl plan file"},
		{"an escape written otherwise", replace(`"role": "user"`, `"role": "us\u0065r"`), "not written as portalctl writes it"},
		{"trailing data", func(b []byte) []byte { return append(b, []byte("\n{\"more\":1}")...) }, "not a portalctl plan file"},
		{"trailing garbage", func(b []byte) []byte { return append(b, []byte(" xyz")...) }, "not a portalctl plan file"},
		{"not JSON", func([]byte) []byte { return []byte("format_version: 3\n") }, "not a portalctl plan file"},
		{"empty", func([]byte) []byte { return nil }, "not a portalctl plan file"},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, "not a portalctl plan file"},
		{"operations not a list", replace(`"operations": [`, `"operations": "x", "y": [`), "not a portalctl plan file"},
		{"no fingerprint", func(b []byte) []byte { return edit(t, b, func(f *planfile.File) { f.Fingerprint = "" }, true, nil) }, "no fingerprint"},
		{"no digest", func(b []byte) []byte { return edit(t, b, func(f *planfile.File) { f.Digest = "" }, false, nil) }, "no digest"},
		{"no organization", func(b []byte) []byte { return edit(t, b, func(f *planfile.File) { f.Organization = "" }, true, nil) }, "no organization"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := read(t, tt.raw(bytes.Clone(valid)), nil, today)
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if errors.Is(err, planfile.ErrModified) {
				t.Errorf("refused as modified rather than malformed: %v", err)
			}
		})
	}
}

// Every field apply acts on is under the digest: changing any of them, the file
// still well-formed, is refused as "modified after plan". created_at is for
// people, and may differ.
func TestReadDetectsEdits(t *testing.T) {
	valid := encoded(t, plan(t))
	rules := []reconcile.RuleJSON{{Type: portal.RuleDomain, Value: "gmail.com"}}
	tests := []struct {
		name   string
		change func(f *planfile.File)
		caught bool
	}{
		{"invite email", func(f *planfile.File) { opOf(f, reconcile.Invite).Email = "eve@company.com" }, true},
		{"invite role", func(f *planfile.File) { opOf(f, reconcile.Invite).Role = "admin" }, true},
		{"promote member id", func(f *planfile.File) { opOf(f, reconcile.Promote).MemberID = "m-alice" }, true},
		{"remove member id: the admin's", func(f *planfile.File) { opOf(f, reconcile.Remove).MemberID = "m-alice" }, true},
		{"remove role", func(f *planfile.File) { opOf(f, reconcile.Remove).Role = "admin" }, true},
		{"an expiry's reason", func(f *planfile.File) { f.Operations[9].ExpiredOn = "2026-11-19" }, true},
		{"demote from_role", func(f *planfile.File) { opOf(f, reconcile.Demote).FromRole = "user" }, true},
		{"update_acl blueprint id", func(f *planfile.File) { opOf(f, reconcile.UpdateACL).BlueprintID = "bp-ml" }, true},
		{"update_acl etag", func(f *planfile.File) { opOf(f, reconcile.UpdateACL).ETag = `"stale"` }, true},
		{"update_acl rules", func(f *planfile.File) { opOf(f, reconcile.UpdateACL).Rules = rules }, true},
		{"update_acl rules_added", func(f *planfile.File) { opOf(f, reconcile.UpdateACL).Added = rules }, true},
		{"rule group", func(f *planfile.File) { f.Operations[6].Rules[2].Group = "admins" }, true},
		{"org_change_role role id", func(f *planfile.File) { opOf(f, reconcile.OrgChangeRole).RoleID = "r-owner" }, true},
		{"org_reinvite expired", func(f *planfile.File) { opOf(f, reconcile.OrgReinvite).Expired = false }, true},
		{"operation added", func(f *planfile.File) {
			f.Operations = append(f.Operations, reconcile.OpJSON{Action: reconcile.Invite, Email: "mallory@evil.com", Role: "admin"})
		}, true},
		{"operation removed", func(f *planfile.File) { f.Operations = f.Operations[1:] }, true},
		{"desired state", func(f *planfile.File) {
			f.Desired = strings.Replace(f.Desired, "members:\n", "members:\n  - email: mallory@evil.com\n    role: admin\n", 1)
		}, true},
		{"organization", func(f *planfile.File) { f.Organization = "11111111-2222-3333-4444-555555555555" }, true},
		{"fingerprint", func(f *planfile.File) { f.Fingerprint = "sha256:" + strings.Repeat("0", 64) }, true},
		{"digest", func(f *planfile.File) { f.Digest = "sha256:" + strings.Repeat("0", 64) }, true},
		{"created_at", func(f *planfile.File) { f.CreatedAt = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, edit(t, valid, tt.change, false, nil), nil, today)
			switch {
			case tt.caught && !errors.Is(err, planfile.ErrModified):
				t.Fatalf("err = %v, want %q", err, planfile.ErrModified)
			case tt.caught && !strings.Contains(err.Error(), "modified after plan: run plan again"):
				t.Errorf("message %q", err)
			case !tt.caught && err != nil:
				t.Fatalf("an edit of what apply does not act on was refused: %v", err)
			}
		})
	}
}

// An edit resealed by someone who knows the format passes the digest: what the
// plan holds is then refused when it is not what portalctl writes (an operation
// with fields its action does not carry, a date that is not one, a desired state
// the loader refuses), and otherwise by Recheck, which derives the operations
// again from the desired state.
func TestResealedEdits(t *testing.T) {
	valid := encoded(t, plan(t))
	tests := []struct {
		name    string
		change  func(f *planfile.File)
		want    string // from reading the plan; "" when it reads
		recheck string // from Recheck, when the plan reads
	}{
		{"an organization field on a portal operation", func(f *planfile.File) { opOf(f, reconcile.Demote).RoleID = "r-admin" }, "is not an operation portalctl writes", ""},
		{"a portal field on an organization operation", func(f *planfile.File) { opOf(f, reconcile.OrgRemove).BlueprintID = "bp-ds" }, "is not an operation portalctl writes", ""},
		{"an expired_on that is not a date", func(f *planfile.File) { f.Operations[9].ExpiredOn = "2026-11-31" }, `expired_on "2026-11-31" is not a date`, ""},
		{"an expired_on written otherwise", func(f *planfile.File) { f.Operations[9].ExpiredOn = "2026-11-20T00:00:00Z" }, "is not a date", ""},
		{"an expired_on on an invitation", func(f *planfile.File) { opOf(f, reconcile.Invite).ExpiredOn = "2026-11-20" }, "", "does not follow from the plan's desired state"},
		{"an unknown action", func(f *planfile.File) { opOf(f, reconcile.Invite).Action = "delete" }, "", "does not follow"},
		{"an operation out of order", func(f *planfile.File) {
			f.Operations[3], f.Operations[8] = f.Operations[8], f.Operations[3]
		}, "", "does not follow"},
		{"a removal dropped", func(f *planfile.File) { f.Operations = append(f.Operations[:8], f.Operations[9:]...) }, "", "does not follow"},
		{"a desired state that is not YAML", func(f *planfile.File) { f.Desired = "members: [" }, "the plan's desired state does not load: portal.plan (desired state):1:", ""},
		{"a desired state with a bidi override", func(f *planfile.File) {
			f.Desired = strings.Replace(f.Desired, "data-science:", "data\u202escience:", 1)
		}, "does not load", ""},
		{"a desired state that breaks its policy", func(f *planfile.File) {
			f.Desired = strings.Replace(f.Desired, "max_open_blueprints: 2", "max_open_blueprints: 0", 1)
		}, "max_open_blueprints", ""},
		{"a desired state of another organization", func(f *planfile.File) {
			f.Desired = strings.Replace(f.Desired, testOrg, "11111111-2222-3333-4444-555555555555", 1)
		}, `its desired state for "11111111-2222-3333-4444-555555555555"`, ""},
		{"a desired member added", func(f *planfile.File) {
			f.Desired = strings.Replace(f.Desired, "members:\n", "members:\n  - email: mallory@evil.com\n    role: admin\n", 1)
		}, "", `which gives invite "mallory@evil.com"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved, err := read(t, edit(t, valid, tt.change, true, nil), nil, today)
			switch {
			case tt.want != "":
				if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, reconcile.ErrRefused) {
					t.Fatalf("err = %v, want a refusal saying %q", err, tt.want)
				}
				return
			case err != nil:
				t.Fatalf("read: %v", err)
			}
			_, err = reconcile.Recheck(saved, live(), today)
			if err == nil || !strings.Contains(err.Error(), tt.recheck) || !errors.Is(err, reconcile.ErrRefused) {
				t.Fatalf("Recheck = %v, want a refusal saying %q", err, tt.recheck)
			}
		})
	}
}

// Apply judges expiry on its own day: a plan an expiry overtook is refused.
func TestExpiredSincePlan(t *testing.T) {
	saved, err := read(t, encoded(t, plan(t)), nil, today.AddDays(60))
	if err != nil {
		t.Fatal(err)
	}
	_, err = reconcile.Recheck(saved, live(), today.AddDays(80))
	if !errors.Is(err, reconcile.ErrExpiredSincePlan) || !strings.Contains(err.Error(), "carol@partner.org's access expired on 2027-01-15, after the plan was made") {
		t.Fatalf("Recheck 80 days later: %v", err)
	}
}

// A stale plan: the live state changed since.
func TestStale(t *testing.T) {
	saved, err := read(t, encoded(t, plan(t)), nil, today)
	if err != nil {
		t.Fatal(err)
	}
	changed := live()
	changed.Blueprints[0].ETag = `"e-ds-2"`
	if _, err := reconcile.Recheck(saved, changed, today); !errors.Is(err, reconcile.ErrStale) {
		t.Fatalf("Recheck after the portal changed: %v", err)
	}
}

func TestReadSignature(t *testing.T) {
	key := []byte("0123456789abcdef-plan-key")
	other := []byte("another-key-of-enough-length")
	p := plan(t)
	unsigned := encoded(t, p)
	signed, err := planfile.Marshal(p, fixedTime, key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(signed, []byte(`"signature": "hmac-sha256:`)) || bytes.Contains(unsigned, []byte(`"signature"`)) {
		t.Fatalf("signature:\n%s", signed)
	}
	if bytes.Contains(signed, key) {
		t.Fatal("the signed plan holds the key")
	}
	forged := edit(t, signed, func(f *planfile.File) { f.Fingerprint = "sha256:" + strings.Repeat("1", 64) }, true, nil)
	madeUp := edit(t, forged, func(f *planfile.File) { f.Signature = "hmac-sha256:" + strings.Repeat("ab", 32) }, false, nil)
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
		{"edited and resealed without the key", forged, key, "not signed"},
		{"edited, resealed, signature made up", madeUp, key, "does not match PORTALCTL_PLAN_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, tt.plan, tt.key, today)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, reconcile.ErrRefused)):
				t.Fatalf("err = %v, want a refusal saying %q", err, tt.wantErr)
			}
			if err != nil && (strings.Contains(err.Error(), string(key)) || strings.Contains(err.Error(), string(other))) {
				t.Errorf("the error shows the key: %v", err)
			}
		})
	}
}

// The digest is the SHA-256 of the compact JSON of the fields apply acts on, as
// documented: anyone can check it with a JSON library.
func TestDigestIsDocumented(t *testing.T) {
	f := fields(t, encoded(t, plan(t)))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		FormatVersion int                `json:"format_version"`
		Organization  string             `json:"organization"`
		Fingerprint   string             `json:"fingerprint"`
		Desired       string             `json:"desired"`
		Operations    []reconcile.OpJSON `json:"operations"`
	}{f.FormatVersion, f.Organization, f.Fingerprint, f.Desired, f.Operations})
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	if want := "sha256:" + hex.EncodeToString(sum[:]); f.Digest != want {
		t.Errorf("digest %s, want %s", f.Digest, want)
	}
}

// Bidirectional and invisible controls the operations carry from the live portal
// (an ETag, ids, an organization role's name) are written as \u escapes: the file
// holds none raw, and the values read back unchanged.
func TestHiddenControlsEscaped(t *testing.T) {
	l := live()
	l.Blueprints[0].ETag = "\"e\u202eds\""
	l.Members[3].ID = "m-\u200bdave"
	for i, m := range l.Org.Members {
		if m.Email == "gone@company.com" {
			l.Org.Members[i].ID = "github|\u2066"
		}
	}
	p, ds := reconcile.Diff(parse(t, file), l, reconcile.DiffOptions{Today: today})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	out := encoded(t, p)
	if r, _, ok := portal.FirstHiddenControl(string(out)); ok {
		t.Errorf("the plan holds U+%04X raw", r)
	}
	for _, esc := range []string{`\"e\u202eds\"`, `m-\u200bdave`, `github|\u2066`} {
		if !bytes.Contains(out, []byte(esc)) {
			t.Errorf("the plan lacks the escape %s", esc)
		}
	}
	back, err := read(t, out, nil, today)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if opsJSON(back.Ops) != opsJSON(p.Ops) {
		t.Errorf("operations read back:\n%s\nwant\n%s", opsJSON(back.Ops), opsJSON(p.Ops))
	}
	if _, err := reconcile.Recheck(back, l, today); err != nil {
		t.Errorf("Recheck: %v", err)
	}
}

// The plan file holds no organization fields when the file has no
// organization_members, and never the token.
func TestWithoutTheOrganization(t *testing.T) {
	src := strings.Split(file, "organization_members:")[0]
	l := live()
	l.Org = nil
	p, ds := reconcile.Diff(parse(t, src), l, reconcile.DiffOptions{Today: today})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	data := encoded(t, p)
	for _, field := range []string{"organization_members", "org_", "invite_id", "role_id", `"expired"`} {
		if bytes.Contains(data, []byte(field)) {
			t.Errorf("the plan holds %q", field)
		}
	}
	back, err := read(t, data, nil, today)
	if err != nil || back.Desired.Org != nil {
		t.Fatalf("read: %v, organization %v", err, back.Desired.Org)
	}
}
