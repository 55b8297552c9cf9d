package qovery

import (
	"context"
	"sync"
	"time"
)

// Circuit-breaker defaults. A run of failed attempts with no answer in between
// opens the breaker: BreakerFailures of them, or at least two spanning
// BreakerWindow. Ten in a row is how a dead API looks (connection refused: ten
// attempts take well under a second at default parallelism), and something a
// portal that loses a fifth of its requests does about once in ten million
// attempts (0.2^10). The window catches an API that accepts connections and
// never answers: each attempt then lasts the whole per-attempt timeout, so two
// of them in a row are already 2 × 10 s.
const (
	defaultBreakerFailures = 10
	defaultBreakerWindow   = 10 * time.Second
)

// breaker is shared by every call of a Client: once the portal stops
// answering, or refuses the credentials, every later call fails at once,
// naming the URL and the cause, and calls in flight are cut off.
type breaker struct {
	url       string
	threshold int
	window    time.Duration

	// tripped is done once the breaker is open; calls in flight watch it.
	tripped context.Context
	trip    context.CancelFunc

	mu       sync.Mutex
	failures int       // consecutive failed attempts
	since    time.Time // when the first of them started
	open     *BreakerError
}

func newBreaker(url string, threshold int, window time.Duration) *breaker {
	ctx, cancel := context.WithCancel(context.Background())
	return &breaker{url: url, threshold: threshold, window: window, tripped: ctx, trip: cancel}
}

// err is the breaker's error once it is open, else nil.
func (b *breaker) err() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == nil {
		return nil
	}
	return b.open
}

// answered records an attempt the portal answered (even with an error
// status): it is alive.
func (b *breaker) answered() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = 0
}

// failed records an attempt that started at start and ended without an
// answer (or with a gateway error), and opens the breaker when the run of
// such attempts is long enough.
func (b *breaker) failed(start time.Time, cause error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open != nil {
		return
	}
	if b.failures == 0 || start.Before(b.since) {
		b.since = start
	}
	b.failures++
	if b.failures >= b.threshold || (b.failures >= 2 && time.Since(b.since) >= b.window) {
		b.tripLocked(&BreakerError{URL: b.url, Failures: b.failures, Cause: cause})
	}
}

// refused opens the breaker on a 401 or 403: the credentials will not get
// better by sending more.
func (b *breaker) refused(cause error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.open == nil {
		b.tripLocked(&BreakerError{URL: b.url, Cause: cause})
	}
}

func (b *breaker) tripLocked(e *BreakerError) {
	b.open = e
	b.trip()
}
