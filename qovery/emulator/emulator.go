// Package emulator serves the portal HTTP API that package qovery speaks, and the
// organization's member endpoints of Qovery's published API that package
// qovery/organization speaks (roles, members, invitations, exactly as published),
// in memory, for demos, tests and benchmarks. Tests mount a Server with
// httptest.NewServer; cmd/portal-emulator serves it on loopback.
//
// Besides the API, a Server offers fault knobs (latency, random 502s and
// dropped connections, a rate limit), a queue of deterministic faults for
// tests (InjectFaults), request counters per route (Stats, and GET
// /_emulator/stats), and helpers that act as "someone else in the portal"
// (SetACL, AddMember, AddInvitation, ExpireInvitation, …), and a knob for what
// the token may do with the organization's members (OrgPermission).
package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/qovery/portalctl/qovery"
)

const (
	defaultMaxPageSize = 100
	defaultPageSize    = 20
	maxBodyBytes       = 1 << 20
)

// Options configures a Server.
type Options struct {
	// Token is required: requests must send "Authorization: Token <t>"
	// or "Bearer <t>", else they get a 401.
	Token string
	// OrganizationID is the only organization served; others are 404.
	OrganizationID string
	// Initial is the state to start from (e.g. from LoadSeed). It is
	// ignored when StatePath names an existing file.
	Initial *State
	// StatePath, if set, is loaded on start when the file exists (it wins
	// over Initial) and rewritten atomically after every change.
	StatePath string
	// Latency is slept before handling each API request.
	Latency time.Duration
	// FailRate is the fraction of API requests that fail: 502 before
	// processing, connection dropped before processing, and for mutating
	// requests also processed-then-dropped.
	FailRate float64
	// RateLimit is in requests per second over all API requests (0 =
	// unlimited); beyond it the answer is 429 with Retry-After: 1.
	RateLimit int
	// MaxPageSize caps page_size (default 100).
	MaxPageSize int
	// OrgPermission is what the token may do with the organization's members
	// (default OrgManage).
	OrgPermission OrgPermission
	// Seed seeds the random faults (0 = time-based).
	Seed int64
	// Logger receives persistence failures of helper calls (optional).
	Logger *slog.Logger
}

// Fault is a failure the Server can inflict on one API request.
type Fault int

// Faults, in the order of a request's life.
const (
	// FaultNone lets the request through (useful in InjectFaults lists).
	FaultNone Fault = iota
	// FaultRateLimit answers 429 with Retry-After: 1.
	FaultRateLimit
	// FaultBadGateway answers 502 without processing the request.
	FaultBadGateway
	// FaultDropBefore closes the connection without processing the
	// request or answering.
	FaultDropBefore
	// FaultDropAfter processes the request, then closes the connection
	// without answering: the ambiguous case a client must survive.
	FaultDropAfter
)

func (f Fault) String() string {
	switch f {
	case FaultNone:
		return "none"
	case FaultRateLimit:
		return "rate-limit"
	case FaultBadGateway:
		return "bad-gateway"
	case FaultDropBefore:
		return "drop-before"
	case FaultDropAfter:
		return "drop-after"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Stats counts API requests, per "METHOD /route/template" and in total.
// Requests that match no route are counted under "unmatched".
type Stats struct {
	Total    int            `json:"total"`
	Requests map[string]int `json:"requests"`
}

// Server is the emulated portal. It is safe for concurrent use.
type Server struct {
	token       string
	org         string
	statePath   string
	maxPageSize int
	log         *slog.Logger
	mux         *http.ServeMux

	mu sync.Mutex // guards st
	st store

	knobs    sync.Mutex // guards everything below
	latency  time.Duration
	failRate float64
	rng      *rand.Rand
	queued   []Fault
	limiter  bucket
	stats    Stats
	orgPerm  OrgPermission
}

// New builds a Server, loading StatePath when the file exists.
func New(opts Options) (*Server, error) {
	if opts.Token == "" {
		return nil, errors.New("emulator: a token is required")
	}
	if strings.TrimSpace(opts.OrganizationID) == "" {
		return nil, errors.New("emulator: an organization id is required")
	}
	if opts.FailRate < 0 || opts.FailRate > 1 {
		return nil, fmt.Errorf("emulator: fail rate %v is not between 0 and 1", opts.FailRate)
	}
	if opts.RateLimit < 0 || opts.MaxPageSize < 0 || opts.Latency < 0 {
		return nil, errors.New("emulator: rate limit, max page size and latency must not be negative")
	}
	seed := opts.Seed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	s := &Server{
		token:       opts.Token,
		org:         opts.OrganizationID,
		statePath:   opts.StatePath,
		maxPageSize: opts.MaxPageSize,
		log:         opts.Logger,
		latency:     opts.Latency,
		failRate:    opts.FailRate,
		rng:         rand.New(rand.NewPCG(uint64(seed), uint64(seed)>>1|1)),
		stats:       Stats{Requests: map[string]int{}},
		orgPerm:     cmpOr(opts.OrgPermission, OrgManage),
	}
	switch s.orgPerm {
	case OrgManage, OrgRead, OrgNone:
	default:
		return nil, fmt.Errorf("emulator: organization permission %q is not manage, read or none", s.orgPerm)
	}
	if s.maxPageSize == 0 {
		s.maxPageSize = defaultMaxPageSize
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.limiter.set(opts.RateLimit, time.Now())

	initial := opts.Initial
	if opts.StatePath != "" {
		saved, err := readStateFile(opts.StatePath)
		switch {
		case err == nil:
			initial = saved
		case errors.Is(err, errNoStateFile):
		default:
			return nil, err
		}
	}
	st, err := newStore(initial)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	s.st = st
	if err := s.persistLocked(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// route registers an API handler under BasePath+path for method.
func (s *Server) route(method, path string, h func(w http.ResponseWriter, r *http.Request)) {
	s.mux.HandleFunc(method+" "+qovery.BasePath+path, func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("organizationId") != s.org {
			writeError(w, http.StatusNotFound, "organization %q not found", r.PathValue("organizationId"))
			return
		}
		h(w, r)
	})
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.route(http.MethodGet, qovery.PathMembers, s.listMembers)
	s.route(http.MethodPost, qovery.PathMembers, s.inviteMember)
	s.route(http.MethodPut, qovery.PathMember, s.updateMember)
	s.route(http.MethodDelete, qovery.PathMember, s.removeMember)
	s.route(http.MethodGet, qovery.PathBlueprints, s.listBlueprints)
	s.route(http.MethodGet, qovery.PathBlueprintACL, s.getACL)
	s.route(http.MethodPut, qovery.PathBlueprintACL, s.putACL)
	s.orgRoutes()
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// ServeHTTP serves the API and the /_emulator/stats endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == qovery.PathEmulatorStats {
		s.serveStats(w, r)
		return
	}
	handler, pattern := s.mux.Handler(r)
	fault := s.admit(pattern, r.Method == http.MethodGet || r.Method == http.MethodHead)

	if !sleep(r.Context(), s.currentLatency()) {
		return // the client went away
	}
	switch fault {
	case FaultRateLimit:
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusTooManyRequests, "rate limit exceeded, retry after 1 second")
		return
	case FaultBadGateway:
		writeError(w, http.StatusBadGateway, "emulated upstream failure")
		return
	case FaultDropBefore:
		drop(w, r)
		return
	}
	if !s.authorized(r) {
		writeError(w, http.StatusUnauthorized, "missing or invalid API token: send \"Authorization: Token <token>\"")
		return
	}
	rec := newRecorder()
	if pattern == "" {
		// ServeMux's own 404/405 (and its Allow header), in JSON.
		handler.ServeHTTP(rec, r)
		if allow := rec.Header().Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		writeError(w, rec.status, "no route for %s %s", r.Method, r.URL.Path)
		return
	}
	s.mux.ServeHTTP(rec, r)
	if fault == FaultDropAfter {
		drop(w, r)
		return
	}
	rec.copyTo(w)
}

// admit counts the request and picks its fault: an injected one first,
// then the rate limit, then a random one.
func (s *Server) admit(pattern string, readOnly bool) Fault {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	key := pattern
	if key == "" {
		key = "unmatched"
	}
	s.stats.Total++
	s.stats.Requests[key]++
	if len(s.queued) > 0 {
		f := s.queued[0]
		s.queued = s.queued[1:]
		return f
	}
	if !s.limiter.allow(time.Now()) {
		return FaultRateLimit
	}
	if s.failRate > 0 && s.rng.Float64() < s.failRate {
		if readOnly {
			return []Fault{FaultBadGateway, FaultDropBefore}[s.rng.IntN(2)]
		}
		return []Fault{FaultBadGateway, FaultDropBefore, FaultDropAfter}[s.rng.IntN(3)]
	}
	return FaultNone
}

func (s *Server) currentLatency() time.Duration {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	return s.latency
}

// authorized checks "Authorization: Token <t>" or "Bearer <t>".
func (s *Server) authorized(r *http.Request) bool {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || (!strings.EqualFold(scheme, "Token") && !strings.EqualFold(scheme, "Bearer")) {
		return false
	}
	return constantTimeEqual(strings.TrimSpace(cred), s.token)
}

// InjectFaults queues faults that the next API requests suffer, one each,
// in order, before the random ones and the rate limit apply.
func (s *Server) InjectFaults(faults ...Fault) {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	s.queued = append(s.queued, faults...)
}

// SetFaults changes the random fail rate and the rate limit at runtime
// (and clears injected faults), e.g. to plan cleanly then apply under
// faults. The rate limiter starts with a full bucket.
func (s *Server) SetFaults(failRate float64, rateLimit int) {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	s.failRate = min(max(failRate, 0), 1)
	s.queued = nil
	s.limiter.set(max(rateLimit, 0), time.Now())
}

// SetLatency changes the latency added to every API request.
func (s *Server) SetLatency(d time.Duration) {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	s.latency = max(d, 0)
}

// Stats returns a copy of the request counters.
func (s *Server) Stats() Stats {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	out := Stats{Total: s.stats.Total, Requests: make(map[string]int, len(s.stats.Requests))}
	for k, v := range s.stats.Requests {
		out.Requests[k] = v
	}
	return out
}

// ResetStats zeroes the request counters.
func (s *Server) ResetStats() {
	s.knobs.Lock()
	defer s.knobs.Unlock()
	s.stats = Stats{Requests: map[string]int{}}
}

// serveStats serves /_emulator/stats: no auth, not counted, never faulted.
func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeJSON(w, http.StatusOK, s.Stats())
	case http.MethodDelete:
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, HEAD, DELETE")
		writeError(w, http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path)
	}
}

// bucket is a token bucket refilled at rate tokens per second, holding at
// most rate tokens (one second of burst).
type bucket struct {
	rate   float64
	tokens float64
	last   time.Time
}

func (b *bucket) set(rate int, now time.Time) {
	b.rate = float64(rate)
	b.tokens = b.rate
	b.last = now
}

func (b *bucket) allow(now time.Time) bool {
	if b.rate <= 0 {
		return true
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(b.rate, b.tokens+elapsed*b.rate)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// sleep waits d unless ctx ends first; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// drop closes the connection without answering.
func drop(w http.ResponseWriter, r *http.Request) {
	// Read what is left of the body so that closing sends a FIN, not a
	// RST that could destroy a response in flight on the client side.
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBodyBytes))
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	// HTTP/2 and wrapped writers: net/http aborts the stream or connection.
	panic(http.ErrAbortHandler)
}

// recorder buffers an answer so that it can be dropped after processing.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(p)
}

func (rec *recorder) copyTo(w http.ResponseWriter) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// apiError is the API's error body.
type apiError struct {
	Status  int    `json:"status"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	if status == 0 {
		status = http.StatusNotFound
	}
	writeJSON(w, status, apiError{Status: status, Error: http.StatusText(status), Message: fmt.Sprintf(format, args...)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"status":500,"error":"Internal Server Error","message":"encode answer"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
