package codeowners

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Entry is one file of a portal configuration and the owners it declares.
type Entry struct {
	// Path is slash-separated and relative to the repository root, e.g.
	// "config/teams/ml.yaml".
	Path string
	// Owners are as written: "@login", "@org/team-slug" or an email address.
	// None means the file has no owner (see the package documentation).
	Owners []string
}

// Header is the comment Lines writes above its lines.
const Header = "# Made by portalctl codeowners from the codeowners: of the portal configuration; change them there and run it again."

// Lines writes the CODEOWNERS lines that give each entry exactly its owners:
// the Header, then "/path owner…" per entry, in the entries' order. It refuses,
// naming the file, an entry whose path CODEOWNERS cannot express, whose owner
// GitHub does not accept, or that another entry repeats or contains.
func Lines(entries []Entry) ([]byte, error) {
	if err := validEntries(entries); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(Header + "\n")
	for _, e := range entries {
		b.WriteString(line(e) + "\n")
	}
	return []byte(b.String()), nil
}

// line is the CODEOWNERS line of a valid entry: its anchored, escaped path and
// its owners, each once (the first spelling of owners equal but for case).
func line(e Entry) string {
	var b strings.Builder
	b.WriteString("/" + strings.ReplaceAll(e.Path, " ", `\ `))
	seen := map[string]bool{}
	for _, o := range e.Owners {
		if k := ownerKey(o); !seen[k] {
			seen[k] = true
			b.WriteString(" " + o)
		}
	}
	return b.String()
}

// validEntries checks every entry's path and owners, and that no path is
// given twice or lies inside another (a file cannot also be a directory).
func validEntries(entries []Entry) error {
	paths := make(map[string]bool, len(entries))
	for _, e := range entries {
		if err := validPath(e.Path); err != nil {
			return fmt.Errorf("codeowners: %q: %w", e.Path, err)
		}
		for _, o := range e.Owners {
			if err := ValidOwner(o); err != nil {
				return fmt.Errorf("codeowners: %s: %w", e.Path, err)
			}
		}
		if paths[e.Path] {
			return fmt.Errorf("codeowners: %s is given twice: give each file once, with all its owners", e.Path)
		}
		paths[e.Path] = true
	}
	for p := range paths {
		for dir := p; ; {
			i := strings.LastIndexByte(dir, '/')
			if i < 0 {
				break
			}
			if dir = dir[:i]; paths[dir] {
				return fmt.Errorf("codeowners: %s is a file, and %s would be inside it: give files only", dir, p)
			}
		}
	}
	return nil
}

// validPath checks that p is a clean slash-separated relative path whose
// every character a CODEOWNERS line can carry (a space escaped).
func validPath(p string) error {
	const rel = "write the path relative to the repository root, with / between directories, e.g. config/teams/ml.yaml"
	switch {
	case p == "":
		return fmt.Errorf("an empty path: %s", rel)
	case !utf8.ValidString(p):
		return fmt.Errorf("the path is not valid UTF-8: rename the file")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("the path is absolute: %s", rel)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("the path has an empty, . or .. part: %s", rel)
		}
	}
	for _, r := range p {
		switch {
		case r == '#':
			return fmt.Errorf(`CODEOWNERS cannot name a file with "#": GitHub may read the rest of the line as a comment, and does not let "\#" escape it; rename the file`)
		case strings.ContainsRune(`*?[]\`, r):
			return fmt.Errorf(`CODEOWNERS cannot name a file with %q, which is pattern syntax there; rename the file`, r)
		case r == ' ':
			// escaped by line
		case !unicode.IsPrint(r):
			return fmt.Errorf("CODEOWNERS cannot name a file with the character %U (a blank other than a space, or a control or invisible character); rename the file", r)
		}
	}
	return nil
}
