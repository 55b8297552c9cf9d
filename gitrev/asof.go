package gitrev

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// AsOf finds, for each instant of before, the commit that held the repository
// of file (a path as the user typed it) then: the last commit on the
// first-parent line from HEAD whose committer date, and the committer date of
// every commit before it on that line, is earlier than that instant. A commit
// cannot reach the branch before its parent did: one dated before its parent
// (backdated, or rebased with its old dates) is not taken for the file of a
// day its parent is not older than, else it would hide from a review every
// change made between them. The first-parent line is walked once for every
// instant, newest commit first, to its root. The answer is the commits' full
// SHAs in the order of before; "" for an instant older than every commit.
//
// `portalctl review` reads the file as of a blueprint's last review with it:
// before is the start of the day after the review, UTC (docs/access-reviews.md).
// Committer dates, not author dates, say when a change reached the branch. A
// shallow clone whose history stops before an instant is refused: the commit
// of that day is not there to read.
func AsOf(ctx context.Context, file string, before []time.Time) ([]string, error) {
	out, err := asOf(ctx, file, before)
	if err != nil {
		return nil, fmt.Errorf("find the commits of %s as of the review dates: %w", file, err)
	}
	return out, nil
}

func asOf(ctx context.Context, file string, before []time.Time) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	repo, err := openRepository(file)
	if err != nil {
		return nil, err
	}
	r := newResolver(repo.repo, "HEAD")
	c, err := r.resolve()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(before))
	for n := 0; ; n++ {
		if n%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		when := c.Committer.When
		for i, t := range before {
			switch {
			case !when.Before(t):
				out[i] = "" // newer commits follow one not before t
			case out[i] == "":
				out[i] = c.Hash.String()
			}
		}
		if c.NumParents() == 0 {
			break
		}
		next, err := repo.repo.CommitObject(c.ParentHashes[0])
		if err != nil {
			if errors.Is(err, plumbing.ErrObjectNotFound) && r.shallow() {
				if !slices.Contains(out, "") {
					break // each instant has its commit; older dates are not there to check
				}
				return nil, fmt.Errorf("the history before commit %s (%s) is not in this shallow clone, and a review date is older: set `fetch-depth: 0` on actions/checkout, or `GIT_DEPTH: 0` on GitLab CI", c.Hash, when.UTC().Format(time.DateOnly))
			}
			return nil, r.missing("commit "+c.ParentHashes[0].String(), err)
		}
		c = next
	}
	return out, nil
}
