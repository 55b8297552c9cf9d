package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/qovery/portalctl/planfile"
	"github.com/qovery/portalctl/reconcile"
)

const testPlanKey = "plan-key-0123456789-abcdef"

// writes counts the requests that change the portal.
func writes(p *portalEnv) int {
	n := 0
	for route, c := range p.emu.Stats().Requests {
		if !strings.HasPrefix(route, "GET ") {
			n += c
		}
	}
	return n
}

// savedPlan runs plan --out against p and returns the plan file's bytes.
func savedPlan(t *testing.T, p *portalEnv, env map[string]string) []byte {
	t.Helper()
	path := filepath.Join(p.dir, "saved.plan")
	if r := (cli{env: env}).run(t, "plan", "-f", filepath.Join("testdata", "portal.yaml"), "--out", path); r.code != 0 {
		t.Fatalf("plan --out: exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// withKey returns env plus PORTALCTL_PLAN_KEY=key (none when key is empty).
func withKey(env map[string]string, key string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	if key != "" {
		out["PORTALCTL_PLAN_KEY"] = key
	}
	return out
}

// planFields reads the fields of a plan file.
func planFields(t *testing.T, data []byte) *planfile.File {
	t.Helper()
	var f planfile.File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

// editPlan edits the plan file data and writes it back as plan --out writes a
// plan: its digest and signature as they were, or, resealed, recomputed as
// someone who knows the format would, signed with key when set.
func editPlan(t *testing.T, data []byte, edit func(f *planfile.File), reseal bool, key string) []byte {
	t.Helper()
	f := planFields(t, data)
	edit(f)
	if reseal {
		var k []byte
		if key != "" {
			k = []byte(key)
		}
		f.Seal(k)
	}
	out, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// opOf is the first operation of f with the action and the email (or blueprint
// name) given; any email when it is "".
func opOf(f *planfile.File, action, email string) *reconcile.OpJSON {
	for i, o := range f.Operations {
		if string(o.Action) == action && (email == "" || o.Email == email || o.Blueprint == email) {
			return &f.Operations[i]
		}
	}
	panic("no operation " + action + " " + email)
}

// A saved plan is applied only as it was made: whatever field of the file is
// edited, apply --plan refuses the whole plan before any write. An edit alone fails
// the digest; an edit whose digest was recomputed (by someone who knows the format)
// fails the checks against the portal; with PORTALCTL_PLAN_KEY, only plans signed
// with that key pass.
func TestSavedPlanEdits(t *testing.T) {
	seed := readTestdata(t, "seed.yaml")
	type edit func(f *planfile.File, ids map[string]string)
	rules := []reconcile.RuleJSON{{Type: "domain", Value: "gmail.com"}}
	tests := []struct {
		name         string
		edit         edit
		wantRaw      string // the edit alone
		wantResealed string // the edit with its digest recomputed; "" = same as raw
	}{
		{"removal carrying the admin's member id", func(f *planfile.File, ids map[string]string) {
			opOf(f, "remove", "mallory@company.com").MemberID = ids["alice@company.com"]
		}, "modified after plan: run plan again", "does not follow from the plan's desired state"},
		{"removal showing another email", func(f *planfile.File, _ map[string]string) {
			opOf(f, "remove", "mallory@company.com").Email = "carol@company.com"
		},
			"modified after plan", "does not follow"},
		{"invitation role", func(f *planfile.File, _ map[string]string) { opOf(f, "invite", "erin@partner.org").Role = "admin" }, "modified after plan", "does not follow"},
		{"promotion of another member id", func(f *planfile.File, ids map[string]string) {
			opOf(f, "promote", "dave@company.com").MemberID = ids["carol@company.com"]
		}, "modified after plan", "does not follow"},
		{"demotion from_role", func(f *planfile.File, _ map[string]string) { opOf(f, "demote", "bob@company.com").FromRole = "user" }, "modified after plan", "does not follow"},
		{"demotion with an organization field", func(f *planfile.File, _ map[string]string) { opOf(f, "demote", "bob@company.com").RoleID = "r-1" },
			"modified after plan", "is not an operation portalctl writes"},
		{"ACL update blueprint name", func(f *planfile.File, _ map[string]string) {
			opOf(f, "update_acl", "gpu-training").Blueprint = "legacy-demo"
		}, "modified after plan", "does not follow"},
		{"ACL update blueprint id", func(f *planfile.File, ids map[string]string) {
			opOf(f, "update_acl", "gpu-training").BlueprintID = ids["legacy-demo"]
		},
			"modified after plan", "does not follow"},
		{"ACL update etag", func(f *planfile.File, _ map[string]string) { opOf(f, "update_acl", "gpu-training").ETag = `"0"` }, "modified after plan", "does not follow"},
		{"ACL update rules", func(f *planfile.File, _ map[string]string) { opOf(f, "update_acl", "gpu-training").Rules = rules }, "modified after plan", "does not follow"},
		{"ACL update rules_added", func(f *planfile.File, _ map[string]string) { opOf(f, "update_acl", "gpu-training").Added = rules }, "modified after plan", "does not follow"},
		{"ACL update rules_removed", func(f *planfile.File, _ map[string]string) {
			opOf(f, "update_acl", "gpu-training").Removed = []reconcile.RuleJSON{{Type: "email", Value: "alice@company.com"}}
		}, "modified after plan", "does not follow"},
		{"operation added: an invitation as admin", func(f *planfile.File, _ map[string]string) {
			f.Operations = append([]reconcile.OpJSON{{Action: reconcile.Invite, Email: "mallory@evil.com", Role: "admin"}}, f.Operations...)
		}, "modified after plan", "does not follow"},
		{"operation removed", func(f *planfile.File, _ map[string]string) { f.Operations = f.Operations[:len(f.Operations)-1] },
			"modified after plan", "the plan lacks"},
		{"desired state", func(f *planfile.File, _ map[string]string) {
			f.Desired = strings.Replace(f.Desired, "members:\n", "members:\n  - email: mallory@evil.com\n    role: admin\n", 1)
		}, "modified after plan", `which gives invite "mallory@evil.com"`},
		{"desired state the loader refuses", func(f *planfile.File, _ map[string]string) {
			f.Desired = strings.Replace(f.Desired, "members:\n", "members:\n  - email: not-an-address\n", 1)
		}, "modified after plan", `.plan (desired state):4:12: invalid member email "not-an-address"`},
		{"organization", func(f *planfile.File, _ map[string]string) {
			f.Desired = strings.Replace(f.Desired, f.Organization, "11111111-2222-3333-4444-555555555555", 1)
			f.Organization = "11111111-2222-3333-4444-555555555555"
		}, "modified after plan", "was made for organization 11111111-2222-3333-4444-555555555555"},
		{"fingerprint", func(f *planfile.File, _ map[string]string) { f.Fingerprint = "sha256:" + strings.Repeat("0", 64) },
			"modified after plan", "stale"},
		{"digest", func(f *planfile.File, _ map[string]string) { f.Digest = "sha256:" + strings.Repeat("0", 64) },
			"modified after plan", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPortal(t, seed)
			ids := map[string]string{}
			for _, m := range p.emu.Members() {
				ids[m.Email] = m.ID
			}
			for _, b := range p.emu.Blueprints() {
				ids[b.Name] = b.ID
			}
			data := savedPlan(t, p, p.env)
			edit := func(f *planfile.File) { tt.edit(f, ids) }
			variants := map[string][]byte{"edited": editPlan(t, data, edit, false, "")}
			if tt.wantResealed != "-" {
				variants["resealed"] = editPlan(t, data, edit, true, "")
			}
			for variant, data := range variants {
				want := tt.wantRaw
				if variant == "resealed" && tt.wantResealed != "" {
					want = tt.wantResealed
				}
				path := p.write(t, variant+".plan", string(data))
				p.emu.ResetStats()
				r := cli{env: p.env}.run(t, "apply", "--plan", path, "--auto-approve")
				if r.code != 1 || !strings.Contains(r.stderr, want) {
					t.Errorf("%s: exit %d, want 1 and %q\n%s%s", variant, r.code, want, r.stdout, r.stderr)
				}
				if n := writes(p); n != 0 || len(p.emu.Members()) != 10 {
					t.Errorf("%s: %d writes, %d members: the portal changed", variant, n, len(p.emu.Members()))
				}
			}
		})
	}
}

func TestSavedPlanSignature(t *testing.T) {
	seed := readTestdata(t, "seed.yaml")
	tests := []struct {
		name      string
		planKey   string // at plan --out
		applyKey  string // at apply --plan
		tamper    func(f *planfile.File)
		wantCode  int
		wantInErr string
	}{
		{name: "signed and verified", planKey: testPlanKey, applyKey: testPlanKey},
		{name: "neither signed nor verified", wantCode: 0},
		{name: "unsigned, key set at apply", applyKey: testPlanKey, wantCode: 1, wantInErr: "not signed"},
		{name: "signed with another key", planKey: testPlanKey, applyKey: testPlanKey + "-other", wantCode: 1, wantInErr: "does not match PORTALCTL_PLAN_KEY"},
		{name: "signed, no key at apply", planKey: testPlanKey, wantCode: 1, wantInErr: "set it to the key"},
		{name: "signature removed", planKey: testPlanKey, applyKey: testPlanKey, tamper: func(f *planfile.File) { f.Signature = "" }, wantCode: 1, wantInErr: "not signed"},
		{name: "signature made up", planKey: testPlanKey, applyKey: testPlanKey, tamper: func(f *planfile.File) { f.Signature = "hmac-sha256:" + strings.Repeat("00", 32) }, wantCode: 1, wantInErr: "does not match"},
		{name: "key too short", planKey: "short", wantCode: 1, wantInErr: "PORTALCTL_PLAN_KEY is too short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startPortal(t, seed)
			path := filepath.Join(p.dir, "saved.plan")
			r := cli{env: withKey(p.env, tt.planKey)}.run(t, "plan", "-f", filepath.Join("testdata", "portal.yaml"), "--out", path)
			if tt.planKey == "short" {
				if r.code != 1 || !strings.Contains(r.stderr, tt.wantInErr) || strings.Contains(r.stderr+r.stdout, "short\n") || p.emu.Stats().Total != 0 {
					t.Fatalf("plan with a short key: exit %d, %d requests\n%s", r.code, p.emu.Stats().Total, r.stderr)
				}
				return
			}
			if r.code != 0 {
				t.Fatalf("plan --out: exit %d\n%s", r.code, r.stderr)
			}
			if tt.tamper != nil {
				data, _ := os.ReadFile(path)
				os.WriteFile(path, editPlan(t, data, tt.tamper, false, ""), 0o600)
			}
			data, _ := os.ReadFile(path)
			if tt.planKey != "" && bytes.Contains(data, []byte(tt.planKey)) {
				t.Fatal("the plan file holds the key")
			}
			p.emu.ResetStats()
			r = cli{env: withKey(p.env, tt.applyKey)}.run(t, "apply", "--plan", path, "--auto-approve")
			if r.code != tt.wantCode || !strings.Contains(r.stderr, tt.wantInErr) {
				t.Fatalf("apply: exit %d, want %d and %q\n%s%s", r.code, tt.wantCode, tt.wantInErr, r.stdout, r.stderr)
			}
			for _, k := range []string{tt.planKey, tt.applyKey} {
				if k != "" && strings.Contains(r.stdout+r.stderr, k) {
					t.Errorf("the output shows the key")
				}
			}
			if tt.wantCode != 0 && writes(p) != 0 {
				t.Errorf("%d writes after a refusal", writes(p))
			}
		})
	}
}

// Flags are checked before anything is read or sent, each error saying what to
// write instead; the organization is checked the same way from the flag, the
// environment and the file.
func TestFlagValidation(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	file := filepath.Join("testdata", "portal.yaml")
	badOrgFile := p.write(t, "bad-org.yaml", strings.Replace(readTestdata(t, "portal.yaml"), "organization: 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", "organization: not-a-uuid", 1))
	noEnvOrg := withKey(p.env, "")
	delete(noEnvOrg, "QOVERY_ORGANIZATION_ID")
	badEnvOrg := withKey(p.env, "")
	badEnvOrg["QOVERY_ORGANIZATION_ID"] = "acme"
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"organization flag", p.env, []string{"plan", "-f", file, "--organization", "not-a-uuid"}, []string{`--organization "not-a-uuid" is not an organization id`, "--organization 0b5c2a34-"}},
		{"organization flag on export", p.env, []string{"export", "--organization", "x"}, []string{`--organization "x"`}},
		{"organization flag on access --live", p.env, []string{"access", "--live", "bob@company.com", "--organization", "x"}, []string{`--organization "x"`}},
		{"organization flag on apply --plan", p.env, []string{"apply", "--plan", "nope.plan", "--organization", "x"}, []string{`--organization "x"`}},
		{"organization from the environment", badEnvOrg, []string{"plan", "-f", file}, []string{`QOVERY_ORGANIZATION_ID="acme" is not an organization id`, "QOVERY_ORGANIZATION_ID=0b5c2a34-"}},
		{"organization in the file", noEnvOrg, []string{"plan", "-f", badOrgFile}, []string{"bad-org.yaml:2:15", "not a Qovery organization id"}},
		{"parallelism 0", p.env, []string{"plan", "-f", file, "--parallelism", "0"}, []string{"--parallelism 0 is out of range", "from 1 to 64"}},
		{"parallelism 65", p.env, []string{"apply", "-f", file, "--parallelism", "65"}, []string{"--parallelism 65 is out of range"}},
		{"parallelism negative on export", p.env, []string{"export", "--parallelism", "-3"}, []string{"--parallelism -3"}},
		{"max removals negative", p.env, []string{"apply", "-f", file, "--max-removals", "-1"}, []string{"--max-removals -1 is negative", "write 0 to refuse every removal"}},
		{"max removal percent 200", p.env, []string{"apply", "-f", file, "--max-removal-percent", "200"}, []string{"--max-removal-percent 200 is out of range", "from 0 to 100"}},
		{"max removal percent negative", p.env, []string{"apply", "-f", file, "--max-removal-percent", "-5"}, []string{"--max-removal-percent -5"}},
		{"max problems 0", p.env, []string{"validate", "-f", file, "--max-problems", "0"}, []string{"--max-problems 0 is out of range", "1 or more"}},
		{"plan key too short", withKey(p.env, "abc"), []string{"apply", "-f", file}, []string{"PORTALCTL_PLAN_KEY is too short"}},
		{"not a number", p.env, []string{"plan", "-f", file, "--parallelism", "many"}, []string{"invalid argument \"many\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.emu.ResetStats()
			r := cli{env: tt.env}.run(t, tt.args...)
			r.refused(t, tt.want...)
			if n := p.emu.Stats().Total; n != 0 {
				t.Errorf("%d requests before the flags were checked", n)
			}
		})
	}
	// The edges of each range are accepted.
	for _, args := range [][]string{
		{"plan", "-f", file, "--parallelism", "1"},
		{"plan", "-f", file, "--parallelism", "64"},
		{"validate", "-f", file, "--max-problems", "1"},
	} {
		if r := (cli{env: p.env}).run(t, args...); r.code != 0 {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}

// The first real cause of a failed read is the one reported, every time: a wrong
// token is the 401, an unknown organization the 404, a closed port "connection
// refused" with the API's URL; never a "context canceled" it caused elsewhere.
func TestRootCauseEveryTime(t *testing.T) {
	t.Parallel() // mostly waiting: on backoffs, or on a hung API
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	file := filepath.Join("testdata", "portal.yaml")
	wrongToken := withKey(p.env, "")
	wrongToken["QOVERY_API_TOKEN"] = "tok-wrong-but-long-enough"
	wrongOrg := withKey(p.env, "")
	wrongOrg["QOVERY_ORGANIZATION_ID"] = "11111111-2222-3333-4444-555555555555"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + ln.Addr().String()
	ln.Close()
	refused := withKey(p.env, "")
	refused["QOVERY_API_URL"] = deadURL
	// The file names an organization of its own: without it, the environment's
	// is the one asked for.
	noOrgFile := p.write(t, "no-org.yaml", strings.Replace(readTestdata(t, "portal.yaml"), "organization: "+testOrg+"\n", "", 1))
	tests := []struct {
		name string
		env  map[string]string
		want []string
		file string // "" for testdata/portal.yaml
	}{
		{"wrong token", wrongToken, []string{"401 Unauthorized", "missing or invalid API token"}, ""},
		{"unknown organization", wrongOrg, []string{"404 Not Found", `organization "11111111-2222-3333-4444-555555555555" not found`}, noOrgFile},
		{"connection refused", refused, []string{"connection refused", deadURL}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// 20 runs at once: a busy machine is where the race showed.
			var wg sync.WaitGroup
			results := make([]result, 20)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = cli{env: tt.env}.run(t, "plan", "-f", cmp.Or(tt.file, file))
				}()
			}
			wg.Wait()
			for i, r := range results {
				if r.code != 1 || strings.Contains(r.stderr, "canceled") {
					t.Errorf("run %d: exit %d\n%s", i+1, r.code, r.stderr)
					continue
				}
				for _, w := range tt.want {
					if !strings.Contains(r.stderr, w) {
						t.Errorf("run %d: stderr lacks %q:\n%s", i+1, w, r.stderr)
					}
				}
			}
		})
	}
}

// A one-character token is sent, refused, and leaves every message as it is.
func TestOneCharacterToken(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	env := withKey(p.env, "")
	env["QOVERY_API_TOKEN"] = "T"
	r := cli{env: env}.run(t, "plan", "-f", filepath.Join("testdata", "portal.yaml"))
	if r.code != 1 || !strings.Contains(r.stderr, "401 Unauthorized") || strings.Contains(r.stderr, "REDACTED") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "GET /member") && !strings.Contains(r.stderr, "GET /blueprint") {
		t.Errorf("the request is not named as it was sent:\n%s", r.stderr)
	}
}

// TestOlderPlanRefused: a plan of an older format (version 2 held the desired
// state as JSON and the access impact) is refused before anything is asked of the
// portal, saying to plan again.
func TestOlderPlanRefused(t *testing.T) {
	p := startPortal(t, readTestdata(t, "seed.yaml"))
	var f map[string]any
	if err := json.Unmarshal(savedPlan(t, p, p.env), &f); err != nil {
		t.Fatal(err)
	}
	f["format_version"] = 2
	f["desired"] = map[string]any{"organization": f["organization"], "members": []any{}, "blueprints": []any{}}
	f["impact"] = []any{}
	old, _ := json.Marshal(f)
	path := p.write(t, "old.plan", string(old))
	p.emu.ResetStats()
	r := cli{env: p.env}.run(t, "apply", "--plan", path, "--auto-approve")
	if r.code != 1 || !strings.Contains(r.stderr, "plan "+path+" was made by an older portalctl (format 2): run plan again") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := p.emu.Stats().Total; n != 0 {
		t.Errorf("%d requests before the refusal", n)
	}
}

// A required admin (the policy's required_admins) is never removed or demoted by
// apply, whatever the file or the plan says: apply -f with a file that demotes
// one, and apply --plan with a saved plan whose desired state was edited to
// require the admin it demotes (its digest recomputed), are refused before any
// write, naming the admin and the policy's line. The same plan requiring
// another admin applies.
func TestRequiredAdminsOverLoopback(t *testing.T) {
	seed := readTestdata(t, "seed.yaml")
	requiring := func(email string) string {
		return strings.Replace(readTestdata(t, "portal.yaml"), "members:\n", "policy:\n  required_admins: ["+email+"]\nmembers:\n", 1)
	}
	t.Run("apply -f", func(t *testing.T) {
		p := startPortal(t, seed)
		path := p.write(t, "portal.yaml", requiring("bob@company.com"))
		r := cli{env: p.env}.run(t, "apply", "-f", path, "--auto-approve")
		r.refused(t, "portal.yaml:4:21", "bob@company.com is a member with role user", "required_admins")
		if n := writes(p); n != 0 {
			t.Fatalf("%d writes after the refusal", n)
		}
		path = p.write(t, "portal.yaml", requiring("alice@company.com"))
		if r := (cli{env: p.env}).run(t, "apply", "-f", path, "--auto-approve"); r.code != 0 {
			t.Fatalf("requiring alice: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("apply --plan", func(t *testing.T) {
		p := startPortal(t, seed)
		data := savedPlan(t, p, p.env)
		if !strings.Contains(planFields(t, data).Desired, "members:\n") || opOf(planFields(t, data), "demote", "bob@company.com") == nil {
			t.Fatal("the plan does not demote bob")
		}
		edited := editPlan(t, data, func(f *planfile.File) {
			f.Desired = strings.Replace(f.Desired, "members:\n", "policy:\n  required_admins: [bob@company.com]\nmembers:\n", 1)
		}, true, "")
		path := p.write(t, "edited.plan", string(edited))
		p.emu.ResetStats()
		r := cli{env: p.env}.run(t, "apply", "--plan", path, "--auto-approve")
		r.refused(t, "bob@company.com is a member with role user", "required_admins")
		if n := writes(p); n != 0 {
			t.Fatalf("%d writes after the refusal", n)
		}
	})
}
