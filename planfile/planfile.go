// Package planfile writes and reads the plan file of `plan --out` and `apply
// --plan`: the desired state the plan was made from, as portal.yaml text, the
// fingerprint of the live state it was made against, its operations, their digest
// and an optional signature. Reading one checks the file and loads its desired
// state with the one loader; apply then derives the operations again from that
// state and the live portal (reconcile.Recheck), binds them and checks the rails,
// as it does for a plan made from the file.
package planfile

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

// FormatVersion is the version of the plan file format. It changes when a field
// changes meaning or disappears. Version 3 holds the desired state as portal.yaml
// text, and no longer the summary, the access impact and the unmanaged blueprints
// (the report shows them: plan -o json); apply refuses versions 1 and 2.
const FormatVersion = 3

// MaxBytes bounds a plan file: plan --out refuses to write a larger one, and
// apply --plan to read one.
const MaxBytes = 1 << 30

// Prefixes of the digest and the signature.
const (
	digestPrefix    = "sha256:"
	signaturePrefix = "hmac-sha256:"
)

// Errors that callers branch on.
var (
	// ErrModified: the plan's digest does not match its content.
	ErrModified = errors.New("modified after plan: run plan again")
	// ErrTooLarge: the plan is over MaxBytes.
	ErrTooLarge = fmt.Errorf("the plan is over %d MiB, the most apply --plan reads", MaxBytes>>20)
)

// File is a plan file, its fields in the order they are written: the short ones
// first, the desired state, the longest, last. It never holds the token nor the
// signing key.
type File struct {
	FormatVersion int       `json:"format_version"`
	CreatedAt     time.Time `json:"created_at"` // for people: not under the digest
	Organization  string    `json:"organization"`
	// Fingerprint identifies the live state the plan was made against
	// (reconcile.Fingerprint).
	Fingerprint string `json:"fingerprint"`
	// Digest is "sha256:" and the hex SHA-256 of the compact JSON (encoding/json,
	// HTML characters not escaped) of {"format_version", "organization",
	// "fingerprint", "desired", "operations"}, with the file's values: everything
	// apply acts on.
	Digest string `json:"digest"`
	// Signature is "hmac-sha256:" and the hex HMAC-SHA-256 of Digest under the
	// key in PORTALCTL_PLAN_KEY, when it was set at plan time.
	Signature string `json:"signature,omitempty"`
	// Operations are the requests the plan sends, in apply order, as `plan -o
	// json` shows them.
	Operations []reconcile.OpJSON `json:"operations"`
	// Desired is the state the plan was made from: portal.yaml as schema.Marshal
	// writes it, which the loader reads back as the same model.
	Desired string `json:"desired"`

	name string // the file read, for messages
}

// New is the plan file of p, made at now, not sealed yet (see Seal). Only a plan
// made against the live portal (it has a fingerprint) from a file (it has a
// desired state) can be saved.
func New(p *reconcile.Plan, now time.Time) (*File, error) {
	if p.Fingerprint == "" || p.Desired == nil {
		return nil, errors.New("only a plan made against the live portal from a file can be saved")
	}
	// The plan's organization, which flags and the environment may give rather
	// than the file, in the desired state too: it reads as a whole portal.yaml.
	d := *p.Desired
	d.Organization = p.Organization
	desired, err := schema.Marshal(&d, "")
	if err != nil {
		return nil, fmt.Errorf("save the desired state: %w", err)
	}
	f := &File{
		FormatVersion: FormatVersion,
		CreatedAt:     now.UTC().Truncate(time.Second),
		Organization:  p.Organization,
		Fingerprint:   p.Fingerprint,
		Operations:    make([]reconcile.OpJSON, len(p.Ops)),
		Desired:       string(desired),
	}
	for i, o := range p.Ops {
		f.Operations[i] = o.JSON()
	}
	return f, nil
}

// Marshal is the plan file of p, made at now and sealed with key (unsigned when
// key is empty), as Encode writes it.
func Marshal(p *reconcile.Plan, now time.Time, key []byte) ([]byte, error) {
	f, err := New(p, now)
	if err != nil {
		return nil, err
	}
	f.Seal(key)
	return f.Encode()
}

// Seal sets f's digest over its content and, with a key, its signature.
func (f *File) Seal(key []byte) {
	f.Digest = f.digest()
	f.Signature = ""
	if len(key) > 0 {
		f.Signature = sign(f.Digest, key)
	}
}

func (f *File) digest() string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		FormatVersion int                `json:"format_version"`
		Organization  string             `json:"organization"`
		Fingerprint   string             `json:"fingerprint"`
		Desired       string             `json:"desired"`
		Operations    []reconcile.OpJSON `json:"operations"`
	}{f.FormatVersion, f.Organization, f.Fingerprint, f.Desired, f.Operations})
	if err != nil {
		panic(err) // strings, ints, bools and slices of them always encode
	}
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return digestPrefix + hex.EncodeToString(sum[:])
}

func sign(digest string, key []byte) string {
	m := hmac.New(sha256.New, key)
	io.WriteString(m, digest)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// Encode writes f as an indented JSON document. Bidirectional and invisible
// controls (portal.HiddenControl), which the operations may carry from the live
// portal, are written as \uXXXX escapes: the document means the same and shows
// none raw. A document over MaxBytes is refused (ErrTooLarge).
func (f *File) Encode() ([]byte, error) { return f.encodeMax(MaxBytes) }

func (f *File) encodeMax(max int) ([]byte, error) {
	out, err := f.encode("  ")
	if err != nil {
		return nil, err
	}
	if len(out) > max {
		return nil, ErrTooLarge
	}
	return out, nil
}

// encode is f as JSON, indented by indent (none: compact, without the final
// newline), hidden controls escaped.
func (f *File) encode(indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	if indent == "" {
		out = bytes.TrimSuffix(out, []byte("\n"))
	}
	return portal.EscapeHiddenJSON(out), nil
}

// Read reads the plan file name from r, at most MaxBytes, and checks it: its
// format version, that it holds exactly the fields of this version written as
// Encode writes them, its fingerprint and digest, that its digest matches its
// content ("modified after plan"), and its signature: with a key it refuses a plan
// without a valid signature; without one, a signed plan, which it cannot verify.
// Plan then loads what it holds.
func Read(r io.Reader, name string, key []byte) (*File, error) {
	return readMax(r, name, key, MaxBytes)
}

func readMax(r io.Reader, name string, key []byte, max int64) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", name, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("plan %s: %w: run plan again and apply it from the file with -f", name, ErrTooLarge)
	}
	f, err := parse(data, key)
	if err != nil {
		var v versionError
		if errors.As(err, &v) {
			return nil, fmt.Errorf("plan %s was made by %w", name, err)
		}
		return nil, fmt.Errorf("plan %s: %w", name, err)
	}
	f.name = name
	return f, nil
}

// versionError is a plan of another format version.
type versionError int

func (v versionError) Error() string {
	if v < FormatVersion {
		return fmt.Sprintf("an older portalctl (format %d): run plan again", int(v))
	}
	return fmt.Sprintf("a newer portalctl (format %d; this one reads format %d): apply it with that version, or run plan again with this one", int(v), FormatVersion)
}

func notPlan(err error) error { return fmt.Errorf("not a portalctl plan file: %w", err) }

func parse(data []byte, key []byte) (*File, error) {
	// The version first, read from any plan of any version: an older plan has
	// other fields.
	var head struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, notPlan(err)
	}
	switch {
	case head.FormatVersion == nil:
		return nil, notPlan(errors.New("no format_version"))
	case *head.FormatVersion != FormatVersion:
		return nil, versionError(*head.FormatVersion)
	}
	f := &File{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, notPlan(err)
	}
	// encoding/json keeps the last of a key given twice and matches keys
	// regardless of case; another reader may keep the first. The file must be
	// what Encode writes of what was read, whitespace aside: then every reader
	// reads the same plan.
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return nil, notPlan(err)
	}
	if want, err := f.encode(""); err != nil || !bytes.Equal(compact.Bytes(), want) {
		return nil, notPlan(errors.New("it is not written as portalctl writes it (a key given twice or in another case, or out of order, a value written otherwise, or something after the plan): run plan again"))
	}
	switch {
	case f.Organization == "":
		return nil, notPlan(errors.New("no organization"))
	case f.Fingerprint == "":
		return nil, errors.New("the plan has no fingerprint of the live state: run plan --out again")
	case f.Digest == "":
		return nil, errors.New("the plan has no digest: run plan --out again")
	}
	if f.digest() != f.Digest {
		return nil, fmt.Errorf("%w: the plan's digest does not match its content", ErrModified)
	}
	switch sig := f.Signature; {
	case len(key) == 0 && sig != "":
		return nil, fmt.Errorf("%w: the plan is signed, and PORTALCTL_PLAN_KEY is not set to verify it: set it to the key the plan was made with", reconcile.ErrRefused)
	case len(key) == 0:
	case sig == "":
		return nil, fmt.Errorf("%w: PORTALCTL_PLAN_KEY is set and the plan is not signed: run plan --out again with the same key set", reconcile.ErrRefused)
	case !hmac.Equal([]byte(sig), []byte(sign(f.Digest, key))):
		return nil, fmt.Errorf("%w: the plan's signature does not match PORTALCTL_PLAN_KEY: it was signed with another key, or modified after plan; run plan again", reconcile.ErrRefused)
	}
	return f, nil
}

// maxShown is how many of the desired state's errors a refusal names.
const maxShown = 3

// Plan is the saved plan f holds, for reconcile.Recheck: its desired state loaded
// by l (which judges dates on apply's day), whose errors refuse the plan, and its
// operations. What apply acts on is derived again from that state; the
// operations read here must only equal it.
func (f *File) Plan(l *schema.Loader) (*reconcile.Plan, error) {
	cfg, ds := l.Parse(f.name+" (desired state)", []byte(f.Desired))
	if ds.HasErrors() {
		var shown []string
		errs, _ := ds.Counts()
		for _, d := range ds {
			if d.Severity == diag.Error && len(shown) < maxShown {
				shown = append(shown, fmt.Sprintf("%s: %s", d.Pos, d.Message))
			}
		}
		more := ""
		if errs > len(shown) {
			more = fmt.Sprintf(" (and %d more)", errs-len(shown))
		}
		return nil, fmt.Errorf("%w: the plan's desired state does not load: %s%s; run plan again", reconcile.ErrRefused, strings.Join(shown, "; "), more)
	}
	if !strings.EqualFold(cfg.Organization, f.Organization) {
		return nil, fmt.Errorf("%w: plan %s is for organization %s and its desired state for %q: run plan again", reconcile.ErrRefused, f.name, f.Organization, cfg.Organization)
	}
	cfg.Organization = f.Organization
	p := &reconcile.Plan{Organization: f.Organization, Fingerprint: f.Fingerprint, Digest: f.Digest, Desired: cfg, Ops: make([]reconcile.Op, len(f.Operations))}
	for i, o := range f.Operations {
		op, err := opFromJSON(o)
		if err != nil {
			return nil, fmt.Errorf("%w: plan %s: operation %d: %v: run plan again", reconcile.ErrRefused, f.name, i+1, err)
		}
		p.Ops[i] = op
	}
	return p, nil
}

// opFromJSON is the operation o shows, which Op.JSON writes back as o: any other
// (a field its action does not carry, a date that is not one) is not an operation
// portalctl writes.
func opFromJSON(o reconcile.OpJSON) (reconcile.Op, error) {
	op := reconcile.Op{
		Action: o.Action, Email: o.Email, MemberID: o.MemberID,
		Blueprint: o.Blueprint, BlueprintID: o.BlueprintID, ETag: o.ETag,
		Rules: rules(o.Rules), Added: rules(o.Added), Removed: rules(o.Removed),
	}
	if reconcile.IsOrg(o.Action) {
		op.InviteID, op.OrgRole, op.OrgRoleID, op.FromOrgRole, op.FromOrgRoleID, op.Expired = o.InviteID, o.Role, o.RoleID, o.FromRole, o.FromRoleID, o.Expired
	} else {
		op.Role, op.FromRole = portal.Role(o.Role), portal.Role(o.FromRole)
	}
	if o.ExpiredOn != "" {
		d, err := portal.ParseDate(o.ExpiredOn)
		if err != nil {
			return op, fmt.Errorf("expired_on %q is not a date", o.ExpiredOn)
		}
		op.ExpiredOn = d
	}
	want, _ := json.Marshal(o)
	if back, _ := json.Marshal(op.JSON()); !bytes.Equal(back, want) {
		return op, fmt.Errorf("%q is not an operation portalctl writes", want)
	}
	return op, nil
}

func rules(rs []reconcile.RuleJSON) []portal.Rule {
	if len(rs) == 0 {
		return nil
	}
	out := make([]portal.Rule, len(rs))
	for i, r := range rs {
		out[i] = portal.Rule{Kind: r.Type, Value: r.Value, Group: r.Group}
	}
	return out
}
