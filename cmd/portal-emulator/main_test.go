package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// start runs the emulator in the background and returns its address.
func start(t *testing.T, args []string, getenv func(string) string) (addr string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, getenv, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("first line: %v (run: %v)", err, <-done)
	}
	if !regexp.MustCompile(`^listening on http://127\.0\.0\.1:[0-9]+\n$`).MatchString(line) {
		t.Fatalf("first line %q", line)
	}
	go io.Copy(io.Discard, pr)
	return strings.TrimSpace(strings.TrimPrefix(line, "listening on ")), func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
			t.Fatal("no graceful shutdown")
			return nil
		}
	}
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestServesSeedAndState(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "portal.yaml")
	state := filepath.Join(dir, "state.json")
	if err := os.WriteFile(seed, []byte("members:\n  - {email: alice@company.com, role: admin, status: pending}\nblueprints:\n  ds: {domains: [company.com]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--seed", seed, "--state", state, "--organization", "org-9", "--max-page-size", "1", "--fault-seed", "3"}
	url, stop := start(t, args, env(map[string]string{tokenEnv: "env-token"}))

	status, body := get(t, url+"/organization/org-9/portal/member", "env-token")
	if status != 200 || !strings.Contains(body, `"email":"alice@company.com","role":"ADMIN","status":"PENDING"`) {
		t.Fatalf("members: %d %s", status, body)
	}
	if status, _ := get(t, url+"/organization/org-9/portal/member", "wrong"); status != 401 {
		t.Fatalf("wrong token: %d", status)
	}
	status, body = get(t, url+"/_emulator/stats", "")
	var stats struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(body), &stats); status != 200 || err != nil || stats.Total != 2 {
		t.Fatalf("stats: %d %s", status, body)
	}
	if err := stop(); err != nil {
		t.Fatalf("run: %v", err)
	}
	saved, err := os.ReadFile(state)
	if err != nil || !bytes.Contains(saved, []byte("alice@company.com")) {
		t.Fatalf("state file: %v %s", err, saved)
	}

	// Restarted without the seed, the state file still holds the portal.
	url, stop = start(t, []string{"--state", state, "--organization", "org-9", "--token", "flag-token"}, env(nil))
	if status, body := get(t, url+"/organization/org-9/portal/member", "flag-token"); status != 200 || !strings.Contains(body, "alice@company.com") {
		t.Fatalf("after restart: %d %s", status, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	badSeed := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badSeed, []byte("members:\n  - email: nope\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no token", nil, nil, "a token is required"},
		{"unknown flag", []string{"--token", "t", "--nope"}, nil, "unknown flag: --nope"},
		{"positional argument", []string{"--token", "t", "serve"}, nil, "unexpected arguments"},
		{"non-loopback listen", []string{"--token", "t", "--listen", "0.0.0.0:0"}, nil, "only listens on loopback"},
		{"malformed listen", []string{"--token", "t", "--listen", "8080"}, nil, "--listen"},
		{"bad seed names file and line", []string{"--token", "t", "--seed", badSeed}, nil, "bad.yaml:2:12"},
		{"missing seed", []string{"--token", "t", "--seed", filepath.Join(dir, "none.yaml")}, nil, "none.yaml"},
		{"bad fail rate", []string{"--token", "t", "--fail-rate", "2"}, nil, "fail rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := run(context.Background(), tt.args, env(tt.env), &stdout, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q on error", stdout.String())
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout bytes.Buffer
	secret := "env-secret-token"
	if err := run(context.Background(), []string{"--help"}, env(map[string]string{tokenEnv: secret}), &stdout, io.Discard); err != nil {
		t.Fatalf("--help: %v", err)
	}
	out := stdout.String()
	for _, want := range []string{"Example:", "--fail-rate", "--seed", tokenEnv} {
		if !strings.Contains(out, want) {
			t.Errorf("help does not mention %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, secret) {
		t.Error("help shows the token")
	}
}
