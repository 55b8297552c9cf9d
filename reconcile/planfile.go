package reconcile

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
)

// FormatVersion is the version of the JSON plan format. It changes only when a field
// changes meaning or disappears; new fields may be added within a version. Version 2
// added the desired state, the digest and the signature; apply refuses version 1.
// Within version 2, the organization's operations (the org_ actions, their fields
// invite_id, role_id, from_role_id and expired), their counts in the summary and
// the desired state's organization_members were added: each is present only when
// the file has an organization_members section, so a plan without one reads and
// digests as before. So were the members' expires dates in the desired state and
// the expired_on reason of a removal, present only when the file has dates.
const FormatVersion = 2

// MaxPlanBytes bounds a plan file: `plan --out` refuses to write a larger one, and
// `apply --plan` refuses to read one. The file is read as a stream, one element at a
// time, so the limit bounds the time and disk a plan takes, not the memory apply
// needs. A plan of 100,000 members × 2,000 blueprints whose every ACL changes is
// about 210 MiB, most of it the per-member access impact shown to humans.
const MaxPlanBytes = 1 << 30

// maxPlanElement bounds one element of a plan file (an operation, one blueprint's
// impact, a desired member): what the decoder holds at once.
const maxPlanElement = 256 << 20

// Prefixes of the digest and the signature.
const (
	digestPrefix    = "sha256:"
	signaturePrefix = "hmac-sha256:"
)

// Errors of saved plans that callers branch on.
var (
	// ErrPlanModified: the plan's digest does not match its content.
	ErrPlanModified = errors.New("modified after plan: run plan again")
	// ErrPlanTooLarge: the plan is over MaxPlanBytes.
	ErrPlanTooLarge = fmt.Errorf("the plan is over %d MiB, the most apply --plan reads", MaxPlanBytes>>20)
)

// PlanJSON is the stable machine format of a plan: the output of `plan -o json` and
// the file `plan --out` writes and `apply --plan` reads. It never holds the token,
// nor the signing key.
type PlanJSON struct {
	FormatVersion int       `json:"format_version"`
	CreatedAt     time.Time `json:"created_at"`
	Organization  string    `json:"organization"`
	Fingerprint   string    `json:"fingerprint,omitempty"`
	// Digest is "sha256:" and the hex SHA-256 of the canonical encoding of
	// format_version, organization, fingerprint, desired and operations (see
	// Seal): what apply acts on. created_at, summary, impact and unmanaged are
	// for humans and recomputed by apply.
	Digest string `json:"digest,omitempty"`
	// Signature is "hmac-sha256:" and the hex HMAC-SHA-256 of the digest under
	// the key in PORTALCTL_PLAN_KEY, when it was set at plan time.
	Signature  string        `json:"signature,omitempty"`
	Summary    SummaryJSON   `json:"summary"`
	Operations []OpJSON      `json:"operations"`
	Impact     []ImpactJSON  `json:"impact"`
	Unmanaged  []UnmanagedJS `json:"unmanaged"`
	// Desired is the state the plan was computed from.
	Desired *DesiredJSON `json:"desired,omitempty"`
}

// SummaryJSON counts a plan's changes.
type SummaryJSON struct {
	Invite      int      `json:"invite"`
	Promote     int      `json:"promote"`
	UpdateACL   int      `json:"update_acl"`
	Demote      int      `json:"demote"`
	Remove      int      `json:"remove"`
	GainAccess  int      `json:"members_gaining_access"`
	LoseAccess  int      `json:"members_losing_access"`
	BecomesOpen []string `json:"blueprints_becoming_open"`
	// The organization's operations, when the file manages its members.
	OrgInvite       int `json:"org_invite,omitempty"`
	OrgReinvite     int `json:"org_reinvite,omitempty"`
	OrgChangeRole   int `json:"org_change_role,omitempty"`
	OrgCancelInvite int `json:"org_cancel_invite,omitempty"`
	OrgRemove       int `json:"org_remove,omitempty"`
}

// OpJSON is one operation. For the organization's operations, role and from_role
// are the organization's role names, role_id and from_role_id their ids, member_id
// the organization member's id (an identity subject), invite_id the invitation's.
type OpJSON struct {
	Action     Action `json:"action"`
	Email      string `json:"email,omitempty"`
	MemberID   string `json:"member_id,omitempty"`
	InviteID   string `json:"invite_id,omitempty"`
	Role       string `json:"role,omitempty"`
	RoleID     string `json:"role_id,omitempty"`
	FromRole   string `json:"from_role,omitempty"`
	FromRoleID string `json:"from_role_id,omitempty"`
	Expired    bool   `json:"expired,omitempty"`
	// ExpiredOn is the reason of a removal (remove, org_remove,
	// org_cancel_invite) of someone the file lists with an expires date that
	// has passed: the date, YYYY-MM-DD.
	ExpiredOn   string     `json:"expired_on,omitempty"`
	Blueprint   string     `json:"blueprint,omitempty"`
	BlueprintID string     `json:"blueprint_id,omitempty"`
	ETag        string     `json:"etag,omitempty"`
	Rules       []RuleJSON `json:"rules,omitempty"`
	Added       []RuleJSON `json:"rules_added,omitempty"`
	Removed     []RuleJSON `json:"rules_removed,omitempty"`
}

// RuleJSON is one access rule.
type RuleJSON struct {
	Type  portal.RuleKind `json:"type"`
	Value string          `json:"value"`
	Group string          `json:"group,omitempty"`
}

// ImpactJSON is the change of one blueprint's audience.
type ImpactJSON struct {
	Blueprint    string       `json:"blueprint"`
	Open         bool         `json:"open"`
	WasOpen      bool         `json:"was_open"`
	BecomesOpen  bool         `json:"becomes_open"`
	NewlyManaged bool         `json:"newly_managed,omitempty"`
	RulesAdded   []RuleJSON   `json:"rules_added"`
	RulesRemoved []RuleJSON   `json:"rules_removed"`
	Gains        []AccessJSON `json:"gains"`
	Losses       []AccessJSON `json:"losses"`
}

// AccessJSON is one member gaining or losing a blueprint.
type AccessJSON struct {
	Email string   `json:"email"`
	Via   []string `json:"via"`
	// MemberChange is true when the member joins or leaves the portal, rather than
	// the blueprint's rules changing.
	MemberChange bool `json:"member_change,omitempty"`
}

// UnmanagedJS is a blueprint of the portal that the file leaves alone.
type UnmanagedJS struct {
	Name string `json:"name"`
	Open bool   `json:"open"`
}

// DesiredJSON is the desired state a plan was computed from, canonical: the
// organization, the members with their role, every blueprint the file manages with
// its rules (none: open to every member), in the file's normalised order, and, when
// the file has that section, the organization's members with their role as written.
type DesiredJSON struct {
	Organization string                 `json:"organization"`
	Members      []DesiredMemberJSON    `json:"members"`
	Blueprints   []DesiredBlueprintJSON `json:"blueprints"`
	OrgMembers   *[]DesiredMemberJSON   `json:"organization_members,omitempty"`
}

// DesiredMemberJSON is one member of the desired state, with the day their access
// ends when the file gives one (apply judges the expiry again on its own day).
type DesiredMemberJSON struct {
	Email   string `json:"email"`
	Role    string `json:"role"`
	Expires string `json:"expires,omitempty"`
}

// DesiredBlueprintJSON is one managed blueprint of the desired state.
type DesiredBlueprintJSON struct {
	Name  string     `json:"name"`
	Rules []RuleJSON `json:"rules"`
}

// ToJSON renders p in the stable format. A plan made against the live portal (it
// has a fingerprint) carries its desired state and its digest, unsigned (see Seal);
// an offline one (preview) carries neither, and cannot be applied.
func (p *Plan) ToJSON(now time.Time) PlanJSON {
	out := p.head(now)
	out.Operations = make([]OpJSON, 0, len(p.Ops))
	for _, o := range p.Ops {
		out.Operations = append(out.Operations, opJSON(o))
	}
	out.Impact = make([]ImpactJSON, 0, len(p.Impact.Blueprints))
	for _, b := range p.Impact.Blueprints {
		out.Impact = append(out.Impact, impactJSON(b))
	}
	if out.Fingerprint != "" {
		out.Seal(nil)
	}
	return out
}

// head is the plan's JSON without its operations and impact.
func (p *Plan) head(now time.Time) PlanJSON {
	gain, lose, opened := p.Impact.Counts()
	out := PlanJSON{
		FormatVersion: FormatVersion,
		CreatedAt:     now.UTC().Truncate(time.Second),
		Organization:  p.Organization,
		Fingerprint:   p.Fingerprint,
		Summary: SummaryJSON{
			Invite: p.Count(Invite), Promote: p.Count(Promote), UpdateACL: p.Count(UpdateACL),
			Demote: p.Count(Demote), Remove: p.Count(Remove),
			GainAccess: gain, LoseAccess: lose, BecomesOpen: nonNil(opened),
			OrgInvite: p.Count(OrgInvite), OrgReinvite: p.Count(OrgReinvite), OrgChangeRole: p.Count(OrgChangeRole),
			OrgCancelInvite: p.Count(OrgCancelInvite), OrgRemove: p.Count(OrgRemove),
		},
		Operations: []OpJSON{},
		Impact:     []ImpactJSON{},
		Unmanaged:  []UnmanagedJS{},
	}
	for _, u := range p.Unmanaged {
		out.Unmanaged = append(out.Unmanaged, UnmanagedJS(u))
	}
	if p.Desired != nil && p.Fingerprint != "" {
		d := desiredJSON(p.Desired, p.Organization)
		out.Desired = &d
	}
	return out
}

// Seal computes pj's digest over its canonical content and, with a key, signs it.
// The canonical encoding is the compact JSON (encoding/json, HTML characters not
// escaped) of {"format_version","organization","fingerprint","desired","operations"}
// with pj's values, each operation in the form this package writes it.
func (pj *PlanJSON) Seal(key []byte) {
	pj.Digest = planDigest(pj.FormatVersion, pj.Organization, pj.Fingerprint, pj.Desired, len(pj.Operations), func(i int) OpJSON { return pj.Operations[i] })
	pj.Signature = ""
	if len(key) > 0 {
		pj.Signature = Sign(pj.Digest, key)
	}
}

// Sign is the signature of a plan's digest under key.
func Sign(digest string, key []byte) string {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, digest)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// planDigest hashes the canonical encoding (see Seal) as a stream, so that a plan
// of any size costs no second copy.
func planDigest(version int, organization, fingerprint string, desired *DesiredJSON, nOps int, op func(int) OpJSON) string {
	h := sha256.New()
	c := canonical{h: h}
	c.raw(`{"format_version":`)
	c.value(version)
	c.raw(`,"organization":`)
	c.value(organization)
	c.raw(`,"fingerprint":`)
	c.value(fingerprint)
	c.raw(`,"desired":`)
	if desired == nil {
		c.raw("null")
	} else {
		c.raw(`{"organization":`)
		c.value(desired.Organization)
		c.raw(`,"members":`)
		c.list(len(desired.Members), func(i int) any { return desired.Members[i] })
		c.raw(`,"blueprints":`)
		c.list(len(desired.Blueprints), func(i int) any { return desired.Blueprints[i] })
		if desired.OrgMembers != nil {
			ms := *desired.OrgMembers
			c.raw(`,"organization_members":`)
			c.list(len(ms), func(i int) any { return ms[i] })
		}
		c.raw("}")
	}
	c.raw(`,"operations":`)
	c.list(nOps, func(i int) any { return op(i) })
	c.raw("}")
	return digestPrefix + hex.EncodeToString(h.Sum(nil))
}

// canonical writes compact JSON into a hash.
type canonical struct {
	h   hash.Hash
	buf bytes.Buffer
	enc *json.Encoder
}

func (c *canonical) raw(s string) { io.WriteString(c.h, s) }

func (c *canonical) value(v any) {
	if c.enc == nil {
		c.enc = json.NewEncoder(&c.buf)
		c.enc.SetEscapeHTML(false)
	}
	c.buf.Reset()
	if err := c.enc.Encode(v); err != nil {
		panic(err) // plain structs of strings, ints and slices always encode
	}
	c.h.Write(bytes.TrimSuffix(c.buf.Bytes(), []byte("\n")))
}

func (c *canonical) list(n int, item func(int) any) {
	c.raw("[")
	for i := range n {
		if i > 0 {
			c.raw(",")
		}
		c.value(item(i))
	}
	c.raw("]")
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// JSON is the operation as plan files and `plan -o json` write it.
func (o Op) JSON() OpJSON { return opJSON(o) }

func opJSON(o Op) OpJSON {
	if IsOrg(o.Action) {
		return OpJSON{
			Action: o.Action, Email: o.Email, MemberID: o.MemberID, InviteID: o.InviteID,
			Role: o.OrgRole, RoleID: o.OrgRoleID, FromRole: o.FromOrgRole, FromRoleID: o.FromOrgRoleID, Expired: o.Expired,
			ExpiredOn: o.ExpiredOn.String(),
		}
	}
	return OpJSON{
		Action: o.Action, Email: o.Email, MemberID: o.MemberID, Role: string(o.Role), FromRole: string(o.FromRole),
		ExpiredOn: o.ExpiredOn.String(),
		Blueprint: o.Blueprint, BlueprintID: o.BlueprintID, ETag: o.ETag,
		Rules: rulesJSON(o.Rules), Added: rulesJSON(o.Added), Removed: rulesJSON(o.Removed),
	}
}

func impactJSON(b access.BlueprintImpact) ImpactJSON {
	return ImpactJSON{
		Blueprint: b.Name, Open: b.Open, WasOpen: b.WasOpen, BecomesOpen: b.BecomesOpen(), NewlyManaged: b.NewlyManaged,
		RulesAdded: nonNil(rulesJSON(b.RulesAdded)), RulesRemoved: nonNil(rulesJSON(b.RulesRemoved)),
		Gains: accessJSON(b.GainCount(), b.EachGain), Losses: accessJSON(b.LossCount(), b.EachLoss),
	}
}

func desiredJSON(cfg *portal.Config, organization string) DesiredJSON {
	d := DesiredJSON{
		Organization: organization,
		Members:      make([]DesiredMemberJSON, len(cfg.Members)),
		Blueprints:   make([]DesiredBlueprintJSON, len(cfg.Blueprints)),
	}
	for i, m := range cfg.Members {
		d.Members[i] = DesiredMemberJSON{Email: m.Email, Role: string(m.Role), Expires: m.Expires.String()}
	}
	for i, b := range cfg.Blueprints {
		d.Blueprints[i] = DesiredBlueprintJSON{Name: b.Name, Rules: nonNil(rulesJSON(b.Rules))}
	}
	if cfg.Org != nil {
		ms := make([]DesiredMemberJSON, len(cfg.Org.Members))
		for i, m := range cfg.Org.Members {
			ms[i] = DesiredMemberJSON{Email: m.Email, Role: m.Role, Expires: m.Expires.String()}
		}
		d.OrgMembers = &ms
	}
	return d
}

// sameOp reports whether two operations send the same request and show the same.
func sameOp(a, b Op) bool {
	ja, _ := json.Marshal(opJSON(a))
	jb, _ := json.Marshal(opJSON(b))
	return bytes.Equal(ja, jb)
}

func rulesJSON(rules []portal.Rule) []RuleJSON {
	if len(rules) == 0 {
		return nil
	}
	out := make([]RuleJSON, len(rules))
	for i, r := range rules {
		out[i] = RuleJSON{Type: r.Kind, Value: r.Value, Group: r.Group}
	}
	return out
}

func accessJSON(n int, each func(func(access.Change))) []AccessJSON {
	out := make([]AccessJSON, 0, n)
	each(func(x access.Change) {
		via := make([]string, len(x.Via))
		for j, v := range x.Via {
			via[j] = v.String()
		}
		out = append(out, AccessJSON{Email: x.Email, Via: via, MemberChange: x.Member})
	})
	return out
}

// WritePlan writes pj as an indented JSON document. Bidirectional and invisible
// control characters (portal.HiddenControl) are written as \uXXXX escapes, so the
// document means the same and shows no such character raw.
func WritePlan(w io.Writer, pj PlanJSON) error {
	return writeDoc(w, pj, len(pj.Operations), func(i int) OpJSON { return pj.Operations[i] },
		len(pj.Impact), func(i int) ImpactJSON { return pj.Impact[i] })
}

// WriteJSON writes p as WritePlan would write p.ToJSON(now), signed with key (no
// signature when key is empty; none either for an offline plan), without building
// the whole document in memory:
// each operation and each blueprint's impact is converted as it is written.
func (p *Plan) WriteJSON(w io.Writer, now time.Time, key []byte) error {
	head := p.head(now)
	if head.Fingerprint != "" {
		head.Digest = planDigest(head.FormatVersion, head.Organization, head.Fingerprint, head.Desired, len(p.Ops), func(i int) OpJSON { return opJSON(p.Ops[i]) })
		if len(key) > 0 {
			head.Signature = Sign(head.Digest, key)
		}
	}
	return writeDoc(w, head, len(p.Ops), func(i int) OpJSON { return opJSON(p.Ops[i]) },
		len(p.Impact.Blueprints), func(i int) ImpactJSON { return impactJSON(p.Impact.Blueprints[i]) })
}

// writeDoc writes the plan document: the scalars and lists of head, the operations
// and the impact from the functions, one element at a time.
func writeDoc(w io.Writer, head PlanJSON, nOps int, op func(int) OpJSON, nImpact int, impact func(int) ImpactJSON) error {
	bw := bufio.NewWriterSize(&controlEscaper{w: w}, 64<<10)
	d := &docWriter{w: bw}
	d.raw("{\n")
	d.field("format_version", head.FormatVersion)
	d.field("created_at", head.CreatedAt)
	d.field("organization", head.Organization)
	if head.Fingerprint != "" {
		d.field("fingerprint", head.Fingerprint)
	}
	if head.Digest != "" {
		d.field("digest", head.Digest)
	}
	if head.Signature != "" {
		d.field("signature", head.Signature)
	}
	d.field("summary", head.Summary)
	d.list("  ", "operations", nOps, func(i int) any { return op(i) })
	d.list("  ", "impact", nImpact, func(i int) any { return impact(i) })
	d.list("  ", "unmanaged", len(head.Unmanaged), func(i int) any { return head.Unmanaged[i] })
	if head.Desired != nil {
		dj := head.Desired
		d.raw(",\n  \"desired\": {\n")
		d.first = true
		d.indent = "    "
		d.field("organization", dj.Organization)
		d.list("    ", "members", len(dj.Members), func(i int) any { return dj.Members[i] })
		d.list("    ", "blueprints", len(dj.Blueprints), func(i int) any { return dj.Blueprints[i] })
		if dj.OrgMembers != nil {
			ms := *dj.OrgMembers
			d.list("    ", "organization_members", len(ms), func(i int) any { return ms[i] })
		}
		d.raw("\n  }")
	}
	d.raw("\n}\n")
	if d.err != nil {
		return d.err
	}
	return bw.Flush()
}

// docWriter writes an indented JSON object field by field, in the layout of
// json.Encoder with SetIndent("", "  ").
type docWriter struct {
	w      io.Writer
	err    error
	first  bool   // no field written yet at this level
	indent string // of the fields at this level
	encs   map[string]*indentEncoder
}

type indentEncoder struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func (d *docWriter) raw(s string) {
	if d.err == nil {
		_, d.err = io.WriteString(d.w, s)
	}
}

// value writes v indented as if it started at a line prefixed with prefix.
func (d *docWriter) value(prefix string, v any) {
	if d.err != nil {
		return
	}
	if d.encs == nil {
		d.encs = map[string]*indentEncoder{}
	}
	e := d.encs[prefix]
	if e == nil {
		e = &indentEncoder{}
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetEscapeHTML(false)
		e.enc.SetIndent(prefix, "  ")
		d.encs[prefix] = e
	}
	e.buf.Reset()
	if d.err = e.enc.Encode(v); d.err == nil {
		_, d.err = d.w.Write(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
	}
}

func (d *docWriter) key(name string) {
	if d.indent == "" {
		d.indent, d.first = "  ", true
	}
	if !d.first {
		d.raw(",\n")
	}
	d.first = false
	d.raw(d.indent + `"` + name + `": `)
}

func (d *docWriter) field(name string, v any) {
	d.key(name)
	d.value(d.indent, v)
}

// list writes a field whose value is an array of n items, one at a time.
func (d *docWriter) list(indent, name string, n int, item func(int) any) {
	d.key(name)
	if n == 0 {
		d.raw("[]")
		return
	}
	d.raw("[\n")
	inner := indent + "  "
	for i := range n {
		if i > 0 {
			d.raw(",\n")
		}
		d.raw(inner)
		d.value(inner, item(i))
	}
	d.raw("\n" + indent + "]")
}

// controlEscaper rewrites bidirectional and invisible control characters into
// \uXXXX escapes on their way out. The plan document is JSON whose structure is
// ASCII, so such a character can only be inside a string, where the escape means
// the same character.
type controlEscaper struct {
	w       io.Writer
	pending []byte // an incomplete UTF-8 sequence at the end of the last Write
}

func (e *controlEscaper) Write(p []byte) (int, error) {
	n := len(p)
	if len(e.pending) > 0 {
		p = append(e.pending, p...)
		e.pending = nil
	}
	start := 0
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		if !utf8.FullRune(p[i:]) {
			e.pending = append([]byte(nil), p[i:]...)
			p = p[:i]
			break
		}
		r, size := utf8.DecodeRune(p[i:])
		if portal.HiddenControl(r) {
			if _, err := e.w.Write(p[start:i]); err != nil {
				return 0, err
			}
			if _, err := fmt.Fprintf(e.w, `\u%04x`, r); err != nil {
				return 0, err
			}
			start = i + size
		}
		i += size
	}
	if _, err := e.w.Write(p[start:]); err != nil {
		return 0, err
	}
	return n, nil
}

// CapWriter passes at most Max bytes to W and fails with ErrPlanTooLarge beyond, so
// that `plan --out` stops before a file apply would refuse is complete.
type CapWriter struct {
	W   io.Writer
	Max int64
	n   int64
}

func (c *CapWriter) Write(p []byte) (int, error) {
	if c.n+int64(len(p)) > c.Max {
		return 0, ErrPlanTooLarge
	}
	c.n += int64(len(p))
	return c.W.Write(p)
}

// capReader reads at most total bytes, and at most element bytes between two calls
// of mark, failing beyond either.
type capReader struct {
	r              io.Reader
	total, element int64
	read, since    int64
}

var errPlanElementTooLarge = fmt.Errorf("an element of the plan is over %d MiB", maxPlanElement>>20)

func (c *capReader) Read(p []byte) (int, error) {
	if c.since >= c.element {
		return 0, errPlanElementTooLarge
	}
	if c.read >= c.total {
		var probe [1]byte
		n, err := c.r.Read(probe[:])
		if n > 0 {
			return 0, ErrPlanTooLarge
		}
		return 0, err
	}
	if rest := c.total - c.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := c.r.Read(p)
	c.read += int64(n)
	c.since += int64(n)
	return n, err
}

func (c *capReader) mark() { c.since = 0 }

// ReadPlan reads and checks a saved plan as a stream. It refuses a plan of another
// format version, a malformed or incomplete one, one whose operations or desired
// state are not what this package writes, and one whose digest does not match its
// content ("modified after plan"). With a key it refuses a plan without a valid
// signature; without one it refuses a signed plan, which it cannot verify. The
// summary and the impact are not used: apply recomputes them from the portal.
func ReadPlan(r io.Reader, key []byte) (*Plan, error) {
	return readPlan(r, key, MaxPlanBytes, maxPlanElement)
}

func readPlan(r io.Reader, key []byte, total, element int64) (*Plan, error) {
	cr := &capReader{r: r, total: total, element: element}
	pr := &planReader{dec: json.NewDecoder(cr), cr: cr, seen: map[string]bool{}}
	pr.dec.DisallowUnknownFields()
	p, err := pr.read()
	if err != nil {
		switch {
		case errors.Is(err, ErrPlanTooLarge):
			return nil, fmt.Errorf("%w: run plan again and apply it from the file with -f", ErrPlanTooLarge)
		case errors.Is(err, errPlanElementTooLarge):
			return nil, fmt.Errorf("not a portalctl plan file: %w", err)
		}
		return nil, err
	}
	if err := pr.verify(p, key); err != nil {
		return nil, err
	}
	return p, nil
}

type planReader struct {
	dec  *json.Decoder
	cr   *capReader
	seen map[string]bool
	pj   PlanJSON // scalars only
	ops  int
}

func notPlan(err error) error { return fmt.Errorf("not a portalctl plan file: %w", err) }

func (pr *planReader) delim(want json.Delim) error {
	tok, err := pr.dec.Token()
	if err != nil {
		return notPlan(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return notPlan(fmt.Errorf("expected %q, found %v", string(want), tok))
	}
	return nil
}

// fields reads the fields of an object, calling field for each; a field twice is
// refused.
func (pr *planReader) fields(where string, field func(name string) error) error {
	if err := pr.delim('{'); err != nil {
		return err
	}
	seen := map[string]bool{}
	for pr.dec.More() {
		tok, err := pr.dec.Token()
		if err != nil {
			return notPlan(err)
		}
		name, _ := tok.(string)
		if seen[name] {
			return notPlan(fmt.Errorf("%s%q appears twice", where, name))
		}
		seen[name] = true
		pr.cr.mark()
		if err := field(name); err != nil {
			return err
		}
	}
	return pr.delim('}')
}

// array reads a JSON array one element at a time.
func (pr *planReader) array(item func() error) error {
	if err := pr.delim('['); err != nil {
		return err
	}
	for pr.dec.More() {
		pr.cr.mark()
		if err := item(); err != nil {
			return err
		}
	}
	return pr.delim(']')
}

func (pr *planReader) decode(v any) error {
	if err := pr.dec.Decode(v); err != nil {
		return notPlan(err)
	}
	return nil
}

func (pr *planReader) read() (*Plan, error) {
	p := &Plan{}
	var desired *DesiredJSON
	last := -1
	err := pr.fields("", func(name string) error {
		pr.seen[name] = true
		switch name {
		case "format_version":
			if err := pr.decode(&pr.pj.FormatVersion); err != nil {
				return err
			}
			if pr.pj.FormatVersion != FormatVersion {
				return fmt.Errorf("plan format_version %d is not supported (this portalctl reads %d): run plan again with this version", pr.pj.FormatVersion, FormatVersion)
			}
			return nil
		case "created_at":
			return pr.decode(&pr.pj.CreatedAt)
		case "organization":
			return pr.decode(&pr.pj.Organization)
		case "fingerprint":
			return pr.decode(&pr.pj.Fingerprint)
		case "digest":
			return pr.decode(&pr.pj.Digest)
		case "signature":
			return pr.decode(&pr.pj.Signature)
		case "summary":
			return pr.decode(&pr.pj.Summary)
		case "operations":
			return pr.array(func() error {
				var o OpJSON
				if err := pr.decode(&o); err != nil {
					return err
				}
				pr.ops++
				op, err := opFromJSON(o)
				if err != nil {
					return fmt.Errorf("operation %d: %w", pr.ops, err)
				}
				if actionOrder[op.Action] < last {
					return fmt.Errorf("operation %d: %s out of order (org_invite, org_reinvite, org_change_role, invite, promote, update_acl, demote, remove, org_cancel_invite, org_remove)", pr.ops, op.Action)
				}
				last = actionOrder[op.Action]
				p.Ops = append(p.Ops, op)
				return nil
			})
		case "impact":
			// For humans: apply recomputes it. Each element is skipped as
			// raw JSON, one at a time.
			return pr.array(func() error {
				var raw json.RawMessage
				return pr.decode(&raw)
			})
		case "unmanaged":
			return pr.array(func() error {
				var u UnmanagedJS
				if err := pr.decode(&u); err != nil {
					return err
				}
				p.Unmanaged = append(p.Unmanaged, Unmanaged(u))
				return nil
			})
		case "desired":
			d, err := pr.desired()
			desired = d
			return err
		}
		return notPlan(fmt.Errorf("unknown field %q", name))
	})
	if err != nil {
		return nil, err
	}
	switch _, err := pr.dec.Token(); {
	case errors.Is(err, ErrPlanTooLarge):
		return nil, err
	case err != io.EOF:
		return nil, notPlan(errors.New("trailing data after the plan"))
	}
	for _, f := range []string{"format_version", "organization", "operations", "desired"} {
		if !pr.seen[f] {
			if f == "format_version" {
				return nil, errors.New("not a portalctl plan file: no format_version")
			}
			return nil, notPlan(fmt.Errorf("no %s", f))
		}
	}
	if pr.pj.Fingerprint == "" {
		return nil, errors.New("plan has no fingerprint of the live state: run plan --out again")
	}
	if pr.pj.Digest == "" {
		return nil, errors.New("plan has no digest: run plan --out again")
	}
	if desired.Organization != pr.pj.Organization {
		return nil, notPlan(fmt.Errorf("desired organization %q differs from the plan's %q", desired.Organization, pr.pj.Organization))
	}
	cfg, err := desiredConfig(desired)
	if err != nil {
		return nil, err
	}
	p.Organization = pr.pj.Organization
	p.Fingerprint = pr.pj.Fingerprint
	p.Digest = pr.pj.Digest
	p.Desired = cfg
	return p, nil
}

// desired reads the desired state, its members one at a time.
func (pr *planReader) desired() (*DesiredJSON, error) {
	d := &DesiredJSON{}
	seen := map[string]bool{}
	err := pr.fields("desired ", func(name string) error {
		seen[name] = true
		switch name {
		case "organization":
			return pr.decode(&d.Organization)
		case "members":
			return pr.array(func() error {
				var m DesiredMemberJSON
				if err := pr.decode(&m); err != nil {
					return err
				}
				d.Members = append(d.Members, m)
				return nil
			})
		case "blueprints":
			return pr.array(func() error {
				var b DesiredBlueprintJSON
				if err := pr.decode(&b); err != nil {
					return err
				}
				d.Blueprints = append(d.Blueprints, b)
				return nil
			})
		case "organization_members":
			ms := []DesiredMemberJSON{}
			d.OrgMembers = &ms
			return pr.array(func() error {
				var m DesiredMemberJSON
				if err := pr.decode(&m); err != nil {
					return err
				}
				*d.OrgMembers = append(*d.OrgMembers, m)
				return nil
			})
		}
		return notPlan(fmt.Errorf("unknown field %q in desired", name))
	})
	if err != nil {
		return nil, err
	}
	for _, f := range []string{"organization", "members", "blueprints"} {
		if !seen[f] {
			return nil, notPlan(fmt.Errorf("desired has no %s", f))
		}
	}
	return d, nil
}

// verify checks the digest, then the signature.
func (pr *planReader) verify(p *Plan, key []byte) error {
	d := desiredJSON(p.Desired, p.Organization)
	digest := planDigest(pr.pj.FormatVersion, p.Organization, p.Fingerprint, &d, len(p.Ops), func(i int) OpJSON { return opJSON(p.Ops[i]) })
	if digest != pr.pj.Digest {
		return fmt.Errorf("%w: the plan's digest does not match its content", ErrPlanModified)
	}
	sig := pr.pj.Signature
	switch {
	case len(key) == 0 && sig != "":
		return fmt.Errorf("%w: the plan is signed, and PORTALCTL_PLAN_KEY is not set to verify it: set it to the key the plan was made with", ErrRefused)
	case len(key) == 0:
		return nil
	case sig == "":
		return fmt.Errorf("%w: PORTALCTL_PLAN_KEY is set and the plan is not signed: run plan --out again with the same key set", ErrRefused)
	case !hmac.Equal([]byte(sig), []byte(Sign(digest, key))):
		return fmt.Errorf("%w: the plan's signature does not match PORTALCTL_PLAN_KEY: it was signed with another key, or modified after plan; run plan again", ErrRefused)
	}
	return nil
}

// desiredConfig checks a desired state read from a file and turns it into the
// model Diff takes: what schema would have produced from a valid portal.yaml.
func desiredConfig(d *DesiredJSON) (*portal.Config, error) {
	cfg := &portal.Config{Version: 1, Organization: d.Organization, Groups: map[string][]string{}}
	emails := make(map[string]bool, len(d.Members))
	for i, m := range d.Members {
		if err := plainValue(m.Email); err != nil {
			return nil, fmt.Errorf("desired member %d: %w", i+1, err)
		}
		e, err := portal.NormalizeEmail(m.Email)
		if err != nil || e != m.Email {
			return nil, fmt.Errorf("desired member %d: bad email %q", i+1, m.Email)
		}
		role := portal.Role(m.Role)
		if role != portal.RoleAdmin && role != portal.RoleUser {
			return nil, fmt.Errorf("desired member %s: bad role %q", m.Email, m.Role)
		}
		if emails[e] {
			return nil, fmt.Errorf("desired member %s appears twice", m.Email)
		}
		emails[e] = true
		expires, err := desiredDate(m.Expires)
		if err != nil {
			return nil, fmt.Errorf("desired member %s: %w", m.Email, err)
		}
		cfg.Members = append(cfg.Members, portal.Member{Email: e, Role: role, Expires: expires})
	}
	names := make(map[string]bool, len(d.Blueprints))
	for _, b := range d.Blueprints {
		if b.Name == "" {
			return nil, errors.New("desired blueprint without a name")
		}
		if err := plainValue(b.Name); err != nil {
			return nil, fmt.Errorf("desired blueprint %q: %w", b.Name, err)
		}
		if names[b.Name] {
			return nil, fmt.Errorf("desired blueprint %q appears twice", b.Name)
		}
		names[b.Name] = true
		bp := portal.Blueprint{Name: b.Name}
		for _, r := range b.Rules {
			if err := plainValue(r.Value + r.Group); err != nil {
				return nil, fmt.Errorf("desired blueprint %q: %w", b.Name, err)
			}
			rule, err := ruleFromJSON(r)
			if err != nil {
				return nil, fmt.Errorf("desired blueprint %q: %w", b.Name, err)
			}
			if n := len(bp.Rules); n > 0 && !portal.LessKey(bp.Rules[n-1].Key(), rule.Key()) {
				return nil, fmt.Errorf("desired blueprint %q: rules not in canonical order (domains, then emails, each sorted, no duplicates)", b.Name)
			}
			bp.Rules = append(bp.Rules, rule)
		}
		bp.Open = len(bp.Rules) == 0
		cfg.Blueprints = append(cfg.Blueprints, bp)
	}
	if d.OrgMembers != nil {
		org, err := desiredOrg(*d.OrgMembers)
		if err != nil {
			return nil, err
		}
		cfg.Org = org
	}
	return cfg, nil
}

// desiredOrg checks the organization's members of a desired state: what schema
// gives for a valid organization_members section (role names as written).
func desiredOrg(ms []DesiredMemberJSON) (*portal.Org, error) {
	if len(ms) == 0 {
		return nil, errors.New("desired organization_members is empty")
	}
	org := &portal.Org{}
	for i, m := range ms {
		if err := plainValue(m.Email + m.Role); err != nil {
			return nil, fmt.Errorf("desired organization member %d: %w", i+1, err)
		}
		e, err := portal.NormalizeEmail(m.Email)
		if err != nil || e != m.Email {
			return nil, fmt.Errorf("desired organization member %d: bad email %q", i+1, m.Email)
		}
		if m.Role == "" || strings.TrimSpace(m.Role) != m.Role {
			return nil, fmt.Errorf("desired organization member %s: bad role %q", m.Email, m.Role)
		}
		if n := len(org.Members); n > 0 && org.Members[n-1].Email >= e {
			return nil, fmt.Errorf("desired organization members not in canonical order (sorted by email, each once) at %s", m.Email)
		}
		expires, err := desiredDate(m.Expires)
		if err != nil {
			return nil, fmt.Errorf("desired organization member %s: %w", m.Email, err)
		}
		org.Members = append(org.Members, portal.OrgMember{Email: e, Role: m.Role, Expires: expires})
	}
	return org, nil
}

// desiredDate reads an expires date of a desired state: none, or YYYY-MM-DD
// exactly as this package writes it.
func desiredDate(s string) (portal.Date, error) {
	if s == "" {
		return portal.Date{}, nil
	}
	d, err := portal.ParseDate(s)
	if err != nil || d.String() != s {
		return portal.Date{}, fmt.Errorf("bad expires %q", s)
	}
	return d, nil
}

// plainValue refuses the bidirectional and invisible controls a valid portal.yaml
// cannot hold.
func plainValue(s string) error {
	if r, _, ok := portal.FirstHiddenControl(s); ok {
		return fmt.Errorf("holds the invisible control character U+%04X", r)
	}
	return nil
}

func opFromJSON(o OpJSON) (Op, error) {
	if IsOrg(o.Action) {
		return orgOpFromJSON(o)
	}
	if o.InviteID != "" || o.RoleID != "" || o.FromRoleID != "" || o.Expired {
		return Op{}, fmt.Errorf("%s: organization fields (invite_id, role_id, from_role_id, expired) do not belong to a portal operation", o.Action)
	}
	op := Op{
		Action: o.Action, Email: o.Email, MemberID: o.MemberID, Role: portal.Role(o.Role), FromRole: portal.Role(o.FromRole),
		Blueprint: o.Blueprint, BlueprintID: o.BlueprintID, ETag: o.ETag,
	}
	if o.ExpiredOn != "" {
		if o.Action != Remove {
			return op, fmt.Errorf("%s: expired_on belongs to a removal only", o.Action)
		}
		d, err := desiredDate(o.ExpiredOn)
		if err != nil {
			return op, fmt.Errorf("remove %s: bad expired_on %q", o.Email, o.ExpiredOn)
		}
		op.ExpiredOn = d
	}
	switch o.Action {
	case Invite, Promote, Demote, Remove:
		// Whoever the portal holds is an address NormalizeEmail reads: the
		// client refuses any other.
		e, err := portal.NormalizeEmail(o.Email)
		if err != nil || e != o.Email || e == "" {
			return op, fmt.Errorf("%s: bad email %q", o.Action, o.Email)
		}
		if op.Role != portal.RoleAdmin && op.Role != portal.RoleUser {
			return op, fmt.Errorf("%s %s: bad role %q", o.Action, o.Email, o.Role)
		}
		if o.Action != Invite && o.MemberID == "" {
			return op, fmt.Errorf("%s %s: no member_id", o.Action, o.Email)
		}
		if (o.Action == Promote && op.Role != portal.RoleAdmin) || (o.Action == Demote && op.Role != portal.RoleUser) {
			return op, fmt.Errorf("%s %s: role %q contradicts the action", o.Action, o.Email, o.Role)
		}
		switch {
		case o.Action == Promote && op.FromRole != portal.RoleUser, o.Action == Demote && op.FromRole != portal.RoleAdmin:
			return op, fmt.Errorf("%s %s: from_role %q contradicts the action", o.Action, o.Email, o.FromRole)
		case (o.Action == Invite || o.Action == Remove) && o.FromRole != "":
			return op, fmt.Errorf("%s %s: from_role does not belong to a %s", o.Action, o.Email, o.Action)
		case o.Action == Invite && o.MemberID != "":
			return op, fmt.Errorf("invite %s: member_id does not belong to an invitation", o.Email)
		case o.Blueprint != "" || o.BlueprintID != "" || o.ETag != "" || len(o.Rules)+len(o.Added)+len(o.Removed) > 0:
			return op, fmt.Errorf("%s %s: blueprint fields do not belong to a member operation", o.Action, o.Email)
		}
	case UpdateACL:
		if o.Blueprint == "" || o.BlueprintID == "" {
			return op, errors.New("update_acl: blueprint and blueprint_id are required")
		}
		if o.Email != "" || o.MemberID != "" || o.Role != "" || o.FromRole != "" {
			return op, fmt.Errorf("update_acl %s: member fields do not belong to an ACL update", o.Blueprint)
		}
		for _, list := range []struct {
			in  []RuleJSON
			out *[]portal.Rule
		}{{o.Rules, &op.Rules}, {o.Added, &op.Added}, {o.Removed, &op.Removed}} {
			for _, r := range list.in {
				rule, err := ruleFromJSON(r)
				if err != nil {
					return op, fmt.Errorf("update_acl %s: %w", o.Blueprint, err)
				}
				*list.out = append(*list.out, rule)
			}
		}
	default:
		return op, fmt.Errorf("unknown action %q", o.Action)
	}
	return op, nil
}

func ruleFromJSON(r RuleJSON) (portal.Rule, error) {
	var v string
	var err error
	switch r.Type {
	case portal.RuleDomain:
		v, err = portal.NormalizeDomain(r.Value)
	case portal.RuleEmail:
		v, err = portal.NormalizeEmail(r.Value)
	default:
		return portal.Rule{}, fmt.Errorf("unknown rule type %q", r.Type)
	}
	if err != nil || v != r.Value {
		return portal.Rule{}, fmt.Errorf("bad %s rule %q", r.Type, r.Value)
	}
	if r.Group != "" && strings.TrimSpace(r.Group) != r.Group {
		return portal.Rule{}, fmt.Errorf("bad group name %q", r.Group)
	}
	return portal.Rule{Kind: r.Type, Value: v, Group: r.Group}, nil
}

// orgOpFromJSON checks an organization operation read from a plan file: the fields
// its action needs are there, and no other.
func orgOpFromJSON(o OpJSON) (Op, error) {
	op := Op{
		Action: o.Action, Email: o.Email, MemberID: o.MemberID, InviteID: o.InviteID,
		OrgRole: o.Role, OrgRoleID: o.RoleID, FromOrgRole: o.FromRole, FromOrgRoleID: o.FromRoleID, Expired: o.Expired,
	}
	if o.ExpiredOn != "" {
		d, err := desiredDate(o.ExpiredOn)
		if err != nil {
			return op, fmt.Errorf("%s %s: bad expired_on %q", o.Action, o.Email, o.ExpiredOn)
		}
		op.ExpiredOn = d
	}
	e, err := portal.NormalizeEmail(o.Email) // the organization's too: the client refuses any other
	if err != nil || e != o.Email || e == "" {
		return op, fmt.Errorf("%s: bad email %q", o.Action, o.Email)
	}
	if err := plainValue(o.Role + o.FromRole + o.MemberID + o.InviteID + o.RoleID + o.FromRoleID); err != nil {
		return op, fmt.Errorf("%s %s: %w", o.Action, o.Email, err)
	}
	if o.Blueprint != "" || o.BlueprintID != "" || o.ETag != "" || len(o.Rules)+len(o.Added)+len(o.Removed) > 0 {
		return op, fmt.Errorf("%s %s: blueprint fields do not belong to an organization operation", o.Action, o.Email)
	}
	// need lists the fields the action carries; every other must be empty.
	type field struct {
		name string
		set  bool
	}
	fields := []field{{"member_id", o.MemberID != ""}, {"invite_id", o.InviteID != ""}, {"role", o.Role != ""}, {"role_id", o.RoleID != ""},
		{"from_role", o.FromRole != ""}, {"from_role_id", o.FromRoleID != ""}, {"expired", o.Expired}, {"expired_on", o.ExpiredOn != ""}}
	need := map[Action][]string{
		OrgInvite:       {"role", "role_id"},
		OrgReinvite:     {"invite_id", "role", "role_id"},
		OrgChangeRole:   {"member_id", "role", "role_id"},
		OrgCancelInvite: {"invite_id"},
		OrgRemove:       {"member_id"},
	}
	allowed := map[Action][]string{
		OrgInvite:       {},
		OrgReinvite:     {"from_role", "from_role_id", "expired"},
		OrgChangeRole:   {"from_role", "from_role_id"},
		OrgCancelInvite: {"role", "role_id", "expired", "expired_on"},
		OrgRemove:       {"role", "role_id", "expired_on"},
	}
	required, ok := need[o.Action]
	if !ok {
		return op, fmt.Errorf("unknown action %q", o.Action)
	}
	for _, f := range fields {
		switch {
		case slices.Contains(required, f.name) && !f.set:
			return op, fmt.Errorf("%s %s: no %s", o.Action, o.Email, f.name)
		case f.set && !slices.Contains(required, f.name) && !slices.Contains(allowed[o.Action], f.name):
			return op, fmt.Errorf("%s %s: %s does not belong to a %s", o.Action, o.Email, f.name, o.Action)
		}
	}
	return op, nil
}
