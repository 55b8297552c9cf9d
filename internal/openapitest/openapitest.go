// Package openapitest holds tests to the project's OpenAPI documents: a wrapper
// around an HTTP handler (the emulator) that checks, with kin-openapi's
// openapi3filter, every request the handler receives and every answer it gives
// against the document of the API the path belongs to, and reports each departure
// as a test failure naming the operation and the problem.
//
// Paths under /organization/{organizationId}/portal/ (and the emulator's own
// /_emulator/ endpoints) belong to the portal's modelled API, qovery/openapi.yaml;
// the other paths under /organization/{organizationId}/ to the organization's
// member endpoints of Qovery's published API, qovery/organization/openapi.yaml.
package openapitest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The documents, from the module's root.
const (
	PortalDocument       = "qovery/openapi.yaml"
	OrganizationDocument = "qovery/organization/openapi.yaml"
)

// transient reports whether any operation may get status from the infrastructure
// rather than the API (rate limiting, gateway failures, a failure to persist: the
// emulator's fault knobs). Such a status is accepted where a document does not
// list it: Qovery does not publish them.
func transient(status int) bool {
	switch status {
	case 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// errUnread: the request's body could not be read (the client went away while
// sending it); the handler says what it makes of what is left.
var errUnread = errors.New("the body could not be read")

// Checker records the calls a test makes and reports every departure from the
// documents as a test failure.
type Checker struct {
	t testing.TB
	// answersOnly: requests are checked but their problems not reported (a test
	// of the emulator sends malformed ones on purpose); an answer refusing such a
	// request may have any 4xx status. It may be set while a server runs.
	answersOnly atomic.Bool
	apis        *apis
	mu          sync.Mutex
	// answered counts the 2xx answers per operationId.
	answered map[string]int
}

// New makes a Checker that fails t. The documents are loaded and validated once
// per test binary; a document that does not load fails t at once.
func New(t testing.TB) *Checker {
	t.Helper()
	a, err := loadAPIs()
	if err != nil {
		t.Fatalf("openapi: %v", err)
	}
	return &Checker{t: t, apis: a, answered: map[string]int{}}
}

// AnswersOnly makes c report problems of the answers only, for tests that send
// the emulator requests the clients never would.
func (c *Checker) AnswersOnly() *Checker {
	c.answersOnly.Store(true)
	return c
}

// Answered lists the operations (operationId) that got a 2xx answer so far,
// sorted.
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

// Wrap returns h with every request and answer checked.
func (c *Checker) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call, err := c.apis.request(r)
		if err != nil {
			if !c.answersOnly.Load() && !errors.Is(err, errUnread) {
				c.errorf("%s %s: %v", r.Method, r.URL.EscapedPath(), err)
			}
			h.ServeHTTP(w, r)
			return
		}
		if !c.answersOnly.Load() {
			for _, p := range call.requestProblems {
				c.errorf("request %s (%s): %s", call.id(), call.name, p)
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
		for _, p := range call.answerProblems(status, rec.Header(), rec.body.Bytes()) {
			c.errorf("answer %d to %s (%s): %s", status, call.id(), call.name, p)
		}
		if status >= 200 && status < 300 {
			c.mu.Lock()
			c.answered[call.id()]++
			c.mu.Unlock()
		}
	})
}

func (c *Checker) errorf(format string, args ...any) {
	c.t.Helper()
	c.t.Errorf("openapi: "+format, args...)
}

// api is one document and its router.
type api struct {
	file   string
	router routers.Router
	opts   []openapi3.SchemaValidationOption
}

type apis struct {
	portal, organization *api
}

// loadAPIs loads the documents once per test binary: they never change while it
// runs, and every test checker reads them.
var loadAPIs = sync.OnceValues(func() (*apis, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	portal, err := loadAPI(root, PortalDocument)
	if err != nil {
		return nil, err
	}
	org, err := loadAPI(root, OrganizationDocument)
	if err != nil {
		return nil, err
	}
	return &apis{portal: portal, organization: org}, nil
})

// moduleRoot is the directory of go.mod above the test's working directory (the
// package's own directory, whatever -trimpath does to the sources' paths).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func loadAPI(root, file string) (*api, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(filepath.Join(root, filepath.FromSlash(file)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	// Operations are found by path alone: the servers name hosts the tests'
	// loopback servers are not.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &api{file: file, router: router, opts: []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidators(stringFormats()),
	}}, nil
}

// stringFormats check the formats the documents use that kin-openapi leaves
// unchecked unless told how (date-time it checks itself).
func stringFormats() map[string]openapi3.StringFormatValidator {
	uuidRE := regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	return map[string]openapi3.StringFormatValidator{
		"uuid": openapi3.NewCallbackValidator(func(v string) error {
			if !uuidRE.MatchString(v) {
				return errors.New("not a uuid")
			}
			return nil
		}),
		"email": openapi3.NewCallbackValidator(func(v string) error {
			if a, err := mail.ParseAddress(v); err != nil || a.Address != v {
				return errors.New("not an email address")
			}
			return nil
		}),
		"uri": openapi3.NewCallbackValidator(func(v string) error {
			if u, err := url.Parse(v); err != nil || u.Scheme == "" {
				return errors.New("not an absolute URI")
			}
			return nil
		}),
	}
}

// of picks the document of an (escaped) path.
func (a *apis) of(path string) *api {
	if rest, ok := strings.CutPrefix(path, "/organization/"); ok {
		if segs := strings.SplitN(rest, "/", 3); len(segs) < 2 || segs[1] != "portal" {
			return a.organization
		}
	}
	return a.portal
}

// call is one request routed to its operation, and checked.
type call struct {
	api             *api
	route           *routers.Route
	input           *openapi3filter.RequestValidationInput
	name            string // "METHOD /path"
	requestProblems []string
}

func (c *call) id() string { return c.route.Operation.OperationID }

// request routes r to its operation and checks it. r's body is read and put back.
func (a *apis) request(r *http.Request) (*call, error) {
	api := a.of(r.URL.EscapedPath())
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(r.Body)
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUnread, err)
		}
	}
	// The validator reads (and may rewrite) the request: it gets a copy.
	cp := r.Clone(r.Context())
	cp.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := api.router.FindRoute(cp)
	if err != nil {
		return nil, fmt.Errorf("no such operation in %s (%v)", api.file, err)
	}
	// The router matches the escaped path (an escaped "/" stays in its
	// segment); the values are checked as sent, unescaped.
	for k, v := range params {
		if u, err := url.PathUnescape(v); err == nil {
			params[k] = u
		}
	}
	c := &call{api: api, route: route, name: r.Method + " " + r.URL.EscapedPath()}
	c.input = &openapi3filter.RequestValidationInput{
		Request: cp, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			MultiError:              true,
			SkipSettingDefaults:     true,
			AuthenticationFunc:      authenticate,
			SchemaValidationOptions: api.opts,
		},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), c.input); err != nil {
		c.requestProblems = describe(err)
	}
	c.requestProblems = append(c.requestProblems, bodyProblems(route.Operation.RequestBody, body)...)
	return c, nil
}

// authenticate is what the documents' security schemes ask of the Authorization
// header: "Token <token>" for an API token, "Bearer <token>" for the other
// scheme. The token itself is never named.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	h := in.RequestValidationInput.Request.Header
	var name, word string
	switch {
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		name, word = "Authorization", "Bearer"
	case s.Type == "apiKey" && s.In == "header" && s.Name == "Authorization":
		name, word = s.Name, "Token"
	default:
		return fmt.Errorf("security scheme %s %s is not one the tests know", s.Type, s.Scheme)
	}
	scheme, cred, ok := strings.Cut(h.Get(name), " ")
	if !ok || scheme != word || strings.TrimSpace(cred) == "" {
		return fmt.Errorf("no %q header of the form %q", name, word+" <token>")
	}
	return nil
}

// bodyProblems is what the validator does not see in a request body: one sent
// where the operation takes none, and fields the document marks deprecated, which
// a client must not send.
func bodyProblems(rb *openapi3.RequestBodyRef, body []byte) []string {
	if rb == nil || rb.Value == nil {
		if len(bytes.TrimSpace(body)) > 0 {
			return []string{fmt.Sprintf("a body (%s) where the operation takes none", short(body))}
		}
		return nil
	}
	mt := rb.Value.Content.Get("application/json")
	var v any
	if mt == nil || mt.Schema == nil || json.Unmarshal(body, &v) != nil {
		return nil // the validator says what is wrong with it
	}
	return deprecatedSent(mt.Schema.Value, v, "")
}

// deprecatedSent lists the fields of v whose schema in s is deprecated.
func deprecatedSent(s *openapi3.Schema, v any, at string) []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, sub := range s.AllOf {
		out = append(out, deprecatedSent(sub.Value, v, at)...)
	}
	switch v := v.(type) {
	case map[string]any:
		names := make([]string, 0, len(v))
		for k := range v {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			p := s.Properties[k]
			if p == nil || p.Value == nil {
				continue
			}
			if p.Value.Deprecated {
				out = append(out, fmt.Sprintf("sends the deprecated field %q", at+k))
			}
			out = append(out, deprecatedSent(p.Value, v[k], at+k+".")...)
		}
	case []any:
		if s.Items != nil {
			for i, e := range v {
				out = append(out, deprecatedSent(s.Items.Value, e, fmt.Sprintf("%s[%d].", strings.TrimSuffix(at, "."), i))...)
			}
		}
	}
	return out
}

// answerProblems lists what is wrong with an answer to c.
func (c *call) answerProblems(status int, header http.Header, body []byte) []string {
	ref := c.route.Operation.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		switch {
		case transient(status):
			return nil
		case len(c.requestProblems) > 0 && status >= 400 && status < 500:
			return nil // a request not as documented, refused
		}
		return []string{fmt.Sprintf("status %d is not documented for %s in %s", status, c.id(), c.api.file)}
	}
	if len(ref.Value.Content) == 0 {
		if status < 300 && len(bytes.TrimSpace(body)) > 0 {
			return []string{fmt.Sprintf("a body (%s) where the document declares none", short(body))}
		}
		// Error answers without a declared body: the published spec does not
		// specify them.
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: c.input,
		Status:                 status,
		Header:                 header,
		Options: &openapi3filter.Options{
			MultiError:              true,
			SchemaValidationOptions: c.api.opts,
		},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(c.input.Request.Context(), in); err != nil {
		return describe(err)
	}
	return nil
}

// describe flattens a validation error into one line per problem: where, what,
// and the value found.
func describe(err error) []string {
	var out []string
	var walk func(prefix string, err error)
	walk = func(prefix string, err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, x := range e {
				walk(prefix, x)
			}
		case *openapi3filter.RequestError:
			where := "the body"
			if p := e.Parameter; p != nil {
				where = fmt.Sprintf("the %s parameter %q", p.In, p.Name)
			}
			if e.Err == nil {
				out = append(out, prefix+where+": "+e.Reason)
				return
			}
			walk(prefix+where+": ", e.Err)
		case *openapi3filter.ResponseError:
			if e.Err == nil {
				out = append(out, prefix+e.Reason)
				return
			}
			walk(prefix+e.Reason+": ", e.Err)
		case *openapi3filter.SecurityRequirementsError:
			var why []string
			for _, x := range e.Errors {
				why = append(why, x.Error())
			}
			out = append(out, prefix+"no credentials as the document asks: "+strings.Join(why, "; "))
		case *openapi3.SchemaError:
			var inner openapi3.MultiError
			if e.SchemaField == "allOf" && errors.As(e.Origin, &inner) {
				walk(prefix, inner) // the schemas it is made of say what
				return
			}
			at := "/" + strings.Join(e.JSONPointer(), "/")
			if e.SchemaField == "required" || e.SchemaField == "additionalProperties" {
				out = append(out, fmt.Sprintf("%sat %s: %s", prefix, at, e.Reason))
				return
			}
			value, _ := json.Marshal(e.Value)
			out = append(out, fmt.Sprintf("%sat %s: %s (the value: %s)", prefix, at, e.Reason, short(value)))
		default:
			out = append(out, prefix+err.Error())
		}
	}
	walk("", err)
	return out
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
		return nil, nil, errors.New("openapi: the response writer cannot be hijacked")
	}
	r.hijacked = true
	return hj.Hijack()
}
