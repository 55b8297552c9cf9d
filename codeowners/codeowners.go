// Package codeowners writes the GitHub CODEOWNERS lines that give each file of a
// portal configuration (the root file and its fragments) exactly its declared
// owners, and checks an existing CODEOWNERS file against them, reading it the
// way GitHub does.
//
// # What Lines writes
//
// One line per file, in the entries' order, anchored at the repository root:
// "/config/teams/ml.yaml @acme/ml-platform", after a one-line comment saying
// portalctl codeowners made them. Owners are separated by one space and not
// aligned, so that adding a file changes one line of the diff. A space in a
// path is written "\ "; a path GitHub could misread (a "#", which GitHub may
// take for a comment and does not let "\" escape; "*", "?", "[", "]" or "\",
// which are pattern syntax; a control or non-printing character) is refused
// with an error naming the file, as is a path that is not a clean relative
// path or that is both a file and a directory of another entry.
//
// A file declared with no owner gets the path alone ("/portal.yaml"). On
// GitHub a line with no owner means "no owner" and overrides the earlier lines
// that match, so the line clears what a broader line above it (say "* @acme/all")
// would give. That is what the declaration says, and what Check holds the file
// to: an entry's owners are exactly its Owners, none included. A caller that
// wants a broader line to own a file declares that owner, or leaves the file
// out of the entries.
//
// # How Check reads a CODEOWNERS file
//
// As GitHub documents it: a UTF-8 byte order mark and CR before LF are
// ignored; blank lines and lines whose first non-blank character is "#" are
// comments; a line is a pattern, then owners separated by blanks, then
// optionally a comment from a word starting with "#". The last line that
// matches a file decides its owners. A file over GitHub's size limit (3 MB) is
// not read at all, by GitHub or here.
//
// Patterns follow gitignore: a leading "/" or a "/" inside anchors the pattern
// at the root, otherwise it matches at any depth; a trailing "/" matches only
// what is inside that directory; a pattern that names a directory matches
// everything in it; "*" and "?" do not cross "/"; "**/" leading, "/**/" inside
// and "/**" trailing match any number of directories; "\" makes the next
// character literal. GitHub's documented differences are kept: "docs/*"
// matches the files directly in docs but not deeper ones; "!" negation, "[ ]"
// ranges and "\#" are not supported, and GitHub skips such lines, so Check
// reports each as a problem at its line and does not use it. A line whose
// pattern holds a "#" elsewhere, or with an owner GitHub would not accept, is a
// problem too and is not used (GitHub skips lines with invalid syntax).
//
// go-git's gitignore matcher is not used: it lets "docs/*" match
// "docs/a/b.yaml", does not backtrack over "**" (so "**/a/b" misses "x/a/a/b"),
// lets "a/**" match the file "a", and reads "[ ]" ranges. The matcher here
// translates each pattern to a regular expression, so matching takes linear
// time whatever the pattern; its tests hold it to a direct segment-by-segment
// matcher.
//
// # Where the CODEOWNERS file is
//
// GitHub reads the first of .github/CODEOWNERS, CODEOWNERS and
// docs/CODEOWNERS. Locate finds it in an fs.FS (a directory, or a git tree),
// so that the caller picks where the files come from.
package codeowners
