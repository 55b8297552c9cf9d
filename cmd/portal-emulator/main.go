// Command portal-emulator serves the portal HTTP API (package
// qovery/emulator) on loopback, for demos, tests and benchmarks.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/qovery/emulator"
)

const (
	defaultOrganization = "0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10"
	tokenEnv            = "PORTAL_EMULATOR_TOKEN"
)

const usage = `Usage: portal-emulator [flags]

Serves the portal API of portalctl's contract, and the organization's member
endpoints of Qovery's published API, on loopback. The first line on
stdout is "listening on http://ADDRESS".

Example:
  PORTAL_EMULATOR_TOKEN=dev-token portal-emulator --seed portal.yaml \
      --state /tmp/portal-state.json --latency 20ms --fail-rate 0.2 --rate-limit 50
  QOVERY_API_URL=http://127.0.0.1:PORT QOVERY_API_TOKEN=dev-token portalctl plan

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "portal-emulator:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := pflag.NewFlagSet("portal-emulator", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks one)")
	// No env default here: PrintDefaults would show the token in --help.
	token := fs.String("token", "", "API `token` clients must send (default $"+tokenEnv+")")
	org := fs.String("organization", defaultOrganization, "organization `id` served")
	seed := fs.String("seed", "", "portal.yaml `file` to start from, read as portalctl reads it; members may carry status: pending, blueprints id and description, organization members status: pending|expired and id, and organization_roles adds custom roles")
	state := fs.String("state", "", "JSON `file` persisted after every change and reloaded on start (wins over --seed)")
	latency := fs.Duration("latency", 0, "latency added to every API request")
	failRate := fs.Float64("fail-rate", 0, "fraction of API requests answered 502 or dropped")
	rateLimit := fs.Int("rate-limit", 0, "API requests per second before 429 (0 = unlimited)")
	maxPage := fs.Int("max-page-size", 100, "largest page_size honoured")
	faultSeed := fs.Int64("fault-seed", 0, "seed of the random faults (0 = time-based)")
	orgPerm := fs.String("org-permission", string(emulator.OrgManage), "what the token may do with the organization's members: manage, read (changes get 403) or none (everything 403)")
	fs.Usage = func() {} // printed below: on stdout for --help, a hint for errors
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fs.SetOutput(stdout)
			fmt.Fprint(stdout, usage)
			fs.PrintDefaults()
			return nil
		}
		return fmt.Errorf("%w (see --help)", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (see --help)", fs.Args())
	}
	if *token == "" {
		*token = getenv(tokenEnv)
	}
	if *token == "" {
		return fmt.Errorf("a token is required: pass --token or set %s", tokenEnv)
	}
	if err := checkLoopback(*listen); err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	opts := emulator.Options{
		Token:          *token,
		OrganizationID: *org,
		StatePath:      *state,
		Latency:        *latency,
		FailRate:       *failRate,
		RateLimit:      *rateLimit,
		MaxPageSize:    *maxPage,
		Seed:           *faultSeed,
		OrgPermission:  emulator.OrgPermission(*orgPerm),
		Logger:         logger,
	}
	if *seed != "" {
		st, err := emulator.LoadSeed(*seed)
		if err != nil {
			return err
		}
		opts.Initial = st
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	// Scripts read this line to find the address; os.Stdout is unbuffered.
	if _, err := fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr()); err != nil {
		ln.Close()
		return err
	}
	if f, ok := stdout.(interface{ Flush() error }); ok {
		_ = f.Flush()
	}

	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// checkLoopback refuses listen addresses that are not loopback: the
// emulator accepts a known token and has fault knobs, it is no server.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w (write it like 127.0.0.1:8080)", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Unmap().IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q: the emulator only listens on loopback (127.0.0.1 or [::1])", addr)
}
