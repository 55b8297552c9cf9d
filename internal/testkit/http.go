package testkit

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
)

// A Rewrite changes the body of an answer to method path.
type Rewrite func(method, path string, body []byte) []byte

// Rewriting serves h, the body of each of its answers rewritten by rewrite on
// its way to the client (with the path as requested, less prefix): the status
// and headers stay as h gave them, but for the length. A nil rewrite leaves
// the bodies as they are.
func Rewriting(h http.Handler, prefix string, rewrite Rewrite) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rewrite != nil {
			body = rewrite(r.Method, strings.TrimPrefix(r.URL.Path, prefix), body)
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

// Replace is a Rewrite of the answers to method path that replaces old by new in
// their body, n times (-1: every time); it leaves other answers as they are.
func Replace(method, path, old, new string, n int) Rewrite {
	return func(m, p string, body []byte) []byte {
		if m == method && p == path {
			return bytes.Replace(body, []byte(old), []byte(new), n)
		}
		return body
	}
}
