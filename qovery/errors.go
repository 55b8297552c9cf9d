package qovery

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors callers branch on. An *APIError matches the one that
// corresponds to its status code, so errors.Is(err, ErrNotFound) works on
// any error returned by the Client.
var (
	ErrBadRequest         = errors.New("bad request")
	ErrUnauthorized       = errors.New("unauthorized")
	ErrForbidden          = errors.New("forbidden")
	ErrNotFound           = errors.New("not found")
	ErrConflict           = errors.New("conflict")
	ErrPreconditionFailed = errors.New("precondition failed")
	ErrRateLimited        = errors.New("rate limited")

	// ErrAmbiguous marks a failed change (POST, PUT, DELETE) that the
	// portal may nevertheless have processed: it was sent, and the answer
	// was a 5xx, a connection dropped after the request was written, a
	// timeout, or an interruption. The client never replays a POST in that
	// state: the caller re-reads the state (e.g. the member list) before
	// trying again.
	ErrAmbiguous = errors.New("outcome unknown: the portal may have processed the request; re-read before retrying")

	// ErrNotSent marks a call of which no request reached the portal: the
	// circuit breaker was open, the context ended first, or no connection
	// could be made. Nothing changed in the portal because of it.
	ErrNotSent = errors.New("not sent")

	// ErrUnavailable marks calls refused by the open circuit breaker: the
	// portal stopped answering or refused the token, and the client sends
	// nothing more. errors.As with *BreakerError gives the URL and cause.
	ErrUnavailable = errors.New("portal API unavailable")

	// ErrContradicted marks a change the API accepted (it answered 2xx)
	// with an answer that says another thing was done than was asked:
	// another role, another address, other rules. What the API did is
	// unknown; the caller neither counts it done nor sends it again blindly.
	// errors.As with *ContradictionError says what the answer said.
	ErrContradicted = errors.New("the answer contradicts the request")
)

// ContradictionError is a change the API accepted with an answer that
// contradicts it. It matches ErrContradicted.
type ContradictionError struct {
	// API is who answered, e.g. "the portal".
	API string
	// What is what the answer says against the request, e.g. `the role of
	// member "m-2" is "USER", not "ADMIN"`.
	What string
}

func (e *ContradictionError) Error() string {
	return fmt.Sprintf("%s accepted the change, but its answer says %s: what it did is unknown; run plan again to see the portal as it is", e.API, e.What)
}

func (e *ContradictionError) Is(target error) bool { return target == ErrContradicted }

// APIError is a non-2xx answer of the portal, decoded from its
// {"status":404,"detail":"…"} body (or the older {"error","message"} one).
type APIError struct {
	StatusCode int    // HTTP status code of the answer
	ErrorText  string // "error" field, e.g. "Not Found"
	Message    string // "detail" field, else "message": human-readable, one printable line
	Method     string // HTTP method of the request
	Path       string // request path relative to the client's base path
	// Hint says what to do about it, when the client knows better than the
	// answer: for a 403, the permission the call needs and what to grant.
	Hint string
}

// Error reads like "PUT /blueprint/abc/acl: 412 Precondition Failed: etag is stale".
func (e *APIError) Error() string {
	text := e.ErrorText
	if text == "" {
		text = http.StatusText(e.StatusCode)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.StatusCode)
	if text != "" {
		b.WriteString(" " + text)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// Is maps the status code to the package's sentinel errors.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrPreconditionFailed:
		return e.StatusCode == http.StatusPreconditionFailed
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// Ambiguous marks err as the failure of a change whose outcome is unknown: it
// matches ErrAmbiguous. A client uses it when the API answered a change with a
// body it cannot read.
func Ambiguous(err error) error { return &ambiguousError{err} }

// ambiguousError wraps the failure of a POST whose outcome is unknown.
type ambiguousError struct{ err error }

func (e *ambiguousError) Error() string {
	return e.err.Error() + " (" + ErrAmbiguous.Error() + ")"
}

func (e *ambiguousError) Unwrap() error { return e.err }

func (e *ambiguousError) Is(target error) bool { return target == ErrAmbiguous }

// redactedError hides the token from the text of an error while keeping
// the chain for errors.Is and errors.As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// notSentError wraps the failure of a call none of whose attempts reached
// the portal.
type notSentError struct{ err error }

func (e *notSentError) Error() string        { return e.err.Error() }
func (e *notSentError) Unwrap() error        { return e.err }
func (e *notSentError) Is(target error) bool { return target == ErrNotSent }

// BreakerError is what every call gets once the circuit breaker is open:
// the portal at URL stopped answering (Failures consecutive transport
// failures, the last being Cause) or refused the credentials (Cause is the
// 401 or 403). It matches ErrUnavailable and unwraps to Cause, so
// errors.Is(err, ErrUnauthorized) still works. A call refused before any
// attempt also matches ErrNotSent; one cut off in flight matches
// ErrAmbiguous instead.
type BreakerError struct {
	URL      string // the API root, e.g. https://api.qovery.com
	Failures int    // consecutive failures that opened it; 0 for a 401/403
	Cause    error
}

func (e *BreakerError) Error() string {
	if e.Failures == 0 {
		return fmt.Sprintf("the portal API at %s refused the credentials (%v): nothing more is sent; check QOVERY_API_TOKEN and the organization", e.URL, e.Cause)
	}
	return fmt.Sprintf("the portal API at %s stopped answering (%d failed attempts in a row, the last: %v): nothing more is sent", e.URL, e.Failures, e.Cause)
}

func (e *BreakerError) Unwrap() error { return e.Cause }

func (e *BreakerError) Is(target error) bool { return target == ErrUnavailable }
