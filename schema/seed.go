package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

// format is a dialect of portal.yaml: the file itself, or the seed the emulator
// starts from. A dialect is the portal schema with an overlay, and the few checks
// that differ (build.go reads the fields only a seed may carry).
type format struct {
	name string
	// overlay is a JSON merge patch (RFC 7386) applied to portal.schema.json.
	overlay []byte
	// seed: a blueprint with no rules is open, as in a live portal, rather than
	// an error; there are no lints.
	seed bool
}

// SeedOverlay is the JSON merge patch that turns portal.schema.json into the
// schema of the emulator's seed files.
//
//go:embed seed.overlay.json
var SeedOverlay []byte

// FragmentOverlay is the JSON merge patch that turns portal.schema.json into
// the schema of a fragment: a file a root's include: section names.
//
//go:embed fragment.overlay.json
var FragmentOverlay []byte

// fragmentFormat is a fragment's dialect: no root-only keys, nothing required.
func fragmentFormat() format { return format{name: "fragment", overlay: FragmentOverlay} }

// FragmentJSON is the JSON schema of a fragment (portalctl schema --fragment).
func FragmentJSON() ([]byte, error) { return mergePatch(JSON, FragmentOverlay) }

// Seed makes the Loader read the emulator's seed files: portal.yaml with the
// fields of SeedOverlay (member status, blueprint id and description), version
// optional, and blueprints without rules open.
func Seed() Option {
	return func(l *Loader) {
		l.format = format{name: "seed", overlay: SeedOverlay, seed: true}
	}
}

// mergePatch applies an RFC 7386 JSON merge patch to a JSON document.
func mergePatch(doc, patch []byte) ([]byte, error) {
	var d, p any
	for _, x := range []struct {
		data []byte
		into *any
	}{{doc, &d}, {patch, &p}} {
		dec := json.NewDecoder(bytes.NewReader(x.data))
		dec.UseNumber()
		if err := dec.Decode(x.into); err != nil {
			return nil, fmt.Errorf("decode: %w", err)
		}
	}
	return json.Marshal(applyPatch(d, p))
}

func applyPatch(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = applyPatch(tm[k], v)
	}
	return tm
}
