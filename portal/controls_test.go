package portal

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHiddenControl(t *testing.T) {
	// The oracle is the list of docs/file-format.md#hidden-characters written out as ranges; every rune of the
	// Basic Multilingual Plane is checked against it.
	want := func(r rune) bool {
		for _, rg := range [][2]rune{{0x200B, 0x200F}, {0x202A, 0x202E}, {0x2066, 0x2069}, {0xFEFF, 0xFEFF}} {
			if r >= rg[0] && r <= rg[1] {
				return true
			}
		}
		return false
	}
	n := 0
	for r := rune(0); r <= 0xFFFF; r++ {
		if got := HiddenControl(r); got != want(r) {
			t.Errorf("HiddenControl(U+%04X) = %v, want %v", r, got, !got)
		}
		if want(r) {
			n++
		}
	}
	if n != 5+5+4+1 {
		t.Errorf("%d hidden controls in the oracle, want 15", n)
	}
}

func TestFirstHiddenControl(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		r      rune
		offset int
		ok     bool
	}{
		{"ascii", "alice@company.com", 0, 0, false},
		{"empty", "", 0, 0, false},
		{"unicode letters only", "erin@bücher.de", 0, 0, false},
		{"right-to-left override", "data\u202Escience", 0x202E, 4, true},
		{"zero-width space after unicode", "é\u200Bx", 0x200B, 2, true},
		{"byte-order mark first", "\uFEFFname", 0xFEFF, 0, true},
		{"first of two", "a\u2066b\u200Fc", 0x2066, 1, true},
		{"invalid utf-8 is not a control", "a\xffb", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, off, ok := FirstHiddenControl(tt.in)
			if r != tt.r || off != tt.offset || ok != tt.ok {
				t.Errorf("FirstHiddenControl(%q) = U+%04X, %d, %v; want U+%04X, %d, %v", tt.in, r, off, ok, tt.r, tt.offset, tt.ok)
			}
			if ok {
				if c, _ := utf8.DecodeRuneInString(tt.in[off:]); c != r {
					t.Errorf("offset %d does not point at U+%04X", off, r)
				}
			}
		})
	}
}

// TestEscapeHiddenJSON: every hidden control encoding/json leaves raw is written
// as an escape that decodes to the same value; a document without any is
// returned as it is.
func TestEscapeHiddenJSON(t *testing.T) {
	var in strings.Builder
	for _, r := range []rune{0x200B, 0x200F, 0x202A, 0x202E, 0x2066, 0x2069, 0xFEFF} {
		in.WriteString("a" + string(r) + "é")
	}
	data, err := json.Marshal(map[string]string{"k": in.String()})
	if err != nil {
		t.Fatal(err)
	}
	out := EscapeHiddenJSON(data)
	if _, _, ok := FirstHiddenControl(string(out)); ok {
		t.Fatalf("a hidden control left raw: %q", out)
	}
	if !strings.Contains(string(out), `a\u202eé`) {
		t.Errorf("no escape of U+202E: %s", out)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["k"] != in.String() {
		t.Fatalf("decodes to %q (%v), want %q", back["k"], err, in.String())
	}
	plain := []byte(`{"k":"é"}`)
	if got := EscapeHiddenJSON(plain); &got[0] != &plain[0] {
		t.Error("a document without hidden controls was copied")
	}
}
