package portal

import "testing"

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "lower-cases everything", in: "Alice.Smith@Company.COM", want: "alice.smith@company.com"},
		{name: "trims spaces", in: "  bob@company.com ", want: "bob@company.com"},
		{name: "plus addressing", in: "bob+portal@company.com", want: "bob+portal@company.com"},
		{name: "unicode domain to punycode", in: "erin@Bücher.de", want: "erin@xn--bcher-kva.de"},
		{name: "punycode kept", in: "erin@XN--BCHER-KVA.de", want: "erin@xn--bcher-kva.de"},
		{name: "unicode local part kept", in: "jürgen@company.com", want: "jürgen@company.com"},
		{name: "trailing dot of domain", in: "bob@company.com.", want: "bob@company.com"},
		{name: "no at", in: "company.com", wantErr: true},
		{name: "no local part", in: "@company.com", wantErr: true},
		{name: "double at", in: "a@@company.com", wantErr: true},
		{name: "space", in: "a b@company.com", wantErr: true},
		{name: "no dot in domain", in: "a@localhost", wantErr: true},
		{name: "leading dot", in: ".a@company.com", wantErr: true},
		{name: "angle brackets", in: "<a@company.com>", wantErr: true},
		{name: "invalid punycode", in: "a@xn--.com", wantErr: true},
		{name: "numeric tld", in: "a@company.123", wantErr: true},
		{name: "underscore in domain", in: "a@my_company.com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeEmail(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NormalizeEmail(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeDomain(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "at prefix stripped", in: "@company.com", want: "company.com"},
		{name: "case", in: "Company.COM", want: "company.com"},
		{name: "subdomain kept distinct", in: "eu.company.com", want: "eu.company.com"},
		{name: "idn", in: "münchen.de", want: "xn--mnchen-3ya.de"},
		{name: "idn uppercase", in: "MÜNCHEN.DE", want: "xn--mnchen-3ya.de"},
		{name: "cyrillic look-alike becomes distinct punycode", in: "cоmpany.com", want: "xn--cmpany-wqf.com"},
		{name: "email is not a domain", in: "bob@company.com", wantErr: true},
		{name: "wildcard", in: "*.company.com", wantErr: true},
		{name: "url", in: "https://company.com", wantErr: true},
		{name: "empty", in: "@", wantErr: true},
		{name: "hyphen edge", in: "-company.com", wantErr: true},
		{name: "label too long", in: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeDomain(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NormalizeDomain(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("NormalizeDomain(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnicodeDomain(t *testing.T) {
	if got := UnicodeDomain("xn--bcher-kva.de"); got != "bücher.de" {
		t.Errorf("UnicodeDomain = %q", got)
	}
	if got := UnicodeDomain("company.com"); got != "company.com" {
		t.Errorf("UnicodeDomain = %q", got)
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"a@b.co", "Alice@Bücher.de", "@x", "a@xn--.com", "a@b..c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeEmail(s)
		if err != nil {
			return
		}
		again, err := NormalizeEmail(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", s, got, again, err)
		}
	})
}

// TestNormalizeEmailCanonicalNoCopy: an address already in canonical form, as
// nearly all are, is returned as it is, without a copy (100,000 members, 100,000
// allocations saved).
func TestNormalizeEmailCanonicalNoCopy(t *testing.T) {
	in := "alice.smith@company.com"
	allocs := testing.AllocsPerRun(100, func() {
		if got, err := NormalizeEmail(in); err != nil || got != in {
			t.Fatalf("NormalizeEmail(%q) = %q, %v", in, got, err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations for a canonical address, want 0", allocs)
	}
}
