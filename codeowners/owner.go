package codeowners

import (
	"fmt"
	"strings"
)

// maxLogin is the longest login GitHub allows.
const maxLogin = 39

// ValidOwner reports whether GitHub accepts s as an owner in CODEOWNERS: a user
// (@login), a team (@org/team-slug) or an email address (user@example.com).
// The error says what is wrong and what to write instead; it does not name
// where s was written, which the caller knows.
func ValidOwner(s string) error {
	const what = "write @login for a user, @org/team-slug for a team, or an email address such as user@example.com"
	switch {
	case s == "":
		return fmt.Errorf("an empty owner: %s", what)
	case s[0] == '@':
		name := s[1:]
		if org, team, ok := strings.Cut(name, "/"); ok {
			if err := validLogin(org, "organization"); err != nil {
				return fmt.Errorf("owner %q: %w; write a team as @org/team-slug", s, err)
			}
			if err := validSlug(team); err != nil {
				return fmt.Errorf("owner %q: %w; write a team as @org/team-slug, with the slug of its URL", s, err)
			}
			return nil
		}
		if err := validLogin(name, "login"); err != nil {
			return fmt.Errorf("owner %q: %w; %s", s, err, what)
		}
		return nil
	case strings.Contains(s, "@"):
		if err := validEmail(s); err != nil {
			return fmt.Errorf("owner %q: %w", s, err)
		}
		return nil
	}
	return fmt.Errorf("owner %q is neither a user, a team nor an email address: %s (@%s for the user %s)", s, what, s, s)
}

// validLogin checks a user's login or an organization's name: letters, digits,
// hyphens and (for enterprise managed users) underscores, starting with a
// letter or digit, at most 39 characters.
func validLogin(s, what string) error {
	switch {
	case s == "":
		return fmt.Errorf("the %s is empty", what)
	case len(s) > maxLogin:
		return fmt.Errorf("the %s %q is longer than GitHub's %d characters", what, s, maxLogin)
	case !alnum(rune(s[0])):
		return fmt.Errorf("the %s %q must start with a letter or digit", what, s)
	}
	for _, r := range s {
		if !alnum(r) && r != '-' && r != '_' {
			return fmt.Errorf("the %s %q holds %q: GitHub allows letters, digits and hyphens", what, s, r)
		}
	}
	return nil
}

// validSlug checks a team's slug: letters, digits, hyphens and underscores.
func validSlug(s string) error {
	if s == "" {
		return fmt.Errorf("the team's slug is empty")
	}
	for _, r := range s {
		if !alnum(r) && r != '-' && r != '_' {
			return fmt.Errorf("the team's slug %q holds %q: a slug has letters, digits, hyphens and underscores", s, r)
		}
	}
	return nil
}

// validEmail checks an address the way a CODEOWNERS owner can carry it: one
// token, ASCII, local@domain with a dotted domain.
func validEmail(s string) error {
	local, domain, _ := strings.Cut(s, "@")
	const write = "write an address such as user@example.com"
	switch {
	case local == "":
		return fmt.Errorf("the address has nothing before @: %s", write)
	case strings.Contains(domain, "@"):
		return fmt.Errorf("the address has two @: %s", write)
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, ".."):
		return fmt.Errorf("the part before @ starts or ends with a dot, or has two in a row: %s", write)
	}
	for _, r := range local {
		if !alnum(r) && !strings.ContainsRune(".!$%&'*+=?^_{|}~-", r) {
			return fmt.Errorf("the part before @ holds %q: %s", r, write)
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return fmt.Errorf("the domain %q has no dot: %s", domain, write)
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return fmt.Errorf("the domain %q has an empty label or one that starts or ends with a hyphen: %s", domain, write)
		}
		for _, r := range l {
			if !alnum(r) && r != '-' {
				return fmt.Errorf("the domain %q holds %q: write it in ASCII (xn-- for an international domain)", domain, r)
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return fmt.Errorf("the domain %q ends in a number: %s", domain, write)
	}
	return nil
}

func alnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// ownerKey is how owners compare: GitHub's logins, team slugs and account
// emails ignore case. Owners are ASCII once ValidOwner accepts them.
func ownerKey(s string) string { return strings.ToLower(s) }
