package report

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/qovery/portalctl/portal"
)

// Provenance says what a report compares and which run made it, so that a reviewer
// can tell whether a comment edited in place reflects the latest push.
type Provenance struct {
	// File is the file as named on the command line.
	File string `json:"file"`
	// Path is the file's slash-separated path in the repository, for links.
	Path string   `json:"path,omitempty"`
	Base Revision `json:"base"`
	Head Revision `json:"head"`
	// RepositoryURL is the repository's web address (GITHUB_SERVER_URL and
	// GITHUB_REPOSITORY), for links to commits and lines; empty outside GitHub.
	RepositoryURL string `json:"repository_url,omitempty"`
	// RunURL is the workflow run that made the report, when known.
	RunURL string `json:"run_url,omitempty"`
	// Changed are the files of a split configuration (docs/large-organizations.md)
	// that the change adds to it, removes from it or changes, the root first;
	// empty when only the root is read.
	Changed []ChangedFile `json:"changed_files,omitempty"`
	// Paths are the repository paths of the layout's other files whose lines
	// can be linked at the head commit (their bytes are the commit's), by the
	// name diagnostics give them; the root's is Path.
	Paths map[string]string `json:"-"`
}

// ChangedFile is one file of the configuration that the change touches.
type ChangedFile struct {
	// Path is its slash-separated path in the repository, or its name when
	// that is not known.
	Path string `json:"path"`
	// Change is "added" (to the layout), "removed" (deleted, or no longer
	// included) or "changed".
	Change string `json:"change"`
}

// Revision is one side of the comparison.
type Revision struct {
	// Ref is the revision as given (e.g. "HEAD^1", "origin/main"); for the head,
	// "HEAD".
	Ref string `json:"ref"`
	// Commit is the full SHA the side was read from. For the head it is the commit
	// whose file is the one compared: the pull request's own commit when the checkout
	// is the merge commit GitHub makes and the file is the same in both.
	Commit string `json:"commit,omitempty"`
	// Uncommitted says the head's file differs from Commit (a local run on a
	// changed working tree): its lines cannot be linked.
	Uncommitted bool `json:"uncommitted,omitempty"`
	// Note says what stood in for the file when it could not be read there, e.g.
	// "the file does not exist there: compared with an empty portal".
	Note string `json:"note,omitempty"`
}

// Short is the commit's abbreviated SHA.
func (r Revision) Short() string {
	if len(r.Commit) > 7 {
		return r.Commit[:7]
	}
	return r.Commit
}

// CommitURL is the web address of commit, or "".
func (p *Provenance) CommitURL(commit string) string {
	if p == nil || p.RepositoryURL == "" || !isHex(commit) {
		return ""
	}
	return p.RepositoryURL + "/commit/" + commit
}

// LineURL is the web address of the line at pos at the head commit: in the root
// file, or in another file of the layout that Paths names. It is "" when pos is
// in a file it does not know, or whose bytes are not the commit's.
func (p *Provenance) LineURL(pos portal.Pos) string {
	if p == nil || p.RepositoryURL == "" || !isHex(p.Head.Commit) || pos.Line < 1 {
		return ""
	}
	file := p.Paths[pos.File]
	if pos.File == p.File {
		file = p.Path
		if p.Head.Uncommitted {
			return ""
		}
	}
	if file == "" {
		return ""
	}
	segs := strings.Split(file, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return p.RepositoryURL + "/blob/" + p.Head.Commit + "/" + strings.Join(segs, "/") + "#L" + strconv.Itoa(pos.Line)
}

func isHex(s string) bool {
	if len(s) < 7 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
