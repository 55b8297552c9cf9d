package emulator

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
)

// maxRules bounds the rules of one ACL write.
const maxRules = 10000

type listAnswer[T any] struct {
	Results    []T    `json:"results"`
	NextCursor string `json:"next_cursor"`
}

// pageParams reads page_size and cursor. Cursors are opaque to clients:
// base64 of a resource prefix and the creation sequence of the last item
// returned, so pages stay stable while items are added or removed.
func (s *Server) pageParams(r *http.Request, kind string) (size int, after uint64, err error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return 0, 0, fmt.Errorf("malformed query string: %v", err)
	}
	size = defaultPageSize
	if v := q.Get("page_size"); v != "" || q.Has("page_size") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, fmt.Errorf("page_size %q must be a positive integer", v)
		}
		size = n
	}
	size = min(size, s.maxPageSize)
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		rest, ok := strings.CutPrefix(string(raw), kind+":")
		if err != nil || !ok {
			return 0, 0, fmt.Errorf("invalid cursor %q", c)
		}
		after, err = strconv.ParseUint(rest, 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("invalid cursor %q", c)
		}
	}
	return size, after, nil
}

func encodeCursor(kind string, seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatUint(seq, 10)))
}

// paginate returns the page of items after the given sequence number.
func paginate[E any, T any](items []E, seqOf func(E) uint64, view func(E) T, kind string, size int, after uint64) listAnswer[T] {
	start, _ := slices.BinarySearchFunc(items, after+1, func(e E, seq uint64) int { return cmpSeq(seqOf(e), seq) })
	end := min(start+size, len(items))
	ans := listAnswer[T]{Results: make([]T, 0, end-start)}
	for _, e := range items[start:end] {
		ans.Results = append(ans.Results, view(e))
	}
	if end < len(items) && end > start {
		ans.NextCursor = encodeCursor(kind, seqOf(items[end-1]))
	}
	return ans
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, "m", func() []*member { return s.st.members }, func(e *member) uint64 { return e.seq }, func(e *member) qovery.Member { return e.m })
}

func (s *Server) listBlueprints(w http.ResponseWriter, r *http.Request) {
	list(s, w, r, "b", func() []*blueprint { return s.st.blueprints }, func(e *blueprint) uint64 { return e.seq }, func(e *blueprint) qovery.Blueprint { return e.bp })
}

// list answers a list request with the page of items (read under the lock) its
// page_size and cursor ask for; kind names the cursor's resource.
func list[E any, T any](s *Server, w http.ResponseWriter, r *http.Request, kind string, items func() []E, seqOf func(E) uint64, view func(E) T) {
	size, after, err := s.pageParams(r, kind)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	s.mu.Lock()
	ans := paginate(items(), seqOf, view, kind, size, after)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, ans)
}

func (s *Server) inviteMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email *string      `json:"email"`
		Role  *qovery.Role `json:"role"`
	}
	if !readBody(w, r, &in) {
		return
	}
	email, ok := requiredEmail(w, in.Email)
	if !ok {
		return
	}
	if !validRole(w, in.Role) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.st.memberByEmail[email]; e != nil {
		writeError(w, http.StatusConflict, "%s is already a member (status %s)", email, e.m.Status)
		return
	}
	e := s.st.addMember(qovery.Member{
		ID: newUUID(), Email: email, Role: *in.Role, Status: qovery.StatusPending,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond),
	})
	if !s.savedLocked(w) {
		return
	}
	writeJSON(w, http.StatusCreated, e.m)
}

func (s *Server) updateMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Role *qovery.Role `json:"role"`
	}
	id := r.PathValue("memberId")
	s.mu.Lock()
	exists := s.st.memberByID[id] != nil
	s.mu.Unlock()
	if !exists {
		writeError(w, http.StatusNotFound, "member %q not found", id)
		return
	}
	if !readBody(w, r, &in) {
		return
	}
	if !validRole(w, in.Role) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.st.memberByID[id]
	if e == nil {
		writeError(w, http.StatusNotFound, "member %q not found", id)
		return
	}
	e.m.Role = *in.Role
	if !s.savedLocked(w) {
		return
	}
	writeJSON(w, http.StatusOK, e.m)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("memberId")
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.st.memberByID[id]
	if e == nil {
		writeError(w, http.StatusNotFound, "member %q not found", id)
		return
	}
	s.st.removeMember(e)
	if !s.savedLocked(w) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getACL(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("blueprintId")
	s.mu.Lock()
	b := s.st.bpByID[id]
	var acl qovery.ACL
	if b != nil {
		acl = qovery.ACL{Rules: slices.Clone(b.rules), ETag: b.etag}
	}
	s.mu.Unlock()
	if b == nil {
		writeError(w, http.StatusNotFound, "blueprint %q not found", id)
		return
	}
	if acl.Rules == nil {
		acl.Rules = []qovery.Rule{}
	}
	w.Header().Set("ETag", acl.ETag)
	writeJSON(w, http.StatusOK, acl)
}

func (s *Server) putACL(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("blueprintId")
	s.mu.Lock()
	exists := s.st.bpByID[id] != nil
	s.mu.Unlock()
	if !exists {
		writeError(w, http.StatusNotFound, "blueprint %q not found", id)
		return
	}
	var in struct {
		Rules *[]qovery.Rule `json:"rules"`
	}
	if !readBody(w, r, &in) {
		return
	}
	if in.Rules == nil {
		writeError(w, http.StatusBadRequest, "rules is required (send [] for open access)")
		return
	}
	if len(*in.Rules) > maxRules {
		writeError(w, http.StatusBadRequest, "too many rules: %d (at most %d)", len(*in.Rules), maxRules)
		return
	}
	rules, err := normalizeRules(*in.Rules)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.bpByID[id]
	if b == nil {
		writeError(w, http.StatusNotFound, "blueprint %q not found", id)
		return
	}
	if ifMatch := r.Header.Values("If-Match"); len(ifMatch) > 0 && !etagMatches(ifMatch, b.etag) {
		writeError(w, http.StatusPreconditionFailed, "etag is stale: the ACL of blueprint %q changed since it was read (current %s)", b.bp.Name, b.etag)
		return
	}
	b.setRules(rules)
	if !s.savedLocked(w) {
		return
	}
	w.Header().Set("ETag", b.etag)
	writeJSON(w, http.StatusOK, qovery.ACL{Rules: slices.Clone(rules)})
}

// etagMatches applies If-Match with strong comparison: "*" or one of the
// listed tags equal to current; weak tags never match.
func etagMatches(headers []string, current string) bool {
	for _, h := range headers {
		for _, tag := range strings.Split(h, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || (tag == current && !strings.HasPrefix(tag, "W/")) {
				return true
			}
		}
	}
	return false
}

// readBody reads the body of r into v (decodeBody); when it cannot, it answers
// with the status decodeBody gives, saying why, and returns false.
func readBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if status, err := decodeBody(w, r, v); err != nil {
		writeError(w, status, "%v", err)
		return false
	}
	return true
}

// decodeBody decodes one JSON object, refusing unknown fields, trailing
// data and bodies over maxBodyBytes. It returns the status to answer with.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes", maxBodyBytes)
		}
		if errors.Is(err, io.EOF) {
			return http.StatusBadRequest, errors.New("empty body, expected a JSON object")
		}
		return http.StatusBadRequest, fmt.Errorf("malformed JSON body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return http.StatusBadRequest, errors.New("malformed JSON body: data after the JSON object")
	}
	return 0, nil
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// normalEmail is the form an email is stored in, the one portal.NormalizeEmail gives
// (the client and portal.yaml use it too, so that all three agree on case and
// internationalised domains), and whether the emulator accepts it: not RFC 5322,
// the portal is stricter than that.
func normalEmail(s string) (string, bool) {
	e, err := portal.NormalizeEmail(s)
	if err != nil || len(e) > 254 || strings.Count(e, "@") != 1 {
		return "", false
	}
	return e, true
}

// validRole reports whether a request's body gives a role a member may have;
// when it does not, it answers 400 saying so.
func validRole(w http.ResponseWriter, role *qovery.Role) bool {
	if role == nil || !role.Valid() {
		writeError(w, http.StatusBadRequest, "role must be %s or %s", qovery.RoleAdmin, qovery.RoleUser)
		return false
	}
	return true
}

// requiredEmail reads the email a request's body gives, normalised; when it is
// missing or not an email, it answers 400 saying so and returns false.
func requiredEmail(w http.ResponseWriter, email *string) (string, bool) {
	if email == nil {
		writeError(w, http.StatusBadRequest, "email is required")
		return "", false
	}
	e, ok := normalEmail(*email)
	if !ok {
		writeError(w, http.StatusBadRequest, "%q is not a valid email address", *email)
		return "", false
	}
	return e, true
}

// fold is the key of an email: its normalEmail form, or, for an email that does not
// parse (only the test helpers take one, to hold odd data), the email trimmed.
func fold(email string) string {
	if e, ok := normalEmail(email); ok {
		return e
	}
	return strings.TrimSpace(email)
}

// validDomain accepts dot-separated labels of letters, digits and inner
// hyphens, at least two labels. Non-ASCII letters are allowed (look-alikes
// are the linter's business, not the API's).
func validDomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}
