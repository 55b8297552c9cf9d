package reconcile

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/qovery/portalctl/portal"
)

// smallPlan is a sealed plan of a few members, as bytes.
func smallPlan(t *testing.T) []byte {
	t.Helper()
	desired := &portal.Config{Organization: "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10", Members: []portal.Member{
		{Email: "alice@company.com", Role: portal.RoleAdmin}, {Email: "bob@company.com", Role: portal.RoleUser},
	}}
	p := &Plan{Organization: desired.Organization, Fingerprint: "sha256:x", Desired: desired,
		Ops: []Op{{Action: Invite, Email: "bob@company.com", Role: portal.RoleUser}}}
	var buf bytes.Buffer
	if err := p.WriteJSON(&buf, time.Unix(0, 0), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The file limit and the element limit both hold while reading as a stream: a
// file is refused past its limit however it ends, and one element larger than
// the element limit (one huge string) is refused without being held whole.
func TestReadPlanLimits(t *testing.T) {
	plan := smallPlan(t)
	if _, err := readPlan(bytes.NewReader(plan), nil, int64(len(plan)), 1<<20); err != nil {
		t.Fatalf("a plan of exactly the limit is refused: %v", err)
	}
	tests := []struct {
		name           string
		data           io.Reader
		total, element int64
		want           error
	}{
		{"one byte over the limit", bytes.NewReader(plan), int64(len(plan)) - 1, 1 << 20, ErrPlanTooLarge},
		{"endless whitespace after the plan", io.MultiReader(bytes.NewReader(plan), endless(' ')), 1 << 20, 1 << 30, ErrPlanTooLarge},
		{"one huge value", io.MultiReader(strings.NewReader(`{"format_version":2,"organization":"`), endless('a')), 1 << 30, 1 << 16, errPlanElementTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readPlan(tt.data, nil, tt.total, tt.element)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
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
