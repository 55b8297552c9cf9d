// Package guard bounds what a portal.yaml may cost to check, so that a hostile
// file is refused before it exhausts memory or time: the size limit on a file,
// the memory budget of checking one (a multiple of its size) and the heap limit
// a process sets from it, the bound on the nodes the YAML parser would build for
// a file of tiny values, the nesting depth, and what aliases may expand to.
//
// It reads bytes and YAML node trees, never the portal model: schema calls it
// before and after parsing, and turns what it refuses into diagnostics.
package guard

import "fmt"

// DefaultMaxFileSize is the largest file accepted unless raised: within the
// memory budget, checking it costs at most 40 × 48 MiB = 1.9 GiB. A portal.yaml
// of 100,000 members and 2,000 blueprints is about 4.5 MB.
const DefaultMaxFileSize = 48 << 20

// TooComplexHint is what to write instead of a document nested too deep or full
// of aliases.
const TooComplexHint = "write the configuration out plainly: portal.yaml needs no deep nesting and few aliases"

// TooLarge says that a file is over the limit of max bytes and what the limit
// is, and, as a hint, how to raise it. size is -1 when only "more than the
// limit" is known.
func TooLarge(size, max int64) (msg, hint string) {
	what := "the input is over"
	if size >= 0 {
		what = fmt.Sprintf("the file is %s, over", mib(size))
	}
	return fmt.Sprintf("%s the %s limit on a portal.yaml (100,000 members take about 5 MB)", what, mib(max)),
		fmt.Sprintf("if the file is meant, raise the limit with --max-file-size %s (checking a file may take up to %d times its size in memory)", suggestLimit(size, max), MemoryFactor)
}

func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// suggestLimit is a --max-file-size value that admits a file of size bytes.
func suggestLimit(size, max int64) string {
	if size < 0 {
		size = 2 * max
	}
	return fmt.Sprintf("%dMiB", (size>>20)+1)
}
