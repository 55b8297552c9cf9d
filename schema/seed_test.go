package schema

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/qovery/portalctl/portal"
)

// TestSeedFormat: the seed is portal.yaml with the overlay's fields, and only a
// seed may carry them.
func TestSeedFormat(t *testing.T) {
	src := "members:\n  - email: a@company.com\n    role: admin\n    status: pending\nblueprints:\n  ds:\n    id: bp-1\n    description: Notebooks\n  open-one:\n"
	seed, err := New(Seed())
	if err != nil {
		t.Fatal(err)
	}
	cfg, ds := seed.Parse("seed.yaml", []byte(src))
	if ds.HasErrors() {
		t.Fatalf("a seed with its own fields is refused: %+v", ds)
	}
	if len(ds) != 0 {
		t.Errorf("seeds get no lints: %+v", ds)
	}
	if m := cfg.Members[0]; m.Status != portal.StatusPending {
		t.Errorf("status not read: %+v", m)
	}
	if b := cfg.Blueprints[0]; b.Name != "ds" || b.ID != "bp-1" || b.Description != "Notebooks" || !b.Open {
		t.Errorf("blueprint id, description or openness not read: %+v", b)
	}
	if b := cfg.Blueprints[1]; b.Name != "open-one" || !b.Open {
		t.Errorf("a blueprint with nothing said is open in a seed: %+v", b)
	}

	_, ds = newLoader(t).Parse("portal.yaml", []byte(src))
	var got []string
	for _, d := range ds {
		if d.Severity == "error" {
			got = append(got, d.Pos.String()+" "+d.Code)
		}
	}
	want := []string{
		"portal.yaml:1:1 missing-key", // version is required in portal.yaml
		"portal.yaml:4:5 unknown-key", // status
		"portal.yaml:6:3 no-rules",    // a blueprint must say who sees it
		"portal.yaml:7:5 unknown-key", // id
		"portal.yaml:8:5 unknown-key", // description
		"portal.yaml:9:12 wrong-type", // a blueprint is a mapping
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("portal.yaml with a seed's fields:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSeedOverlayIsSmall: the seed schema is the portal schema plus the overlay;
// the overlay only adds, so that a change to portal.yaml is made in one place.
func TestSeedOverlayIsSmall(t *testing.T) {
	merged, err := mergePatch(JSON, SeedOverlay)
	if err != nil {
		t.Fatal(err)
	}
	var portalDoc, seedDoc map[string]any
	if err := json.Unmarshal(JSON, &portalDoc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(merged, &seedDoc); err != nil {
		t.Fatal(err)
	}
	props := func(doc map[string]any, def string) map[string]any {
		return doc["$defs"].(map[string]any)[def].(map[string]any)["properties"].(map[string]any)
	}
	for _, def := range []string{"member", "blueprint"} {
		for k := range props(portalDoc, def) {
			if _, ok := props(seedDoc, def)[k]; !ok {
				t.Errorf("the seed schema lost %s.%s", def, k)
			}
		}
	}
	if _, ok := props(seedDoc, "member")["status"]; !ok {
		t.Error("the seed schema has no member status")
	}
	if _, ok := seedDoc["required"]; ok {
		t.Error("version is required in seeds")
	}
}
