package diag

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxQuoted is how many characters of a value Quote shows.
const maxQuoted = 80

// Quote quotes a value from the input for a message, Go-quoted (control and
// invisible characters show as escapes) and cut to a readable length: a
// megabyte-long key must not become a megabyte-long message.
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	r := []rune(s)
	return strconv.Quote(string(r[:maxQuoted])) + fmt.Sprintf("… (%d characters)", len(r))
}
