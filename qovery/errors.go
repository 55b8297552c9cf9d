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

	// ErrAmbiguous marks a failed POST that the portal may nevertheless
	// have processed (a 5xx answer, a connection dropped after the request
	// was sent, a timeout). The client does not replay it: the caller
	// should re-read the state (e.g. the member list) before trying again.
	ErrAmbiguous = errors.New("outcome unknown: the portal may have processed the request; re-read before retrying")
)

// APIError is a non-2xx answer of the portal, decoded from its
// {"status":404,"error":"Not Found","message":"…"} body.
type APIError struct {
	StatusCode int    // HTTP status code of the answer
	ErrorText  string // "error" field, e.g. "Not Found"
	Message    string // "message" field, human-readable detail (token redacted)
	Method     string // HTTP method of the request
	Path       string // request path relative to the portal base path
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
