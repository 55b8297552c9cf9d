package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/qovery/portalctl/internal/atomicfile"
	"github.com/qovery/portalctl/qovery"
)

// stateFormat tags state files so that a foreign JSON file is refused.
const stateFormat = "portal-emulator-state/v1"

// State is the content of the portal: what a seed file describes and what
// StatePath persists. Members and blueprints are in creation order.
type State struct {
	Members    []qovery.Member  `json:"members"`
	Blueprints []BlueprintState `json:"blueprints"`
	// Organization is the Qovery organization's own membership; nil means
	// the default roles and nobody.
	Organization *OrgState `json:"organization,omitempty"`
}

// BlueprintState is a blueprint with its ACL.
type BlueprintState struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Rules       []qovery.Rule `json:"rules"`
	// ETag is the current entity tag of the ACL (generated when empty).
	ETag string `json:"etag,omitempty"`
}

type member struct {
	seq uint64
	m   qovery.Member
}

type blueprint struct {
	seq   uint64
	bp    qovery.Blueprint
	rules []qovery.Rule
	etag  string
}

// store is the in-memory portal. Slices are in creation order (ascending
// seq), which is the order of pages; cursors carry a seq.
type store struct {
	seq        uint64
	members    []*member
	memberByID map[string]*member
	// memberByEmail is keyed by fold(email), which is also the email stored.
	memberByEmail map[string]*member
	blueprints    []*blueprint
	bpByID        map[string]*blueprint
	bpByName      map[string]*blueprint
	org           orgStore
}

func newStore(st *State) (store, error) {
	s := store{
		memberByID:    map[string]*member{},
		memberByEmail: map[string]*member{},
		bpByID:        map[string]*blueprint{},
		bpByName:      map[string]*blueprint{},
	}
	var err error
	if st == nil {
		s.org, err = newOrgStore(nil)
		return s, err
	}
	if s.org, err = newOrgStore(st.Organization); err != nil {
		return s, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, m := range st.Members {
		email, ok := normalEmail(m.Email)
		if !ok {
			return s, fmt.Errorf("member %q: invalid email", m.Email)
		}
		m.Email = email
		if !m.Role.Valid() || !m.Status.Valid() {
			return s, fmt.Errorf("member %s: invalid role %q or status %q", m.Email, m.Role, m.Status)
		}
		if s.memberByEmail[m.Email] != nil {
			return s, fmt.Errorf("member %s appears twice", m.Email)
		}
		if m.ID == "" {
			m.ID = newUUID()
		}
		if s.memberByID[m.ID] != nil {
			return s, fmt.Errorf("member id %s appears twice", m.ID)
		}
		if m.CreatedAt.IsZero() {
			m.CreatedAt = now
		}
		s.addMember(m)
	}
	for _, b := range st.Blueprints {
		if strings.TrimSpace(b.Name) == "" {
			return s, errors.New("a blueprint has no name")
		}
		if s.bpByName[b.Name] != nil {
			return s, fmt.Errorf("blueprint %q appears twice", b.Name)
		}
		if b.ID == "" {
			b.ID = newUUID()
		}
		if s.bpByID[b.ID] != nil {
			return s, fmt.Errorf("blueprint id %s appears twice", b.ID)
		}
		rules, err := normalizeRules(b.Rules)
		if err != nil {
			return s, fmt.Errorf("blueprint %q: %w", b.Name, err)
		}
		bp := s.addBlueprint(qovery.Blueprint{ID: b.ID, Name: b.Name, Description: b.Description}, rules)
		if b.ETag != "" {
			bp.etag = b.ETag
		}
	}
	return s, nil
}

func (s *store) nextSeq() uint64 {
	s.seq++
	return s.seq
}

func (s *store) addMember(m qovery.Member) *member {
	e := &member{seq: s.nextSeq(), m: m}
	s.members = append(s.members, e)
	s.memberByID[m.ID] = e
	s.memberByEmail[m.Email] = e
	return e
}

func (s *store) removeMember(e *member) {
	i, found := slices.BinarySearchFunc(s.members, e.seq, func(x *member, seq uint64) int { return cmpSeq(x.seq, seq) })
	if found {
		s.members = slices.Delete(s.members, i, i+1)
	}
	delete(s.memberByID, e.m.ID)
	delete(s.memberByEmail, e.m.Email)
}

func (s *store) addBlueprint(b qovery.Blueprint, rules []qovery.Rule) *blueprint {
	e := &blueprint{seq: s.nextSeq(), bp: b, rules: rules, etag: newETag()}
	s.blueprints = append(s.blueprints, e)
	s.bpByID[b.ID] = e
	s.bpByName[b.Name] = e
	return e
}

func (e *blueprint) setRules(rules []qovery.Rule) {
	e.rules = rules
	e.etag = newETag()
}

func (s *store) state() State {
	st := State{
		Members:    make([]qovery.Member, 0, len(s.members)),
		Blueprints: make([]BlueprintState, 0, len(s.blueprints)),
	}
	for _, m := range s.members {
		st.Members = append(st.Members, m.m)
	}
	for _, b := range s.blueprints {
		st.Blueprints = append(st.Blueprints, BlueprintState{
			ID: b.bp.ID, Name: b.bp.Name, Description: b.bp.Description,
			Rules: slices.Clone(b.rules), ETag: b.etag,
		})
	}
	st.Organization = s.org.state()
	return st
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// newETag returns a quoted strong entity tag, new on every write.
func newETag() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return `"` + hex.EncodeToString(b[:]) + `"`
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// normalizeRules checks rule types and values and lower-cases values.
func normalizeRules(rules []qovery.Rule) ([]qovery.Rule, error) {
	out := make([]qovery.Rule, 0, len(rules))
	for i, r := range rules {
		v := strings.ToLower(strings.TrimSpace(r.Value))
		switch r.Type {
		case qovery.RuleDomain:
			if !validDomain(v) {
				return nil, fmt.Errorf("rule %d: %q is not a valid domain (write it like company.com)", i, r.Value)
			}
		case qovery.RuleEmail:
			if _, ok := normalEmail(v); !ok {
				return nil, fmt.Errorf("rule %d: %q is not a valid email address", i, r.Value)
			}
		default:
			return nil, fmt.Errorf("rule %d: unknown rule type %q (want %s or %s)", i, r.Type, qovery.RuleDomain, qovery.RuleEmail)
		}
		out = append(out, qovery.Rule{Type: r.Type, Value: v})
	}
	return out, nil
}

// persistLocked writes the state file, if any. s.mu must be held (or the
// Server not yet shared).
func (s *Server) persistLocked() error {
	if s.statePath == "" {
		return nil
	}
	doc := struct {
		Format string `json:"format"`
		State
	}{stateFormat, s.st.state()}
	data, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("emulator: encode state: %w", err)
	}
	if err := atomicfile.Write(s.statePath, append(data, '\n')); err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	return nil
}

// savedLocked persists the state a handler changed (persistLocked); when it
// cannot, it answers 500 saying why and returns false.
func (s *Server) savedLocked(w http.ResponseWriter) bool {
	if err := s.persistLocked(); err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return false
	}
	return true
}

var errNoStateFile = errors.New("no state file")

// readStateFile loads a state file written by persistLocked.
func readStateFile(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoStateFile
	}
	if err != nil {
		return nil, fmt.Errorf("emulator: read state: %w", err)
	}
	var doc struct {
		Format string `json:"format"`
		State
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("emulator: state file %s: %w", path, err)
	}
	if doc.Format != stateFormat {
		return nil, fmt.Errorf("emulator: state file %s: format %q, want %q (delete the file to start over)", path, doc.Format, stateFormat)
	}
	return &doc.State, nil
}

// changed persists after a helper's change; helpers have no error to
// return, so a failure is logged.
func (s *Server) changed() {
	if err := s.persistLocked(); err != nil {
		s.log.Error("emulator: state not saved", "error", err)
	}
}

// Members returns the members, in creation order.
func (s *Server) Members() []qovery.Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]qovery.Member, len(s.st.members))
	for i, m := range s.st.members {
		out[i] = m.m
	}
	return out
}

// Blueprints returns the blueprints, in creation order.
func (s *Server) Blueprints() []qovery.Blueprint {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]qovery.Blueprint, len(s.st.blueprints))
	for i, b := range s.st.blueprints {
		out[i] = b.bp
	}
	return out
}

// State returns a copy of the whole portal.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.state()
}

// ACL returns the ACL of the named blueprint.
func (s *Server) ACL(blueprintName string) (qovery.ACL, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.bpByName[blueprintName]
	if b == nil {
		return qovery.ACL{}, false
	}
	return qovery.ACL{Rules: slices.Clone(b.rules), ETag: b.etag}, true
}

// SetACL replaces the rules of the named blueprint and bumps its ETag,
// like a concurrent edit in the portal's UI. Values are lower-cased;
// invalid rules are stored as given (tests may want odd data). It reports
// whether the blueprint exists.
func (s *Server) SetACL(blueprintName string, rules []qovery.Rule) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.st.bpByName[blueprintName]
	if b == nil {
		return false
	}
	b.setRules(lowerRules(rules))
	s.changed()
	return true
}

// AddBlueprint registers a blueprint, as an admin would in the portal. If
// the name exists, its description and rules are replaced instead.
func (s *Server) AddBlueprint(name, description string, rules []qovery.Rule) qovery.Blueprint {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.st.bpByName[name]; b != nil {
		b.bp.Description = description
		b.setRules(lowerRules(rules))
		s.changed()
		return b.bp
	}
	b := s.st.addBlueprint(qovery.Blueprint{ID: newUUID(), Name: name, Description: description}, lowerRules(rules))
	s.changed()
	return b.bp
}

// AddMember adds a member with the given role and status. If the email exists (as
// portal.NormalizeEmail folds it), its role and status are updated instead. An email
// that does not parse is stored as given (trimmed): tests may want odd data.
func (s *Server) AddMember(email string, role qovery.Role, status qovery.Status) qovery.Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	email = fold(email)
	if e := s.st.memberByEmail[email]; e != nil {
		e.m.Role, e.m.Status = role, status
		s.changed()
		return e.m
	}
	e := s.st.addMember(qovery.Member{
		ID: newUUID(), Email: email, Role: role, Status: status,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond),
	})
	s.changed()
	return e.m
}

// RemoveMember removes a member by email, as an admin would in the UI. It
// reports whether the member existed.
func (s *Server) RemoveMember(email string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.st.memberByEmail[fold(email)]
	if e == nil {
		return false
	}
	s.st.removeMember(e)
	s.changed()
	return true
}

func lowerRules(rules []qovery.Rule) []qovery.Rule {
	out := make([]qovery.Rule, len(rules))
	for i, r := range rules {
		out[i] = qovery.Rule{Type: r.Type, Value: strings.ToLower(r.Value)}
	}
	return out
}
