package report

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// printableOracle is printableASCII the obvious way, a byte at a time.
func printableOracle(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// TestPrintableASCII holds the eight-bytes-at-a-time check to the obvious loop:
// every byte value at every position of strings of every length up to 24, on
// printable backgrounds that sit just inside the bounds (0x20, 0x7e), and
// random strings.
func TestPrintableASCII(t *testing.T) {
	for _, fill := range []byte{' ', '~', 'a', '@'} {
		for n := range 25 {
			base := []byte(strings.Repeat(string(fill), n))
			if !printableASCII(string(base)) {
				t.Fatalf("%q: not printable", base)
			}
			for i := range n {
				for c := range 256 {
					s := append([]byte(nil), base...)
					s[i] = byte(c)
					if got, want := printableASCII(string(s)), printableOracle(string(s)); got != want {
						t.Fatalf("%q: got %v, want %v", s, got, want)
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(0x1e + r.IntN(0x63)) // mostly printable, some just outside
			if r.IntN(50) == 0 {
				b[i] = byte(r.IntN(256))
			}
		}
		if got, want := printableASCII(string(b)), printableOracle(string(b)); got != want {
			t.Fatalf("%q: got %v, want %v", b, got, want)
		}
	}
}

func FuzzPrintableASCII(f *testing.F) {
	f.Add("user@example.com")
	f.Add("a\x7fb")
	f.Add("0123456789abcdef\x1f")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := printableASCII(s), printableOracle(s); got != want {
			t.Fatalf("%q: got %v, want %v", s, got, want)
		}
	})
}

func BenchmarkPrintableASCII(b *testing.B) {
	s := "firstname.lastname12345@engineering.example.com"
	for b.Loop() {
		if !printableASCII(s) {
			b.Fatal("not printable")
		}
	}
}
