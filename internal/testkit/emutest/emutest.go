// Package emutest serves the emulator to a test over real loopback HTTP, every
// request and answer checked against the project's OpenAPI documents
// (internal/openapitest), the server closed when the test ends; and it holds the
// emulator states the tests of several packages start from. It is imported only
// by _test.go files.
//
// It is apart from package testkit because it needs the whole stack (the
// emulator reads its seed with schema's loader): testkit, which tests of schema
// use, must not.
package emutest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qovery/portalctl/internal/openapitest"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/emulator"
)

// Server is an emulator served over loopback: URL is the base URL of its API.
type Server struct {
	*httptest.Server
	Emu   *emulator.Server
	Check *openapitest.Checker // what checks its requests and answers
}

// An Option changes how Start serves the emulator.
type Option func(*config)

type config struct {
	seed        *string
	answersOnly bool
	wraps       []func(http.Handler) http.Handler
}

// Seed starts the emulator from a seed (a portal.yaml the emulator reads with
// emulator.ParseSeed) in place of the options' initial state.
func Seed(yaml string) Option { return func(c *config) { c.seed = &yaml } }

// AnswersOnly checks the answers only, for tests that send requests the
// clients never would.
func AnswersOnly() Option { return func(c *config) { c.answersOnly = true } }

// Through serves the checked emulator through wrap (a test's own control over
// the answers or when they come). Several apply in order, the last outermost.
func Through(wrap func(http.Handler) http.Handler) Option {
	return func(c *config) { c.wraps = append(c.wraps, wrap) }
}

// Start serves an emulator made with opts over loopback HTTP until t ends.
func Start(t testing.TB, opts emulator.Options, with ...Option) *Server {
	t.Helper()
	var c config
	for _, o := range with {
		o(&c)
	}
	if c.seed != nil {
		st, err := emulator.ParseSeed("seed.yaml", []byte(*c.seed))
		if err != nil {
			t.Fatalf("emulator seed: %v", err)
		}
		opts.Initial = st
	}
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	check := openapitest.New(t)
	if c.answersOnly {
		check.AnswersOnly()
	}
	h := check.Wrap(emu)
	for _, wrap := range c.wraps {
		h = wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &Server{Server: ts, Emu: emu, Check: check}
}

// Invitations is a portal with one admin, alice@company.com, and a portal.yaml
// that keeps her and invites n people more (new000@company.com and on): the
// long apply the tests of a dying API run.
func Invitations(n int) (*emulator.State, string) {
	st := &emulator.State{Members: []qovery.Member{{Email: "alice@company.com", Role: qovery.RoleAdmin, Status: qovery.StatusActive}}}
	var f strings.Builder
	f.WriteString("version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\n")
	for i := range n {
		fmt.Fprintf(&f, "  - email: new%03d@company.com\n", i)
	}
	f.WriteString("blueprints: {}\n")
	return st, f.String()
}
