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

// resealed recomputes the digest of an edited plan, as someone who knows the format
// would, signing it with key when set.
func resealed(t *testing.T, doc map[string]any, key string) []byte {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var pj reconcile.PlanJSON
	if err := json.Unmarshal(data, &pj); err != nil {
		t.Fatal(err)
	}
	var k []byte
	if key != "" {
		k = []byte(key)
	}
	pj.Seal(k)
	var buf bytes.Buffer
	if err := reconcile.WritePlan(&buf, pj); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func opOf(doc map[string]any, action, email string) map[string]any {
	for _, o := range doc["operations"].([]any) {
		o := o.(map[string]any)
		if o["action"] == action && (email == "" || o["email"] == email || o["blueprint"] == email) {
			return o
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
	type edit func(doc map[string]any, ids map[string]string)
	setOp := func(action, subject, field string, value func(ids map[string]string) any) edit {
		return func(doc map[string]any, ids map[string]string) { opOf(doc, action, subject)[field] = value(ids) }
	}
	str := func(s string) func(map[string]string) any { return func(map[string]string) any { return s } }
	rules := func(typ, value string) func(map[string]string) any {
		return func(map[string]string) any { return []any{map[string]any{"type": typ, "value": value}} }
	}
	tests := []struct {
		name         string
		edit         edit
		wantRaw      string // the edit alone
		wantResealed string // the edit with its digest recomputed; "" = same as raw
	}{
		{"removal carrying the admin's member id", setOp("remove", "mallory@company.com", "member_id", func(ids map[string]string) any { return ids["alice@company.com"] }),
			"modified after plan: run plan again", "does not follow from the plan's desired state"},
		{"removal showing another email", setOp("remove", "mallory@company.com", "email", str("carol@company.com")),
			"modified after plan", "does not follow"},
		{"invitation role", setOp("invite", "erin@partner.org", "role", str("admin")), "modified after plan", "does not follow"},
		{"promotion of another member id", setOp("promote", "dave@company.com", "member_id", func(ids map[string]string) any { return ids["carol@company.com"] }),
			"modified after plan", "does not follow"},
		{"demotion from_role", setOp("demote", "bob@company.com", "from_role", str("user")), "contradicts the action", ""},
		{"ACL update blueprint name", setOp("update_acl", "gpu-training", "blueprint", str("legacy-demo")), "modified after plan", "does not follow"},
		{"ACL update blueprint id", setOp("update_acl", "gpu-training", "blueprint_id", func(ids map[string]string) any { return ids["legacy-demo"] }), "modified after plan", "does not follow"},
		{"ACL update etag", setOp("update_acl", "gpu-training", "etag", str(`"0"`)), "modified after plan", "does not follow"},
		{"ACL update rules", setOp("update_acl", "gpu-training", "rules", rules("domain", "gmail.com")), "modified after plan", "does not follow"},
		{"ACL update rules_added", setOp("update_acl", "gpu-training", "rules_added", rules("domain", "gmail.com")), "modified after plan", "does not follow"},
		{"ACL update rules_removed", setOp("update_acl", "gpu-training", "rules_removed", rules("email", "alice@company.com")), "modified after plan", "does not follow"},
		{"operation added: an invitation as admin", func(doc map[string]any, _ map[string]string) {
			doc["operations"] = append([]any{map[string]any{"action": "invite", "email": "mallory@evil.com", "role": "admin"}}, doc["operations"].([]any)...)
		}, "modified after plan", "does not follow"},
		{"operation removed", func(doc map[string]any, _ map[string]string) {
			ops := doc["operations"].([]any)
			doc["operations"] = ops[:len(ops)-1]
		}, "modified after plan", "the plan lacks"},
		{"desired state", func(doc map[string]any, _ map[string]string) {
			d := doc["desired"].(map[string]any)
			d["members"] = append(d["members"].([]any), map[string]any{"email": "mallory@evil.com", "role": "admin"})
		}, "modified after plan", `which gives invite "mallory@evil.com"`},
		{"organization", func(doc map[string]any, _ map[string]string) {
			doc["organization"] = "11111111-2222-3333-4444-555555555555"
			doc["desired"].(map[string]any)["organization"] = "11111111-2222-3333-4444-555555555555"
		}, "modified after plan", "was made for organization 11111111-2222-3333-4444-555555555555"},
		{"fingerprint", func(doc map[string]any, _ map[string]string) {
			doc["fingerprint"] = "sha256:" + strings.Repeat("0", 64)
		},
			"modified after plan", "stale"},
		{"digest", func(doc map[string]any, _ map[string]string) { doc["digest"] = "sha256:" + strings.Repeat("0", 64) },
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
			var doc map[string]any
			if err := json.Unmarshal(savedPlan(t, p, p.env), &doc); err != nil {
				t.Fatal(err)
			}
			tt.edit(doc, ids)
			raw, _ := json.Marshal(doc)
			variants := map[string][]byte{"edited": raw}
			if tt.wantResealed != "-" {
				variants["resealed"] = resealed(t, doc, "")
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
		tamper    func(doc map[string]any)
		wantCode  int
		wantInErr string
	}{
		{name: "signed and verified", planKey: testPlanKey, applyKey: testPlanKey},
		{name: "neither signed nor verified", wantCode: 0},
		{name: "unsigned, key set at apply", applyKey: testPlanKey, wantCode: 1, wantInErr: "not signed"},
		{name: "signed with another key", planKey: testPlanKey, applyKey: testPlanKey + "-other", wantCode: 1, wantInErr: "does not match PORTALCTL_PLAN_KEY"},
		{name: "signed, no key at apply", planKey: testPlanKey, wantCode: 1, wantInErr: "set it to the key"},
		{name: "signature removed", planKey: testPlanKey, applyKey: testPlanKey, tamper: func(d map[string]any) { delete(d, "signature") }, wantCode: 1, wantInErr: "not signed"},
		{name: "signature made up", planKey: testPlanKey, applyKey: testPlanKey, tamper: func(d map[string]any) { d["signature"] = "hmac-sha256:" + strings.Repeat("00", 32) }, wantCode: 1, wantInErr: "does not match"},
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
				var doc map[string]any
				data, _ := os.ReadFile(path)
				json.Unmarshal(data, &doc)
				tt.tamper(doc)
				data, _ = json.Marshal(doc)
				os.WriteFile(path, data, 0o600)
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
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
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
