package qovery

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	const min, max = 200 * time.Millisecond, 10 * time.Second
	resp := func(status int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	tests := []struct {
		name    string
		attempt int
		resp    *http.Response
		lo, hi  time.Duration // inclusive bounds of the jittered wait
	}{
		{"429 Retry-After honoured", 0, resp(429, "3"), 3 * time.Second, 3*time.Second + min},
		{"429 Retry-After capped", 0, resp(429, "120"), max, max + min},
		{"429 bad Retry-After falls back to backoff", 2, resp(429, "soon"), 0, 4 * min},
		{"429 without Retry-After", 0, resp(429, ""), 0, min},
		{"Retry-After ignored on 502", 0, resp(502, "30"), 0, min},
		{"exponential", 3, resp(502, ""), 0, 8 * min},
		{"capped", 10, nil, 0, max},
		{"no overflow", 70, nil, 0, max},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 200 {
				if got := backoff(min, max, tt.attempt, tt.resp); got < tt.lo || got > tt.hi {
					t.Fatalf("backoff = %v, want within [%v, %v]", got, tt.lo, tt.hi)
				}
			}
		})
	}
}

func TestClassify(t *testing.T) {
	dial := &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	reset := &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}}
	eof := &url.Error{Op: "Post", URL: "http://x", Err: io.EOF}
	cert := &url.Error{Op: "Get", URL: "https://x", Err: &tls.CertificateVerificationError{Err: errors.New("unknown authority")}}
	status := func(code int) *http.Response { return &http.Response{StatusCode: code} }
	tests := []struct {
		name           string
		method         string
		resp           *http.Response
		err            error
		notWritten     bool // the request never reached the connection
		retry, maybeDo bool
	}{
		{"POST dial error is retried", "POST", nil, dial, true, true, false},
		{"POST 429 is retried", "POST", status(429), nil, false, true, false},
		{"POST EOF is ambiguous", "POST", nil, eof, false, false, true},
		{"POST reset is ambiguous", "POST", nil, reset, false, false, true},
		{"POST reset before the request was written is retried", "POST", nil, reset, true, true, false},
		{"POST 502 is ambiguous", "POST", status(502), nil, false, false, true},
		{"POST 409 is final", "POST", status(409), nil, false, false, false},
		{"PUT 503 is retried", "PUT", status(503), nil, false, true, true},
		{"DELETE EOF is retried", "DELETE", nil, eof, false, true, true},
		{"DELETE EOF before writing was not processed", "DELETE", nil, eof, true, true, false},
		{"GET 501 is final", "GET", status(501), nil, false, false, false},
		{"GET 404 is final", "GET", status(404), nil, false, false, false},
		{"GET certificate error is final", "GET", nil, cert, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retry, maybe := classify(tt.method, tt.resp, tt.err, !tt.notWritten)
			if retry != tt.retry || maybe != tt.maybeDo {
				t.Fatalf("classify = (retry %v, maybe processed %v), want (%v, %v)", retry, maybe, tt.retry, tt.maybeDo)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		name, tmpl string
		values     []string
		want       string
	}{
		{"one", PathMember, []string{"abc"}, "/member/abc"},
		{"escaped", PathBlueprintACL, []string{"a/b c"}, "/blueprint/a%2Fb%20c/acl"},
		{"organization", BasePath + PathMembers, []string{"org-1"}, "/organization/org-1/portal/member"},
		{"no placeholder", PathMembers, nil, "/member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Expand(tt.tmpl, tt.values...); got != tt.want {
				t.Fatalf("expand = %q, want %q", got, tt.want)
			}
		})
	}
}
