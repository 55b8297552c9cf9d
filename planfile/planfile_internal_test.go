package planfile

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
)

// smallPlan is a sealed plan of a few members, as bytes.
func smallPlan(t *testing.T) []byte {
	t.Helper()
	desired := &portal.Config{Version: 1, Organization: "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", Members: []portal.Member{
		{Email: "alice@company.com", Role: portal.RoleAdmin}, {Email: "bob@company.com", Role: portal.RoleUser},
	}}
	p := &reconcile.Plan{Organization: desired.Organization, Fingerprint: "sha256:x", Desired: desired,
		Ops: []reconcile.Op{{Action: reconcile.Invite, Email: "bob@company.com", Role: portal.RoleUser}}}
	f, err := New(p, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	f.Seal(nil)
	data, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// The one size limit holds on both sides: plan --out refuses to write a plan over
// it, apply --plan to read one, however the file ends, and without reading more
// than one byte past it.
func TestMaxBytes(t *testing.T) {
	plan := smallPlan(t)
	if _, err := readMax(bytes.NewReader(plan), "p", nil, int64(len(plan))); err != nil {
		t.Fatalf("a plan of exactly the limit is refused: %v", err)
	}
	tests := []struct {
		name string
		data io.Reader
		max  int64
	}{
		{"one byte over the limit", bytes.NewReader(plan), int64(len(plan)) - 1},
		{"endless whitespace after the plan", io.MultiReader(bytes.NewReader(plan), endless(' ')), 1 << 20},
		{"one endless value", io.MultiReader(strings.NewReader(`{"format_version":3,"organization":"`), endless('a')), 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			counted := &counter{r: tt.data}
			_, err := readMax(counted, "p", nil, tt.max)
			if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "apply it from the file with -f") {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if counted.n > tt.max+1 {
				t.Errorf("read %d bytes for a limit of %d", counted.n, tt.max)
			}
		})
	}
	f, err := readMax(bytes.NewReader(plan), "p", nil, int64(len(plan)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.encodeMax(len(plan) - 1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a plan over the limit is written: %v", err)
	}
	if !strings.Contains(ErrTooLarge.Error(), "1024 MiB") {
		t.Errorf("ErrTooLarge does not name the limit: %v", ErrTooLarge)
	}
}

// endless is an unending stream of one byte.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
