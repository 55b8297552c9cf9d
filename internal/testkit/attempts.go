package testkit

import (
	"bytes"
	"strings"
	"sync"
)

// Attempts is where a client's debug log goes, from any goroutine, for a test
// to count the HTTP attempts it made: qovery's transport logs "API request"
// once per attempt.
type Attempts struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (a *Attempts) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.buf.Write(p)
}

// Count is the attempts logged so far.
func (a *Attempts) Count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return strings.Count(a.buf.String(), `msg="API request"`)
}
