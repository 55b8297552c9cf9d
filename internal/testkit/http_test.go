package testkit_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/qovery/portalctl/internal/testkit"
)

func TestRewriting(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Kept", "yes")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, `{"a":1,"a":1}`)
	})
	ts := httptest.NewServer(testkit.Rewriting(h, "/org/1", testkit.Replace("GET", "/x", `"a"`, `"b"`, 1)))
	defer ts.Close()
	for _, tt := range []struct{ path, want string }{{"/org/1/x", `{"b":1,"a":1}`}, {"/org/1/y", `{"a":1,"a":1}`}} {
		res, err := http.Get(ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(body) != tt.want || res.StatusCode != http.StatusTeapot || res.Header.Get("X-Kept") != "yes" {
			t.Errorf("%s: %d %q %v", tt.path, res.StatusCode, body, res.Header)
		}
	}
}
