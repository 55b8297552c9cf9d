package prcomment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

const testToken = "ghs_s3cr3tT0kenValue"

// request is what the fake GitHub saw.
type request struct {
	Method, Path, Query, Auth string
	Body                      map[string]any
	Raw                       any // the body as decoded JSON, whatever its shape
}

func (r request) String() string {
	s := r.Method + " " + r.Path
	if r.Query != "" {
		s += "?" + r.Query
	}
	return s
}

type comment struct {
	ID          int64
	Body        string
	Login, Type string // user
	Association string
}

// fakeGitHub serves the three issue-comment endpoints for one pull request, under
// prefix ("" for api.github.com, "/api/v3" for GitHub Enterprise Server).
type fakeGitHub struct {
	t      *testing.T
	prefix string
	owner  string
	repo   string
	pr     int

	mu       sync.Mutex
	comments []*comment
	labels   []string
	nextID   int64
	requests []request
	// fail, when set, answers the matching method with this status.
	fail map[string]int
}

func newFake(t *testing.T, prefix string) (*fakeGitHub, *httptest.Server) {
	f := &fakeGitHub{t: t, prefix: prefix, owner: "o", repo: "r", pr: 7, nextID: 1000}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeGitHub) add(c comment) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	c.ID = f.nextID
	f.comments = append(f.comments, &c)
}

func (f *fakeGitHub) seen() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

func (f *fakeGitHub) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = nil
}

func (f *fakeGitHub) json(w http.ResponseWriter, status int, c *comment) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(f.render(c))
}

func (f *fakeGitHub) render(c *comment) map[string]any {
	return map[string]any{
		"id":                 c.ID,
		"body":               c.Body,
		"user":               map[string]any{"login": c.Login, "type": c.Type},
		"author_association": c.Association,
		"html_url":           fmt.Sprintf("https://github.example/%s/%s/pull/%d#issuecomment-%d", f.owner, f.repo, f.pr, c.ID),
	}
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	req := request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization")}
	if data, _ := io.ReadAll(r.Body); len(data) > 0 {
		if err := json.Unmarshal(data, &req.Raw); err != nil {
			f.t.Errorf("%s %s: body is not JSON: %q", r.Method, r.URL.Path, data)
		}
		req.Body, _ = req.Raw.(map[string]any)
	}
	f.requests = append(f.requests, req)

	if code := f.fail[r.Method]; code != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"message":"failure %d","documentation_url":"https://docs.github.com/rest"}`, code)
		return
	}

	list := fmt.Sprintf("%s/repos/%s/%s/issues/%d/comments", f.prefix, f.owner, f.repo, f.pr)
	one := fmt.Sprintf("%s/repos/%s/%s/issues/comments/", f.prefix, f.owner, f.repo)
	labels := fmt.Sprintf("%s/repos/%s/%s/issues/%d/labels", f.prefix, f.owner, f.repo, f.pr)
	if r.URL.Path == labels || strings.HasPrefix(r.URL.Path, labels+"/") {
		f.serveLabels(w, r, req, labels)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == list:
		q := r.URL.Query()
		per, _ := strconv.Atoi(q.Get("per_page"))
		page, _ := strconv.Atoi(q.Get("page"))
		if per <= 0 || page <= 0 {
			http.Error(w, "want per_page and page", http.StatusBadRequest)
			return
		}
		last := (len(f.comments) + per - 1) / per
		if last == 0 {
			last = 1
		}
		link := func(p int, rel string) string {
			u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: fmt.Sprintf("per_page=%d&page=%d", per, p)}
			return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
		}
		var links []string
		if page < last {
			links = append(links, link(page+1, "next"), link(last, "last"))
		}
		if page > 1 {
			links = append(links, link(1, "first"), link(page-1, "prev"))
		}
		if len(links) > 0 {
			w.Header().Set("Link", strings.Join(links, ", "))
		}
		out := []map[string]any{}
		for i := (page - 1) * per; i < page*per && i < len(f.comments); i++ {
			out = append(out, f.render(f.comments[i]))
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	case r.Method == http.MethodPost && r.URL.Path == list:
		body, _ := req.Body["body"].(string)
		f.nextID++
		c := &comment{ID: f.nextID, Body: body, Login: "github-actions[bot]", Type: "Bot", Association: "NONE"}
		f.comments = append(f.comments, c)
		f.json(w, http.StatusCreated, c)
	case r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, one):
		id, _ := strconv.ParseInt(strings.TrimPrefix(r.URL.Path, one), 10, 64)
		for _, c := range f.comments {
			if c.ID == id {
				c.Body, _ = req.Body["body"].(string)
				f.json(w, http.StatusOK, c)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
	}
}

// page answers one page of items as GitHub does: per_page and page from the query,
// a Link header with next and last while there are more.
func page[T any](w http.ResponseWriter, r *http.Request, items []T) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	pg, _ := strconv.Atoi(q.Get("page"))
	if per <= 0 || pg <= 0 {
		http.Error(w, "want per_page and page", http.StatusBadRequest)
		return
	}
	last := max(1, (len(items)+per-1)/per)
	if pg < last {
		link := func(p int, rel string) string {
			u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: fmt.Sprintf("per_page=%d&page=%d", per, p)}
			return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
		}
		w.Header().Set("Link", link(pg+1, "next")+", "+link(last, "last"))
	}
	out := []T{}
	for i := (pg - 1) * per; i < pg*per && i < len(items); i++ {
		out = append(out, items[i])
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// serveLabels answers the labels of the pull request as GitHub does: listing by
// page, adding (the body is the array of names; the answer every label of the
// issue), removing one (the answer the labels left; 404 when it is not there).
func (f *fakeGitHub) serveLabels(w http.ResponseWriter, r *http.Request, req request, base string) {
	label := func(name string) map[string]any {
		return map[string]any{"id": len(name), "node_id": "L_" + name, "name": name, "color": "ededed", "default": false}
	}
	all := func() []map[string]any {
		out := []map[string]any{}
		for _, l := range f.labels {
			out = append(out, label(l))
		}
		return out
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == base:
		page(w, r, all())
	case r.Method == http.MethodPost && r.URL.Path == base:
		names, ok := req.Raw.([]any)
		if !ok {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"message":"Invalid request.\n\nFor 'links/0/schema', nil is not an array."}`)
			return
		}
		for _, n := range names {
			if s, _ := n.(string); !slices.Contains(f.labels, s) {
				f.labels = append(f.labels, s)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(all())
	case r.Method == http.MethodDelete:
		name, _ := url.PathUnescape(strings.TrimPrefix(r.URL.EscapedPath(), base+"/"))
		i := slices.Index(f.labels, name)
		if i < 0 {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"Label does not exist","documentation_url":"https://docs.github.com/rest/issues/labels#remove-a-label-from-an-issue"}`)
			return
		}
		f.labels = slices.Delete(f.labels, i, i+1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(all())
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found"}`)
	}
}

func opts(srv *httptest.Server, apiPath string) Options {
	return Options{Token: testToken, Repo: "o/r", PR: 7, APIURL: srv.URL + apiPath, HTTPClient: srv.Client()}
}

// wantRequests compares the method, path and query of each request, and checks every
// request carries the token the way go-github sends it.
func wantRequests(t *testing.T, got []request, want ...string) {
	t.Helper()
	var g []string
	for _, r := range got {
		g = append(g, r.String())
		if r.Auth != "Bearer "+testToken {
			t.Errorf("%s: Authorization = %q, want Bearer <token>", r, r.Auth)
		}
	}
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestUpsertCreatesOnceThenEdits(t *testing.T) {
	f, srv := newFake(t, "/api/v3")
	f.add(comment{Body: "LGTM", Login: "alice", Type: "User", Association: "MEMBER"})
	o := opts(srv, "/api/v3")
	ctx := context.Background()

	url, created, err := Upsert(ctx, o, "## Access preview\nfirst")
	if err != nil {
		t.Fatal(err)
	}
	if !created || url != "https://github.example/o/r/pull/7#issuecomment-1002" {
		t.Fatalf("first run: url %q, created %v", url, created)
	}
	reqs := f.seen()
	wantRequests(t, reqs,
		"GET /api/v3/repos/o/r/issues/7/comments?page=1&per_page=100",
		"POST /api/v3/repos/o/r/issues/7/comments",
	)
	if got, want := reqs[1].Body["body"], DefaultMarker+"\n## Access preview\nfirst"; got != want || len(reqs[1].Body) != 1 {
		t.Fatalf("create body = %v, want {body: %q}", reqs[1].Body, want)
	}

	f.reset()
	url, created, err = Upsert(ctx, o, "## Access preview\nsecond")
	if err != nil {
		t.Fatal(err)
	}
	if created || url != "https://github.example/o/r/pull/7#issuecomment-1002" {
		t.Fatalf("second run: url %q, created %v", url, created)
	}
	reqs = f.seen()
	wantRequests(t, reqs,
		"GET /api/v3/repos/o/r/issues/7/comments?page=1&per_page=100",
		"PATCH /api/v3/repos/o/r/issues/comments/1002",
	)
	if got, want := reqs[1].Body["body"], DefaultMarker+"\n## Access preview\nsecond"; got != want || len(reqs[1].Body) != 1 {
		t.Fatalf("edit body = %v, want {body: %q}", reqs[1].Body, want)
	}
	if len(f.comments) != 2 {
		t.Fatalf("%d comments on the PR, want 2 (one human, one preview)", len(f.comments))
	}

	// Same content: nothing to write.
	f.reset()
	if _, created, err = Upsert(ctx, o, "## Access preview\nsecond"); err != nil || created {
		t.Fatalf("third run: created %v, err %v", created, err)
	}
	wantRequests(t, f.seen(), "GET /api/v3/repos/o/r/issues/7/comments?page=1&per_page=100")
}

func TestUpsertPagination(t *testing.T) {
	tests := []struct {
		name    string
		ours    int // index of our comment among 250, -1 for none
		want    []string
		created bool
	}{
		{
			name: "marker on page 2 of 3",
			ours: 150,
			want: []string{
				"GET /api/v3/repos/o/r/issues/7/comments?page=1&per_page=100",
				"GET /api/v3/repos/o/r/issues/7/comments?page=2&per_page=100",
				"PATCH /api/v3/repos/o/r/issues/comments/1151",
			},
		},
		{
			name: "marker on the last page",
			ours: 249,
			want: []string{
				"GET /api/v3/repos/o/r/issues/7/comments?page=1&per_page=100",
				"GET /api/v3/repos/o/r/issues/7/comments?page=2&per_page=100",
				"GET /api/v3/repos/o/r/issues/7/comments?page=3&per_page=100",
				"PATCH /api/v3/repos/o/r/issues/comments/1250",
			},
		},
		{
			name: "no marker on any page",
			ours: -1,
			want: []string{
				"GET /api/v3/repos/o/r/issues/7/comments?page=1&per_page=100",
				"GET /api/v3/repos/o/r/issues/7/comments?page=2&per_page=100",
				"GET /api/v3/repos/o/r/issues/7/comments?page=3&per_page=100",
				"POST /api/v3/repos/o/r/issues/7/comments",
			},
			created: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t, "/api/v3")
			for i := range 250 {
				c := comment{Body: fmt.Sprintf("comment %d", i), Login: "alice", Type: "User", Association: "CONTRIBUTOR"}
				if i == tt.ours {
					c = comment{Body: DefaultMarker + "\nold preview", Login: "github-actions[bot]", Type: "Bot", Association: "NONE"}
				}
				f.add(c)
			}
			_, created, err := Upsert(context.Background(), opts(srv, "/api/v3"), "new preview")
			if err != nil {
				t.Fatal(err)
			}
			if created != tt.created {
				t.Errorf("created = %v, want %v", created, tt.created)
			}
			wantRequests(t, f.seen(), tt.want...)
		})
	}
}

// TestUpsertEditsOnlyItsOwnComment: a comment is edited only when it starts with
// the marker and its author is the token's identity; any other carrying the
// marker (quoted by a maintainer, echoed by another app's bot) is left alone,
// and the preview gets a comment of its own.
func TestUpsertEditsOnlyItsOwnComment(t *testing.T) {
	ours := comment{Body: DefaultMarker + "\nold preview", Login: "github-actions[bot]", Type: "Bot", Association: "NONE"}
	tests := []struct {
		name     string
		author   string // Options.Author
		comments []comment
		// edited is the index of the comment edited; -1: one is created.
		edited int
	}{
		{name: "a maintainer quoting the marker", comments: []comment{
			{Body: "Why does the bot write " + DefaultMarker + " first?", Login: "alice", Type: "User", Association: "MEMBER"},
		}, edited: -1},
		{name: "a maintainer's comment starting with the marker", comments: []comment{
			{Body: DefaultMarker + "\nmy notes", Login: "alice", Type: "User", Association: "OWNER"},
		}, edited: -1},
		{name: "another app's bot echoing the marker first", comments: []comment{
			{Body: DefaultMarker + "\nPR title: ...", Login: "other-app[bot]", Type: "Bot", Association: "NONE"},
		}, edited: -1},
		{name: "our own bot quoting the marker mid-body", comments: []comment{
			{Body: "see " + DefaultMarker, Login: "github-actions[bot]", Type: "Bot", Association: "NONE"},
		}, edited: -1},
		{name: "our own earlier comment, after the others", comments: []comment{
			{Body: "Why does the bot write " + DefaultMarker + " first?", Login: "alice", Type: "User", Association: "MEMBER"},
			{Body: DefaultMarker + "\nPR title: ...", Login: "other-app[bot]", Type: "Bot", Association: "NONE"},
			ours,
		}, edited: 2},
		{name: "our login written in another case", comments: []comment{
			{Body: ours.Body, Login: "GitHub-Actions[bot]", Type: "Bot"},
		}, edited: 0},
		{name: "a personal access token's user", author: "ci-user", comments: []comment{
			ours,
			{Body: DefaultMarker + "\nold preview", Login: "ci-user", Type: "User", Association: "COLLABORATOR"},
		}, edited: 1},
		{name: "a personal access token's user: the Actions bot is not it", author: "ci-user", comments: []comment{ours}, edited: -1},
		{name: "an app", author: "portal-app[bot]", comments: []comment{
			{Body: DefaultMarker + "\nold preview", Login: "portal-app[bot]", Type: "Bot"},
		}, edited: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t, "/api/v3")
			for _, c := range tt.comments {
				f.add(c)
			}
			o := opts(srv, "/api/v3")
			o.Author = tt.author
			_, created, err := Upsert(context.Background(), o, "preview")
			if err != nil {
				t.Fatal(err)
			}
			if created != (tt.edited < 0) {
				t.Fatalf("created = %v, want %v", created, tt.edited < 0)
			}
			for i, c := range tt.comments {
				got := f.comments[i].Body
				if i == tt.edited {
					if got != DefaultMarker+"\npreview" {
						t.Errorf("comment %d (ours) not edited: %q", i, got)
					}
				} else if got != c.Body {
					t.Errorf("comment %d by %s edited: %q", i, c.Login, got)
				}
			}
			if created && f.comments[len(f.comments)-1].Body != DefaultMarker+"\npreview" {
				t.Errorf("the new comment is %q", f.comments[len(f.comments)-1].Body)
			}
		})
	}
}

func TestUpsertMarker(t *testing.T) {
	tests := []struct {
		name, marker, body, want string
	}{
		{name: "default prepended", body: "hello", want: DefaultMarker + "\nhello"},
		{name: "default already first", body: DefaultMarker + "\nhello", want: DefaultMarker + "\nhello"},
		{name: "default quoted later: put first still", body: "hello\n" + DefaultMarker, want: DefaultMarker + "\nhello\n" + DefaultMarker},
		{name: "custom marker", marker: "<!-- other -->", body: "hello", want: "<!-- other -->\nhello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t, "/api/v3")
			o := opts(srv, "/api/v3")
			o.Marker = tt.marker
			if _, _, err := Upsert(context.Background(), o, tt.body); err != nil {
				t.Fatal(err)
			}
			if got := f.comments[0].Body; got != tt.want {
				t.Fatalf("body = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUpsertEditedCommentVanished(t *testing.T) {
	f, srv := newFake(t, "/api/v3")
	f.add(comment{Body: DefaultMarker + "\nold", Login: "github-actions[bot]", Type: "Bot"})
	f.fail = map[string]int{http.MethodPatch: http.StatusNotFound}
	_, created, err := Upsert(context.Background(), opts(srv, "/api/v3"), "new")
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatal("want a new comment when the old one was deleted meanwhile")
	}
	wantRequests(t, f.seen(),
		"GET /api/v3/repos/o/r/issues/7/comments?page=1&per_page=100",
		"PATCH /api/v3/repos/o/r/issues/comments/1001",
		"POST /api/v3/repos/o/r/issues/7/comments",
	)
}

func TestUpsertErrors(t *testing.T) {
	tests := []struct {
		name    string
		fail    map[string]int
		seed    bool
		is      error
		wantMsg []string
	}{
		{
			name:    "401 listing",
			fail:    map[string]int{http.MethodGet: 401},
			is:      ErrUnauthorized,
			wantMsg: []string{"list comments on o/r#7", "GitHub rejected GITHUB_TOKEN (401 Unauthorized"},
		},
		{
			name:    "403 creating (pull request from a fork)",
			fail:    map[string]int{http.MethodPost: 403},
			is:      ErrForbidden,
			wantMsg: []string{"create comment on o/r#7", "lacks permission", "`permissions: pull-requests: write`", "forks"},
		},
		{
			name:    "403 editing",
			fail:    map[string]int{http.MethodPatch: 403},
			seed:    true,
			is:      ErrForbidden,
			wantMsg: []string{"edit comment on o/r#7", "pull-requests: write"},
		},
		{
			name:    "404 listing",
			fail:    map[string]int{http.MethodGet: 404},
			is:      ErrNotFound,
			wantMsg: []string{"repository o/r or pull request #7 not found", "GITHUB_REPOSITORY", "--pr"},
		},
		{
			name:    "422 creating",
			fail:    map[string]int{http.MethodPost: 422},
			wantMsg: []string{"GitHub answered 422 Unprocessable Entity", "failure 422"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t, "/api/v3")
			if tt.seed {
				f.add(comment{Body: DefaultMarker + "\nold", Login: "github-actions[bot]", Type: "Bot"})
			}
			f.fail = tt.fail
			_, _, err := Upsert(context.Background(), opts(srv, "/api/v3"), "preview")
			if err == nil {
				t.Fatal("want an error")
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not contain %q", err, m)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(err, %v) = false", tt.is)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks the token: %q", err)
			}
		})
	}
}

func TestUpsertNeverLeaksToken(t *testing.T) {
	// A server that echoes the Authorization header into its error message.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"message":%q}`, "bad header "+r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	_, _, err := Upsert(context.Background(), opts(srv, ""), "preview")
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("err = %v, want the token redacted", err)
	}

	// Transport errors too.
	srv.Close()
	_, _, err = Upsert(context.Background(), opts(srv, ""), "preview")
	if err == nil || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err = %v", err)
	}
}

func TestUpsertEnterpriseBaseURL(t *testing.T) {
	tests := []struct{ name, apiPath string }{
		{name: "GITHUB_API_URL as set by GHES", apiPath: "/api/v3"},
		{name: "trailing slash", apiPath: "/api/v3/"},
		{name: "host only", apiPath: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t, "/api/v3")
			if _, _, err := Upsert(context.Background(), opts(srv, tt.apiPath), "x"); err != nil {
				t.Fatal(err)
			}
			wantRequests(t, f.seen(),
				"GET /api/v3/repos/o/r/issues/7/comments?page=1&per_page=100",
				"POST /api/v3/repos/o/r/issues/7/comments",
			)
		})
	}
}

// redirect sends every request to srv, after checking it was meant for api.github.com.
type redirect struct {
	t   *testing.T
	srv *httptest.Server
}

func (rt redirect) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" || r.URL.Host != "api.github.com" {
		rt.t.Errorf("request to %s, want https://api.github.com", r.URL)
	}
	u, _ := url.Parse(rt.srv.URL)
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = u.Scheme, u.Host
	return http.DefaultTransport.RoundTrip(r)
}

func TestUpsertGitHubDotCom(t *testing.T) {
	for _, api := range []string{"", "https://api.github.com", "https://api.github.com/"} {
		t.Run(api, func(t *testing.T) {
			f, srv := newFake(t, "")
			o := Options{Token: testToken, Repo: "o/r", PR: 7, APIURL: api, HTTPClient: &http.Client{Transport: redirect{t, srv}}}
			if _, _, err := Upsert(context.Background(), o, "x"); err != nil {
				t.Fatal(err)
			}
			wantRequests(t, f.seen(),
				"GET /repos/o/r/issues/7/comments?page=1&per_page=100",
				"POST /repos/o/r/issues/7/comments",
			)
		})
	}
}

func TestUpsertInvalidOptions(t *testing.T) {
	good := Options{Token: testToken, Repo: "o/r", PR: 7}
	tests := []struct {
		name    string
		mod     func(*Options)
		wantMsg string
	}{
		{name: "no token", mod: func(o *Options) { o.Token = "" }, wantMsg: "GITHUB_TOKEN"},
		{name: "no repo", mod: func(o *Options) { o.Repo = "" }, wantMsg: "want owner/name"},
		{name: "repo without owner", mod: func(o *Options) { o.Repo = "/r" }, wantMsg: "want owner/name"},
		{name: "repo with extra part", mod: func(o *Options) { o.Repo = "o/r/x" }, wantMsg: "want owner/name"},
		{name: "no PR", mod: func(o *Options) { o.PR = 0 }, wantMsg: "--pr"},
		{name: "plain http to a remote host", mod: func(o *Options) { o.APIURL = "http://ghe.example.com/api/v3" }, wantMsg: "plain HTTP"},
		{name: "author with a space", mod: func(o *Options) { o.Author = "ci user" }, wantMsg: `invalid comment author "ci user"`},
		{name: "author with a slash", mod: func(o *Options) { o.Author = "o/r" }, wantMsg: "the GitHub login the token acts as"},
		{name: "author ending in a hyphen", mod: func(o *Options) { o.Author = "ci-" }, wantMsg: "invalid comment author"},
		{name: "not a URL", mod: func(o *Options) { o.APIURL = "ghe.example.com" }, wantMsg: "invalid GITHUB_API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.mod(&o)
			_, _, err := Upsert(context.Background(), o, "x")
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("err = %v, want %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Fatalf("error leaks the token: %q", err)
			}
		})
	}
}

func TestFit(t *testing.T) {
	section := func(i int) string {
		return fmt.Sprintf("### blueprint-%d\n\n| member | change |\n|---|---|\n%s", i, strings.Repeat("| someone@example.com | gains |\n", 40))
	}
	var b strings.Builder
	b.WriteString(DefaultMarker + "\n## Access preview\n\n<details><summary>Rule diff</summary>\n\n")
	for i := 0; utf8.RuneCountInString(b.String()) < 2*MaxBodyLen; i++ {
		b.WriteString(section(i) + "\n\n")
	}
	big := b.String()

	tests := []struct {
		name string
		in   string
		same bool
	}{
		{name: "small", in: "hello", same: true},
		{name: "exactly the limit", in: strings.Repeat("é", MaxBodyLen), same: true},
		{name: "over by one rune", in: strings.Repeat("a\n\n", MaxBodyLen/3) + strings.Repeat("é", MaxBodyLen%3+1)},
		{name: "big preview", in: big},
		{name: "no newline at all", in: strings.Repeat("x", MaxBodyLen+10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fit(tt.in)
			if tt.same {
				if got != tt.in {
					t.Fatal("body within the limit was changed")
				}
				return
			}
			if n := utf8.RuneCountInString(got); n > MaxBodyLen {
				t.Fatalf("fit returned %d characters, limit %d", n, MaxBodyLen)
			}
			if !utf8.ValidString(got) {
				t.Fatal("fit cut inside a character")
			}
			if !strings.HasSuffix(got, truncatedNote) {
				t.Fatal("no truncation note")
			}
			if strings.Count(got, "<details") != strings.Count(got, "</details>") {
				t.Fatal("unbalanced <details>")
			}
		})
	}

	// Upsert sends the cut body.
	f, srv := newFake(t, "/api/v3")
	if _, _, err := Upsert(context.Background(), opts(srv, "/api/v3"), big); err != nil {
		t.Fatal(err)
	}
	if sent := f.comments[0].Body; utf8.RuneCountInString(sent) > MaxBodyLen || !strings.HasPrefix(sent, DefaultMarker) {
		t.Fatalf("sent %d characters, marker first: %v", utf8.RuneCountInString(sent), strings.HasPrefix(sent, DefaultMarker))
	}
}

func TestSyncLabels(t *testing.T) {
	const list = "GET /api/v3/repos/o/r/issues/7/labels?page=1&per_page=100"
	tests := []struct {
		name           string
		have, want     []string
		requests       []string
		added, removed []string
		after          []string
		addBody        []any
	}{
		{
			name: "adds what is missing, removes ours that no longer apply, keeps the rest",
			have: []string{"bug", "access:admins", "needs review"}, want: []string{LabelOpens, LabelRemovals},
			requests: []string{list, "POST /api/v3/repos/o/r/issues/7/labels", "DELETE /api/v3/repos/o/r/issues/7/labels/access:admins"},
			added:    []string{LabelOpens, LabelRemovals}, removed: []string{LabelAdmins},
			after:   []string{"bug", "needs review", LabelOpens, LabelRemovals},
			addBody: []any{LabelOpens, LabelRemovals},
		},
		{
			name: "in step: one read, no write",
			have: []string{LabelOpens, "bug"}, want: []string{LabelOpens},
			requests: []string{list},
			after:    []string{LabelOpens, "bug"},
		},
		{
			name: "nothing to flag: ours go, others stay",
			have: []string{LabelOpens, LabelRemovals, LabelAdmins, "access:other"},
			requests: []string{list,
				"DELETE /api/v3/repos/o/r/issues/7/labels/access:opens",
				"DELETE /api/v3/repos/o/r/issues/7/labels/access:removals",
				"DELETE /api/v3/repos/o/r/issues/7/labels/access:admins"},
			removed: []string{LabelOpens, LabelRemovals, LabelAdmins},
			after:   []string{"access:other"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t, "/api/v3")
			f.labels = slices.Clone(tt.have)
			added, removed, err := SyncLabels(context.Background(), opts(srv, "/api/v3"), tt.want)
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.seen()
			wantRequests(t, reqs, tt.requests...)
			if !slices.Equal(added, tt.added) || !slices.Equal(removed, tt.removed) {
				t.Errorf("added %v removed %v, want %v and %v", added, removed, tt.added, tt.removed)
			}
			if !slices.Equal(f.labels, tt.after) {
				t.Errorf("labels %v, want %v", f.labels, tt.after)
			}
			if tt.addBody != nil && fmt.Sprint(reqs[1].Raw) != fmt.Sprint(tt.addBody) {
				t.Errorf("added with body %v, want %v", reqs[1].Raw, tt.addBody)
			}
		})
	}
}

// TestSyncLabelsPages: a pull request with more labels than a page holds is read
// to the end before deciding.
func TestSyncLabelsPages(t *testing.T) {
	f, srv := newFake(t, "/api/v3")
	for i := range 150 {
		f.labels = append(f.labels, fmt.Sprintf("label-%03d", i))
	}
	f.labels = append(f.labels, LabelAdmins)
	_, _, err := SyncLabels(context.Background(), opts(srv, "/api/v3"), []string{LabelAdmins})
	if err != nil {
		t.Fatal(err)
	}
	wantRequests(t, f.seen(), "GET /api/v3/repos/o/r/issues/7/labels?page=1&per_page=100", "GET /api/v3/repos/o/r/issues/7/labels?page=2&per_page=100")
}

func TestSyncLabelsErrors(t *testing.T) {
	t.Run("403 from a fork's token", func(t *testing.T) {
		f, srv := newFake(t, "/api/v3")
		f.fail = map[string]int{http.MethodPost: 403}
		_, _, err := SyncLabels(context.Background(), opts(srv, "/api/v3"), []string{LabelOpens})
		if !errors.Is(err, ErrForbidden) || !strings.Contains(err.Error(), "add labels access:opens on o/r#7") || strings.Contains(err.Error(), testToken) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("label removed meanwhile", func(t *testing.T) {
		f, srv := newFake(t, "/api/v3")
		f.labels = []string{LabelAdmins}
		f.fail = map[string]int{http.MethodDelete: 404}
		if _, _, err := SyncLabels(context.Background(), opts(srv, "/api/v3"), nil); err != nil {
			t.Fatalf("a label already gone is what was wanted: %v", err)
		}
	})
	t.Run("server error", func(t *testing.T) {
		f, srv := newFake(t, "/api/v3")
		f.fail = map[string]int{http.MethodGet: 500}
		_, _, err := SyncLabels(context.Background(), opts(srv, "/api/v3"), nil)
		if err == nil || !strings.Contains(err.Error(), "list labels on o/r#7: GitHub answered 500") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("not ours", func(t *testing.T) {
		f, srv := newFake(t, "/api/v3")
		_, _, err := SyncLabels(context.Background(), opts(srv, "/api/v3"), []string{"bug"})
		if err == nil || !strings.Contains(err.Error(), `label "bug" is not one portalctl manages`) {
			t.Fatalf("err = %v", err)
		}
		wantRequests(t, f.seen())
	})
}

// TestRedirects: a redirect to another host (here another port) is not followed,
// so the token never reaches it, and the error names where it pointed; a
// redirect within the API's own origin is followed.
func TestRedirects(t *testing.T) {
	var mu sync.Mutex
	var elsewhere []string // the Authorization of each request the other host got
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		elsewhere = append(elsewhere, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "[]")
	}))
	defer other.Close()

	tests := []struct {
		name string
		// to is where a request for path is redirected, "" for none.
		to      func(srv *httptest.Server, path string) string
		status  int
		wantErr string
	}{
		{name: "307 to another host", status: http.StatusTemporaryRedirect, to: func(_ *httptest.Server, path string) string {
			return other.URL + path
		}, wantErr: "GitHub's answer redirects to " + other.URL + "/old/api/v3/repos/o/r/issues/7/comments, away from "},
		{name: "301 to another host", status: http.StatusMovedPermanently, to: func(_ *httptest.Server, path string) string {
			return other.URL + "/elsewhere"
		}, wantErr: "not followed, so the token is not sent there; check GITHUB_API_URL"},
		{name: "307 within the API", status: http.StatusTemporaryRedirect, to: func(srv *httptest.Server, path string) string {
			return srv.URL + strings.TrimPrefix(path, "/old")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			elsewhere = nil
			mu.Unlock()
			f := &fakeGitHub{t: t, prefix: "/api/v3", owner: "o", repo: "r", pr: 7, nextID: 1000}
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/old/") {
					http.Redirect(w, r, tt.to(srv, r.URL.RequestURI()), tt.status)
					return
				}
				f.ServeHTTP(w, r)
			}))
			defer srv.Close()
			_, created, err := Upsert(context.Background(), opts(srv, "/old/api/v3"), "preview")
			mu.Lock()
			got := slices.Clone(elsewhere)
			mu.Unlock()
			if len(got) > 0 {
				t.Errorf("the other host got %d requests (Authorization %q)", len(got), got)
			}
			if tt.wantErr == "" {
				if err != nil || !created {
					t.Fatalf("created %v, err %v", created, err)
				}
				wantRequests(t, f.seen(),
					"GET /api/v3/repos/o/r/issues/7/comments?page=1&per_page=100",
					"POST /api/v3/repos/o/r/issues/7/comments",
				)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// TestRedirectPolicyLeavesCallersClient: the caller's HTTP client is not changed,
// and its own redirect policy still has its say within the API's origin.
func TestRedirectPolicyLeavesCallersClient(t *testing.T) {
	f, _ := newFake(t, "/api/v3")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/old/") {
			http.Redirect(w, r, strings.TrimPrefix(r.URL.RequestURI(), "/old"), http.StatusTemporaryRedirect)
			return
		}
		f.ServeHTTP(w, r)
	}))
	defer srv.Close()
	refuse := errors.New("this caller follows no redirect")
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return refuse }}
	o := opts(srv, "/old/api/v3")
	o.HTTPClient = hc
	if _, _, err := Upsert(context.Background(), o, "preview"); err == nil || !strings.Contains(err.Error(), refuse.Error()) {
		t.Fatalf("err = %v, want the caller's policy to refuse", err)
	}
	if err := hc.CheckRedirect(nil, nil); err != refuse {
		t.Fatal("the caller's client was changed")
	}
}

// TestListingsEnd: a listing of comments or labels whose Link header keeps naming
// a next page, each page empty, is read for at most 1,000 pages of 100, then
// refused naming the route and the bound; nothing is created or changed.
func TestListingsEnd(t *testing.T) {
	for _, listing := range []string{"comments", "labels"} {
		t.Run(listing, func(t *testing.T) {
			var mu sync.Mutex
			var gets, changes int
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				if r.Method != http.MethodGet {
					changes++
					w.WriteHeader(http.StatusCreated)
					fmt.Fprint(w, `{"id":1}`)
					return
				}
				gets++
				page, _ := strconv.Atoi(r.URL.Query().Get("page"))
				if gets <= 5000 { // so that a client without a bound fails, not hangs
					w.Header().Set("Link", fmt.Sprintf(`<%s%s?page=%d&per_page=100>; rel="next"`, srv.URL, r.URL.Path, page+1))
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `[]`)
			}))
			defer srv.Close()
			var err error
			route := "GET /repos/{owner}/{repo}/issues/{number}/comments of o/r#7"
			if listing == "comments" {
				_, _, err = Upsert(context.Background(), opts(srv, "/api/v3"), "preview")
			} else {
				route = "GET /repos/{owner}/{repo}/issues/{number}/labels of o/r#7"
				_, _, err = SyncLabels(context.Background(), opts(srv, "/api/v3"), []string{LabelAdmins})
			}
			want := route + ": GitHub's Link header still names a next page after 1000 pages of 100"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("err = %v\nwant %q", err, want)
			}
			if gets != 1000 || changes != 0 {
				t.Errorf("%d pages read and %d changes sent, want 1000 and none", gets, changes)
			}
		})
	}
}
