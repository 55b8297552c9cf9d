package portal

// Layout is how a configuration is split into files (docs/large-organizations.md):
// a root file, whose include: section names the fragments that hold the rest,
// each include with its owners and its scope, what its files may define. The
// model merges every file's entries; an entry's Pos names the file that holds it.
type Layout struct {
	// Root is the root file, as diagnostics name it.
	Root string
	// Codeowners are the root file's owners (its codeowners: key).
	Codeowners []string
	Includes   []Include
	// Files are every file read: the root first, then each fragment, in the
	// order of the includes and, within one, of their paths.
	Files []File
}

// Include is one entry of the root file's include: section.
type Include struct {
	Path       string // as written: a file or a glob, relative to the root's directory
	Codeowners []string
	// Blueprints are the names or globs of the blueprints its files may
	// define; Members, whether they may define members, groups and
	// organization_members.
	Blueprints []string
	Members    bool
	Pos        Pos // of the entry
}

// File is one file of a layout.
type File struct {
	Name string // as diagnostics name it: the root's directory joined with the path
	// Include is the index in Layout.Includes of the include that names the
	// file; -1 for the root.
	Include int
}

// Owners are the owners declared for file f: the root's, or its include's.
func (l *Layout) Owners(f File) []string {
	if f.Include < 0 {
		return l.Codeowners
	}
	return l.Includes[f.Include].Codeowners
}

// Split reports whether the configuration is read from more than one file.
func (l *Layout) Split() bool { return l != nil && len(l.Files) > 1 }
