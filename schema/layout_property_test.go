package schema

import (
	"context"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/internal/testkit"
)

// TestSplitSameModel: a random valid portal split at random into a root and
// fragments loads into the same model, with the same warnings, as the single
// file (property: where an entry is written never changes what it means).
func TestSplitSameModel(t *testing.T) {
	l, err := New(Today(marshalDay))
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(22, 1))
	tried := 0
	for round := range 1500 {
		src := testkit.RandomFile(r)
		cfg, ds := l.Parse("portal.yaml", src)
		if ds.HasErrors() {
			continue
		}
		files, ok := testkit.Split(t, r, src, 1+r.IntN(4))
		if !ok {
			continue
		}
		tried++
		got, gds := l.Load(context.Background(), "portal.yaml", files["portal.yaml"], memFiles(files))
		if gds.HasErrors() {
			t.Fatalf("round %d: the split does not load: %v\nsingle:\n%s\nsplit:\n%v", round, gds, src, dump(memFiles(files)))
		}
		if want, got := comparable(cfg), comparable(got); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: another model:\n%+v\nwant\n%+v\nsingle:\n%s\nsplit:\n%v", round, got, want, src, dump(memFiles(files)))
		}
		if want, got := codes(ds), codes(gds); !slices.Equal(got, want) {
			t.Fatalf("round %d: warnings %v, want %v\nsingle:\n%s\nsplit:\n%v", round, got, want, src, dump(memFiles(files)))
		}
	}
	if tried < 300 {
		t.Fatalf("only %d files split: the generator no longer gives this test enough", tried)
	}
}

func codes(ds diag.List) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Code)
	}
	slices.Sort(out)
	return out
}

func dump(files memFiles) string {
	s := ""
	for _, name := range slices.Sorted(maps.Keys(files)) {
		s += "-- " + name + " --\n" + string(files[name])
	}
	return s
}
