package portal

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// idnaProfile converts internationalised domain names to their ASCII form the way
// browsers and mail servers look them up.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false))

// NormalizeDomain returns the canonical form of a domain rule or of an email's domain
// part: lower-case, without a leading "@" or trailing ".", internationalised labels in
// their ASCII (punycode) form. It reports why a value is not a domain.
func NormalizeDomain(s string) (string, error) {
	d := strings.TrimSpace(s)
	d = strings.TrimPrefix(d, "@")
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return "", errors.New("empty domain")
	}
	if strings.ContainsRune(d, '@') {
		return "", errors.New("a domain has no \"@\" in it (did you mean an email rule?)")
	}
	ascii := d
	if !isASCII(d) {
		a, err := idnaProfile.ToASCII(d)
		if err != nil {
			return "", fmt.Errorf("not a valid internationalised domain name")
		}
		ascii = a
	}
	ascii = strings.ToLower(ascii)
	if err := checkDomain(ascii); err != nil {
		return "", err
	}
	return ascii, nil
}

// NormalizeEmail returns the canonical form of an email: the local part lower-cased
// (the portal compares emails case-insensitively) and the domain normalised by
// NormalizeDomain. It reports why a value is not an email address.
func NormalizeEmail(s string) (string, error) {
	e := strings.TrimSpace(s)
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return "", errors.New("an email needs an \"@\"")
	}
	local, domain := e[:at], e[at+1:]
	if err := checkLocal(local); err != nil {
		return "", err
	}
	if strings.HasPrefix(domain, "@") || domain == "" {
		return "", errors.New("an email needs a domain after the \"@\"")
	}
	d, err := NormalizeDomain(domain)
	if err != nil {
		return "", err
	}
	lower := strings.ToLower(local)
	if lower == local && d == domain {
		return e, nil // already canonical, as most addresses are: no copy
	}
	return lower + "@" + d, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func checkLocal(local string) error {
	if local == "" {
		return errors.New("an email needs a name before the \"@\"")
	}
	if len(local) > 64 {
		return errors.New("the part before \"@\" is longer than 64 characters")
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return errors.New("dots in an email cannot lead, trail or repeat before the \"@\"")
	}
	for _, r := range local {
		switch {
		case r < utf8.RuneSelf && (isAlnum(byte(r)) || strings.ContainsRune(".!#$%&'*+/=?^_`{|}~-", r)):
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)):
		default:
			return fmt.Errorf("character %q is not allowed in an email", r)
		}
	}
	return nil
}

func checkDomain(d string) error {
	if len(d) > 253 {
		return errors.New("a domain is at most 253 characters")
	}
	if !strings.Contains(d, ".") {
		return fmt.Errorf("%q has no dot: a domain looks like company.com", d)
	}
	tld := d[strings.LastIndexByte(d, '.')+1:]
	for rest := d; rest != ""; {
		l := rest
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
			if rest == "" {
				return errors.New("a domain cannot have an empty label (\"..\" or a leading dot)")
			}
		} else {
			rest = ""
		}
		if l == "" {
			return errors.New("a domain cannot have an empty label (\"..\" or a leading dot)")
		}
		if len(l) > 63 {
			return errors.New("a domain label is at most 63 characters")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("label %q cannot start or end with \"-\"", l)
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return fmt.Errorf("character %q is not allowed in a domain", rune(l[i]))
			}
		}
	}
	if !strings.HasPrefix(tld, "xn--") {
		for i := 0; i < len(tld); i++ {
			if tld[i] >= '0' && tld[i] <= '9' {
				return fmt.Errorf("top-level domain %q cannot contain digits", tld)
			}
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// UnicodeDomain returns the Unicode form of an ASCII domain for display, or d itself
// when it has no punycode labels or they do not decode.
func UnicodeDomain(d string) string {
	if !strings.Contains(d, "xn--") {
		return d
	}
	u, err := idna.ToUnicode(d)
	if err != nil {
		return d
	}
	return u
}
