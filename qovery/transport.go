package qovery

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/qovery/portalctl/portal"
)

// Retry defaults. An attempt that gets no answer in 10 s is given up (a page of
// 100 members or an ACL write answers in milliseconds); up to 8 retries, waiting
// 200 ms doubling to at most 5 s, ride out a restart or a burst of 502s, and a
// portal that loses a fifth of its requests fails a call only once in 0.2^9.
// The circuit breaker (breaker.go) stops the retries as soon as the portal is
// gone, so these never add up to minutes.
const (
	defaultTimeout      = 10 * time.Second
	defaultRetryMax     = 8
	defaultRetryWaitMin = 200 * time.Millisecond
	defaultRetryWaitMax = 5 * time.Second

	// maxResponseBytes bounds every response body read into memory.
	maxResponseBytes = 16 << 20
	// pageSize is the page size asked for when listing (the API maximum).
	pageSize = 100
	// maxIdleConnsPerHost lets 8–16 concurrent ACL reads and writes reuse
	// their connections instead of opening new ones.
	maxIdleConnsPerHost = 64

	redactedText = "[REDACTED]"
	// minRedactLen is the shortest token redacted from messages as a
	// backstop: a shorter one would match ordinary text ("GE[REDACTED]
	// /blueprint" for the token "T"). The token is never put into a
	// message in the first place; redaction only guards against a server
	// that echoes it.
	minRedactLen = 8
)

// Options configures a Transport (and, with OrganizationID, the portal Client New
// builds on it). Zero values take the documented defaults.
type Options struct {
	// BaseURL is the API root, e.g. https://api.qovery.com. Plain http is
	// refused unless the host is a loopback address (127.0.0.0/8, ::1,
	// "localhost"), so the token never travels unencrypted.
	BaseURL string
	// Token is sent as "Authorization: Token <token>" and never appears in
	// any error or log line.
	Token          string
	OrganizationID string
	// Version goes into the User-Agent "portalctl/<version>".
	Version string
	// Timeout bounds each attempt (default 10s).
	Timeout time.Duration
	// RetryMax is the number of retries after the first attempt (default
	// 8; a negative value disables retries).
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the backoff between attempts
	// (defaults 200ms and 5s). A Retry-After asked by the portal is
	// honoured up to RetryWaitMax.
	RetryWaitMin, RetryWaitMax time.Duration
	// BreakerFailures failed attempts in a row (default 10), or at least
	// two spanning BreakerWindow (default 10s), open the circuit breaker:
	// every later call through this Transport fails at once with a
	// *BreakerError.
	// A 401 or 403 opens it at once.
	BreakerFailures int
	BreakerWindow   time.Duration
	// Logger receives debug lines per attempt and retry (optional).
	Logger *slog.Logger
}

// Transport is the HTTP machinery that every client of the Qovery API shares: the
// API root and its TLS and loopback rules, the token in the Authorization header
// (and nowhere else), the retry policy, the circuit breaker, redaction and the typed
// errors. The portal client (Client) and the organization client (package
// qovery/organization) each speak their own endpoints through one Transport, so that
// an API that stops answering, or refuses the token, stops both. It is safe for
// concurrent use.
type Transport struct {
	baseURL string // scheme://host[/prefix], no trailing slash
	token   string
	agent   string
	waitMin time.Duration
	waitMax time.Duration
	log     *slog.Logger
	rc      *retryablehttp.Client
	brk     *breaker
}

// NewTransport checks opts (all but OrganizationID, which the clients check) and
// builds a Transport.
func NewTransport(opts Options) (*Transport, error) {
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if opts.Token == "" {
		return nil, errors.New("portal API token is empty")
	}
	if strings.ContainsFunc(opts.Token, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return nil, errors.New("portal API token contains spaces or control characters")
	}
	c := &Transport{
		baseURL: base,
		token:   opts.Token,
		agent:   "portalctl/" + cmpOr(opts.Version, "dev"),
		waitMin: cmpOr(opts.RetryWaitMin, defaultRetryWaitMin),
		waitMax: cmpOr(opts.RetryWaitMax, defaultRetryWaitMax),
		log:     opts.Logger,
		brk:     newBreaker(base, cmpOr(opts.BreakerFailures, defaultBreakerFailures), cmpOr(opts.BreakerWindow, defaultBreakerWindow)),
	}
	if c.waitMax < c.waitMin {
		c.waitMax = c.waitMin
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	retryMax := opts.RetryMax
	switch {
	case retryMax == 0:
		retryMax = defaultRetryMax
	case retryMax < 0:
		retryMax = 0
	}
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		// Verification stays on: no InsecureSkipVerify, ever.
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   maxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	c.rc = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport: transport,
			Timeout:   cmpOr(opts.Timeout, defaultTimeout),
			// The API never redirects; following one could carry the
			// token to another host or downgrade to plain http (net/http
			// keeps Authorization on a same-host redirect, https to http
			// included). The redirect is the answer: see redirectHint.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Logger:         nil, // we log ourselves
		RetryWaitMin:   c.waitMin,
		RetryWaitMax:   c.waitMax,
		RetryMax:       retryMax,
		CheckRetry:     c.checkRetry,
		Backoff:        backoff,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
		RequestLogHook: c.logAttempt,
		// No retry once the breaker is open.
		PrepareRetry: func(*http.Request) error { return c.brk.err() },
	}
	return c, nil
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// parseBaseURL validates the API root and returns it without a trailing
// slash.
func parseBaseURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", errors.New("portal API URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("invalid portal API URL: %w", err)
	}
	if u.User != nil {
		return "", fmt.Errorf("portal API URL %s must not carry credentials; the token comes from the environment", u.Redacted())
	}
	if u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("portal API URL %q has no host; write it like https://api.qovery.com", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("portal API URL %q must not have a query or fragment", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return "", fmt.Errorf("refusing plain-HTTP portal API URL %q: the token would travel unencrypted; use https:// (http:// is only allowed for loopback addresses)", raw)
		}
	default:
		return "", fmt.Errorf("portal API URL %q must start with https://", raw)
	}
	return u.Scheme + "://" + u.Host + strings.TrimRight(u.EscapedPath(), "/"), nil
}

// isLoopback reports whether host is "localhost" or a loopback IP literal.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// Redact hides the token in err's text, keeping its chain for errors.Is and
// errors.As: a backstop for servers that echo the token.
func (c *Transport) Redact(err error) error { return c.redactErr(err) }

// redact removes the token from s: a backstop for servers that echo it, since
// the client itself never writes the token anywhere but the Authorization
// header. Tokens shorter than minRedactLen are left alone (see there).
func (c *Transport) redact(s string) string {
	if len(c.token) < minRedactLen {
		return s
	}
	return strings.ReplaceAll(s, c.token, redactedText)
}

// redactErr returns err unchanged unless its text contains the token.
func (c *Transport) redactErr(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := c.redact(msg); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

// callState follows one logical call across its attempts. retryablehttp
// calls its hooks sequentially for a given request; only the write flags are
// set from the transport's goroutines.
type callState struct {
	method   string
	path     string
	attempts int
	start    time.Time // of the current attempt
	// lastMaybeProcessed: the last attempt failed in a way that does not
	// exclude that the portal processed it.
	lastMaybeProcessed bool
	// uncertain: an attempt before the last one may have been processed
	// although we retried it.
	uncertain bool
	// wrote: the current attempt's request headers reached a connection (set
	// by the transport). reached: some attempt may have reached the portal; a
	// call where none did changed nothing.
	wrote   atomic.Bool
	reached bool
}

// mutation reports whether the call changes the portal.
func (st *callState) mutation() bool {
	return st.method != http.MethodGet && st.method != http.MethodHead
}

type callStateKey struct{}

func stateOf(ctx context.Context) *callState {
	if st, ok := ctx.Value(callStateKey{}).(*callState); ok {
		return st
	}
	return &callState{method: http.MethodGet}
}

// checkRetry is the retry policy. Idempotent requests (GET, PUT, DELETE)
// are retried on 429, 5xx (but 501) and connection errors. A POST is
// retried only when the portal certainly did not process it: a 429, or a
// request that never reached the connection. It also tells the breaker
// whether the portal answered.
func (c *Transport) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	st := stateOf(ctx)
	st.attempts++
	if ctxErr := ctx.Err(); ctxErr != nil {
		// Interrupted, or cut off by the breaker: not the portal's doing.
		st.lastMaybeProcessed = st.wrote.Load()
		st.reached = st.reached || st.wrote.Load()
		return false, ctxErr
	}
	retry, maybeProcessed := classify(st.method, resp, err, st.wrote.Load())
	st.lastMaybeProcessed = maybeProcessed
	// A dial error ends an attempt that reached nobody, even when the
	// transport first wrote it to a pooled connection the server had closed.
	st.reached = st.reached || err == nil || (st.wrote.Load() && !isDialError(err))
	outcome := ""
	if err != nil {
		outcome = c.redact(err.Error())
		c.brk.failed(st.start, fmt.Errorf("%s %s: %w", st.method, st.path, bare(err)))
	} else {
		outcome = resp.Status
		switch resp.StatusCode {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			c.brk.failed(st.start, fmt.Errorf("%s %s: %s", st.method, st.path, resp.Status))
		default:
			c.brk.answered()
		}
	}
	if !retry {
		return false, nil
	}
	if maybeProcessed {
		st.uncertain = true
	}
	c.log.DebugContext(ctx, "API attempt failed, retrying",
		"method", st.method, "path", st.path, "attempt", st.attempts, "outcome", outcome)
	return true, nil
}

// classify decides whether an attempt's outcome may be retried, and
// whether the portal may have processed it. wrote says whether the
// attempt's request headers reached the connection.
func classify(method string, resp *http.Response, err error, wrote bool) (retry, maybeProcessed bool) {
	idempotent := method != http.MethodPost
	if err != nil {
		// retryablehttp's own policy refuses certificate, scheme,
		// redirect and header errors: nothing was sent for those.
		if ok, _ := retryablehttp.DefaultRetryPolicy(context.Background(), nil, err); !ok {
			return false, false
		}
		if isDialError(err) || !wrote {
			return true, false
		}
		return idempotent, true
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, false
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return idempotent, true
	}
	return false, false
}

// isDialError reports whether err happened while establishing the
// connection, before anything was sent.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// backoff is capped exponential backoff with full jitter. A 429 carrying
// Retry-After waits what the portal asked, capped at max, plus a little
// jitter so that concurrent workers do not come back in lockstep.
func backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		if wait, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			wait = minDuration(wait, max)
			return wait + jitter(min)
		}
	}
	ceiling := max
	if attempt < 32 {
		if exp := min << attempt; exp > 0 && exp < max {
			ceiling = exp
		}
	}
	return jitter(ceiling + 1)
}

func jitter(n time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	return rand.N(n)
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// retryAfter parses a Retry-After header: delay in seconds or HTTP date.
func retryAfter(h string) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > 3600 {
			secs = 3600
		}
		return time.Duration(secs) * time.Second, true
	}
	when, err := http.ParseTime(h)
	if err != nil {
		return 0, false
	}
	return max(time.Until(when), 0), true
}

func (c *Transport) logAttempt(_ retryablehttp.Logger, req *http.Request, retry int) {
	st := stateOf(req.Context())
	st.start = time.Now()
	st.wrote.Store(false)
	c.log.DebugContext(req.Context(), "API request",
		"method", st.method, "path", st.path, "attempt", retry+1)
}

// Call is one logical call through a Transport.
type Call struct {
	Method string
	// Base is the client's base path with its organization filled in, e.g.
	// /organization/0b5c…/portal; Path is relative to it and already
	// expanded (path-escaped). Messages name the call by Method and Path.
	Base, Path string
	Query      url.Values
	// Body is encoded as the JSON request body when not nil, whatever the
	// method (the organization API removes a member with DELETE and a body).
	Body   any
	Header http.Header
	// API names who answers in messages about its answers (PortalAPI, say).
	API string
	// Forbidden says, for a 403, what permission the call needs and what to
	// grant: it becomes the *APIError's Hint.
	Forbidden string
}

// Response is a 2xx answer, or the non-2xx answer behind an *APIError.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Uncertain: a retried earlier attempt may have been processed, so a 412
	// or a 404 may be the trace of our own earlier success.
	Uncertain bool
	// API is the call's, for Decode's messages.
	API string
}

// Do performs one logical call, retrying it as the retry policy allows. It returns
// an *APIError (wrapped as ErrAmbiguous when an earlier attempt of a change may have
// been processed) for a non-2xx answer, together with that answer; ErrNotSent when
// no attempt reached the API; ErrAmbiguous when a change was sent and its answer
// lost. Errors are not redacted: callers wrap them, then pass them through Redact.
func (c *Transport) Do(ctx context.Context, call Call) (*Response, error) {
	method, path, in := call.Method, call.Path, call.Body
	if err := ctx.Err(); err != nil {
		return nil, &notSentError{fmt.Errorf("%s %s: %w", method, path, err)}
	}
	if err := c.brk.err(); err != nil {
		return nil, &notSentError{fmt.Errorf("%s %s: %w", method, path, err)}
	}
	var body any
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		body = data
	}
	st := &callState{method: method, path: path}
	ctx = context.WithValue(ctx, callStateKey{}, st)
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { st.wrote.Store(true) }})
	// The breaker cuts off this call (an attempt in flight, or a backoff
	// wait) the moment it opens, with its error as the cause.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(c.brk.tripped, func() { cancel(c.brk.err()) })
	defer stop()
	target := c.baseURL + call.Base + path
	if len(call.Query) > 0 {
		target += "?" + call.Query.Encode()
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	// The one place where the token is attached to a request.
	req.Header.Set("Authorization", "Token "+c.token)
	req.Header.Set("User-Agent", c.agent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range call.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}

	start := time.Now()
	resp, err := c.rc.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, c.transportError(ctx, st, err)
	}
	defer resp.Body.Close()
	data, readErr := readLimited(resp.Body)
	c.log.DebugContext(ctx, "API response", "method", method, "path", path,
		"status", resp.StatusCode, "attempts", st.attempts, "duration", time.Since(start))
	res := &Response{Status: resp.StatusCode, Header: resp.Header, Body: data, Uncertain: st.uncertain, API: call.API}
	if readErr != nil {
		err := fmt.Errorf("%s %s: read %d answer: %w", method, path, resp.StatusCode, readErr)
		if st.mutation() && (resp.StatusCode < 300 || resp.StatusCode >= 500) {
			err = &ambiguousError{err}
		}
		return nil, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return res, nil
	}
	apiErr := c.apiError(method, path, resp.StatusCode, data)
	if resp.StatusCode == http.StatusForbidden {
		apiErr.Hint = call.Forbidden
	}
	if hint := c.redirectHint(req.URL, resp); hint != "" {
		apiErr.Hint = hint
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		c.brk.refused(apiErr)
	}
	if st.mutation() && st.lastMaybeProcessed {
		return res, &ambiguousError{apiErr}
	}
	return res, apiErr
}

// redirectHint names where a redirect answer pointed, which is never followed
// (see CheckRedirect in NewTransport): the API does not redirect, so the address
// portalctl was given is not the API's. "" for an answer that is no redirect.
func (c *Transport) redirectHint(from *url.URL, resp *http.Response) string {
	if resp.StatusCode < 300 || resp.StatusCode > 399 {
		return ""
	}
	where := "nowhere (no Location)"
	if loc, err := from.Parse(resp.Header.Get("Location")); err == nil && resp.Header.Get("Location") != "" {
		to := url.URL{Scheme: loc.Scheme, Host: loc.Host, Path: loc.Path}
		where = c.redact(sanitize(to.String(), 300))
	}
	return "the API answered with a redirect to " + where + ", which portalctl does not follow: the token goes to no other address than the one given; set --api-url or QOVERY_API_URL to the API's own address"
}

// transportError describes a call that ended without an answer: not sent at
// all, or (for a change) sent with an unknown outcome. The cause is the root
// one: the breaker's error when it cut the call off, the context's when the
// caller gave up.
func (c *Transport) transportError(ctx context.Context, st *callState, err error) error {
	var out error
	switch {
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), ErrUnavailable):
		out = fmt.Errorf("%s %s: %w", st.method, st.path, context.Cause(ctx))
	case ctx.Err() != nil:
		out = fmt.Errorf("%s %s: %w", st.method, st.path, ctx.Err())
	case errors.Is(err, ErrUnavailable): // PrepareRetry refused the next attempt
		out = fmt.Errorf("%s %s: %w", st.method, st.path, err)
	default:
		out = fmt.Errorf("%s %s: gave up after %d attempt(s): %w", st.method, st.path, max(st.attempts, 1), bare(err))
	}
	switch {
	case !st.reached:
		out = &notSentError{out}
	case st.mutation() && (st.lastMaybeProcessed || st.uncertain):
		out = &ambiguousError{out}
	}
	return out
}

// bare drops the *url.Error around a transport error: it repeats the method and
// the whole URL, which the messages already say better.
func bare(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// readLimited reads at most maxResponseBytes and fails beyond.
func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxResponseBytes {
		return nil, fmt.Errorf("response body exceeds %d MiB", maxResponseBytes>>20)
	}
	return data, nil
}

// apiError decodes an error body; a body that is not the API's JSON shape
// (a proxy's HTML page, say) contributes a short printable excerpt.
func (c *Transport) apiError(method, path string, status int, body []byte) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path}
	var payload struct {
		Error   string `json:"error"`
		Detail  string `json:"detail"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &payload); err == nil {
		e.ErrorText = c.redact(sanitize(payload.Error, 200))
		e.Message = c.redact(sanitize(cmpOr(payload.Detail, payload.Message), 2000))
	} else if len(bytes.TrimSpace(body)) > 0 {
		e.Message = c.redact(sanitize(string(body), 200))
	}
	if e.ErrorText == "" {
		e.ErrorText = http.StatusText(status)
	}
	return e
}

// sanitize keeps s printable, on one line and at most n bytes long, so a
// server message cannot forge lines in a terminal or a log, nor reorder one
// with bidirectional controls (those are shown as \u202e escapes).
func sanitize(s string, n int) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			b.WriteByte(' ')
		case portal.HiddenControl(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	s = b.String()
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// Decode unmarshals the JSON body of a 2xx answer to the call method path. An
// answer whose keys encoding/json would match to its fields other than exactly
// (a key that differs from a field only in case, a key given twice: see
// checkKeys) is an *UnexpectedError naming the call, not read.
func Decode(res *Response, method, path string, v any) error {
	if ke := checkKeys(res.Body, reflect.TypeOf(v)); ke != nil {
		return &UnexpectedError{API: cmpOr(res.API, "the API"), Object: fmt.Sprintf("the answer to %s %s", method, path), What: ke.what}
	}
	if err := json.Unmarshal(res.Body, v); err != nil {
		return fmt.Errorf("%s %s: decode %d answer: %w", method, path, res.Status, err)
	}
	return nil
}
