package contract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Checker records the calls a test makes to the organization's member endpoints and
// reports every departure from Operations as a test failure.
type Checker struct {
	t testing.TB
	// answersOnly: requests are not checked (a test of the emulator sends
	// malformed ones on purpose).
	answersOnly bool
	mu          sync.Mutex
	// answered counts the 2xx answers per operation id.
	answered map[string]int
}

// New makes a Checker that fails t.
func New(t testing.TB) *Checker { return &Checker{t: t, answered: map[string]int{}} }

// AnswersOnly makes c check the answers only, for tests that send the emulator
// requests the client never would.
func (c *Checker) AnswersOnly() *Checker {
	c.answersOnly = true
	return c
}

// Wrap returns h with every request under /organization/{organizationId}/ checked,
// except the portal's own modelled endpoints (…/portal/…) and the emulator's
// (/_emulator/…), which Qovery does not publish.
func (c *Checker) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.EscapedPath()
		if !published(path) {
			h.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			h.ServeHTTP(w, r) // the emulator says what it makes of it
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		op := Match(r.Method, path)
		if op == nil {
			c.errorf("%s %s: no such operation in Qovery's published API", r.Method, path)
			h.ServeHTTP(w, r)
			return
		}
		if !c.answersOnly {
			for _, p := range CheckRequest(op, r.Header.Get("Content-Type"), body) {
				c.errorf("request %s (%s %s): %s", op.ID, r.Method, path, p)
			}
		}
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if rec.hijacked {
			return // the connection was dropped on purpose: no answer to check
		}
		status := rec.status
		if status == 0 {
			if r.Context().Err() != nil {
				// The client went away (an apply that stopped sending cancels
				// what is in flight) and the handler wrote nothing: no answer.
				return
			}
			status = http.StatusOK
		}
		for _, p := range CheckResponse(op, status, rec.body.Bytes()) {
			c.errorf("answer %d to %s (%s %s): %s", status, op.ID, r.Method, path, p)
		}
		if status < 300 {
			c.mu.Lock()
			c.answered[op.ID]++
			c.mu.Unlock()
		}
	})
}

func (c *Checker) errorf(format string, args ...any) {
	c.t.Helper()
	c.t.Errorf("contract: "+format, args...)
}

// Answered lists the operations that got a 2xx answer so far, sorted.
func (c *Checker) Answered() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.answered))
	for id := range c.answered {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// published reports whether path belongs to the organization's published
// endpoints rather than the portal's modelled ones.
func published(path string) bool {
	rest, ok := strings.CutPrefix(path, "/organization/")
	if !ok {
		return false
	}
	segs := strings.Split(rest, "/")
	return len(segs) < 2 || segs[1] != "portal"
}

// Match returns the operation of method and path (escaped, as sent), or nil.
func Match(method, path string) *Operation {
	for i := range Operations {
		op := &Operations[i]
		if op.Method == method && matchPath(op.Path, path) {
			return op
		}
	}
	return nil
}

func matchPath(tmpl, path string) bool {
	ts := strings.Split(tmpl, "/")
	ps := strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i, t := range ts {
		if strings.HasPrefix(t, "{") {
			if v, err := url.PathUnescape(ps[i]); err != nil || v == "" {
				return false
			}
			continue
		}
		if t != ps[i] {
			return false
		}
	}
	return true
}

// CheckRequest lists what is wrong with a request body for op.
func CheckRequest(op *Operation, contentType string, body []byte) []string {
	if op.Request == nil {
		if len(bytes.TrimSpace(body)) > 0 {
			return []string{fmt.Sprintf("a body (%s) where the spec publishes none", short(body))}
		}
		return nil
	}
	var problems []string
	if !strings.HasPrefix(contentType, "application/json") {
		problems = append(problems, fmt.Sprintf("Content-Type %q, want application/json", contentType))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return append(problems, fmt.Sprintf("the body is not a JSON object (%s)", short(body)))
	}
	return append(problems, checkObject(op.Request, obj, true)...)
}

// CheckResponse lists what is wrong with an answer to op.
func CheckResponse(op *Operation, status int, body []byte) []string {
	resp, ok := op.Responses[status]
	switch {
	case ok:
	case slices.Contains(op.Unpublished, status) || slices.Contains(Transient, status):
		return nil
	default:
		return []string{fmt.Sprintf("status %d is not published for %s", status, op.ID)}
	}
	if status >= 300 {
		return nil // error bodies are not specified
	}
	if resp.Body == nil {
		if len(bytes.TrimSpace(body)) > 0 {
			return []string{fmt.Sprintf("a body (%s) where the spec publishes none", short(body))}
		}
		return nil
	}
	if !resp.List {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
			return []string{fmt.Sprintf("the body is not a %s object (%s)", resp.Body.Name, short(body))}
		}
		return checkObject(resp.Body, obj, false)
	}
	var list map[string]json.RawMessage
	if err := json.Unmarshal(body, &list); err != nil || list == nil {
		return []string{fmt.Sprintf("the body is not a list object (%s)", short(body))}
	}
	var problems []string
	for k := range list {
		if k != "results" {
			problems = append(problems, fmt.Sprintf("field %q is not in the published list schema (only results)", k))
		}
	}
	var items []map[string]json.RawMessage
	if raw, ok := list["results"]; ok {
		if err := json.Unmarshal(raw, &items); err != nil {
			return append(problems, fmt.Sprintf("results is not a list of objects: %v", err))
		}
	}
	for i, item := range items {
		for _, p := range checkObject(resp.Body, item, false) {
			problems = append(problems, fmt.Sprintf("results[%d]: %s", i, p))
		}
	}
	return problems
}

// checkObject checks obj against s; request says the client sent it (deprecated
// fields are then refused).
func checkObject(s *Schema, obj map[string]json.RawMessage, request bool) []string {
	var problems []string
	known := map[string]bool{}
	for _, f := range s.Fields {
		known[f.Name] = true
		raw, ok := obj[f.Name]
		if !ok {
			if f.Required {
				problems = append(problems, fmt.Sprintf("required field %q of %s is missing", f.Name, s.Name))
			}
			continue
		}
		if request && f.Deprecated {
			problems = append(problems, fmt.Sprintf("sends the deprecated field %q of %s", f.Name, s.Name))
		}
		if p := checkValue(f, raw); p != "" {
			problems = append(problems, fmt.Sprintf("field %q of %s: %s", f.Name, s.Name, p))
		}
	}
	var extra []string
	for k := range obj {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		problems = append(problems, fmt.Sprintf("field %q is not in the published schema %s", k, s.Name))
	}
	return problems
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// checkValue says what is wrong with a field's value, or "".
func checkValue(f Field, raw json.RawMessage) string {
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Sprintf("%s is not a string", short(raw))
	}
	switch f.Kind {
	case UUID:
		if !uuidRE.MatchString(v) {
			return fmt.Sprintf("%q is not a uuid", v)
		}
	case Opaque:
		if v == "" {
			return "empty id"
		}
	case DateTime:
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return fmt.Sprintf("%q is not a date-time", v)
		}
	case URI:
		if u, err := url.Parse(v); err != nil || u.Scheme == "" {
			return fmt.Sprintf("%q is not a uri", v)
		}
	case Email:
		if _, err := mail.ParseAddress(v); err != nil {
			return fmt.Sprintf("%q is not an email", v)
		}
	case Enum:
		if !slices.Contains(f.Enum, v) {
			return fmt.Sprintf("%q is not one of %s", v, strings.Join(f.Enum, ", "))
		}
	}
	return ""
}

func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// recorder passes an answer through while keeping a copy to check.
type recorder struct {
	http.ResponseWriter
	status   int
	body     bytes.Buffer
	hijacked bool
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

// Hijack lets the emulator drop the connection, as its fault knobs do.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("contract: the response writer cannot be hijacked")
	}
	r.hijacked = true
	return hj.Hijack()
}
