package schema

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/lint"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/yamledit"
)

// ExpiredEntry is an entry of portal.yaml whose access has expired.
type ExpiredEntry struct {
	Email string
	// Org: an entry of organization_members, else of members.
	Org     bool
	Expires portal.Date
	// Invited is set on an entry deleted as an invitation pending too long
	// (see Stale): the day it was sent.
	Invited portal.Date
	Pos     portal.Pos // of the email
	// First and Last are the lines the entry takes in the file, its own
	// comments included: what Expire deletes.
	First, Last int
}

// Expiry is what Expire found and did.
type Expiry struct {
	// Entries are the expired entries, by file (in the layout's order), then
	// line.
	Entries []ExpiredEntry
	// Files are the files that change, without the expired entries, in the
	// layout's order: none when nothing has expired.
	Files []EditedFile
	// Warnings counts the lint warnings of the configuration once edited (an
	// email rule that now names nobody, say).
	Warnings int
}

// EditedFile is a file of the configuration, as read and as edited.
type EditedFile struct {
	Name          string
	Before, After []byte
}

// ErrNoDay says the loader has no day to judge expiry on (see Today).
var ErrNoDay = errors.New("no day to judge expiry on: the loader needs Today")

// Expire finds the entries of a valid configuration (the root file data, named
// root, and what it includes, read through files as Load reads them) whose
// access has expired on the loader's day (see Today) and deletes them from the
// file that holds each. It edits the bytes, not the YAML
// (yamledit.Editor.DeleteItems): each entry's own lines (the list item, the
// comments on its lines and those directly above it at its indentation) are
// cut out, with a blank line that separated it from the next entry when one
// also separates it from the one before; every other byte stays as it was,
// comments, blank lines, flow and block styles, anchors, quoting and line
// endings (LF or CRLF) included. In a flow list ([{...}, {...}]), the item and
// one comma go. A members list left empty becomes `members: []`.
//
// The edited configuration is loaded again and must be valid and hold the same
// configuration less the expired entries; otherwise nothing is returned but the
// error. A configuration that does not validate is returned as its
// diagnostics, unchanged. An entry Expire cannot cut out safely is an error
// that names it: an anchor other parts of the file use, a list written as an
// alias, an organization_members list it would empty (the owner must stay
// listed).
func (l *Loader) Expire(ctx context.Context, root string, data []byte, files Files) (*Expiry, diag.List, error) {
	return l.ExpireAndDelete(ctx, root, data, files, nil)
}

// Stale is an invitation pending too long (the policy's max_pending_days), as
// the live portal or organization reports it: its entry is deleted from the
// file that holds it.
type Stale struct {
	Email   string // normalised
	Org     bool   // an organization invitation, else a portal member
	Invited portal.Date
}

// ExpireAndDelete is Expire that also deletes the entries of the stale
// invitations (expire --live --write), each from the file that holds it, with
// the same edit and the same check; a stale invitation the files do not list
// has no entry to delete.
func (l *Loader) ExpireAndDelete(ctx context.Context, root string, data []byte, files Files, stale []Stale) (*Expiry, diag.List, error) {
	if l.today.IsZero() {
		return nil, nil, ErrNoDay
	}
	cfg, ds, docs := l.load(ctx, root, data, files)
	if ds.HasErrors() || cfg == nil {
		return nil, ds, nil
	}
	ex := &Expiry{}
	// expired[org][file][email]: why each entry goes.
	expired := map[bool]map[string]map[string]why{false: {}, true: {}}
	gone := map[bool]map[string]bool{false: {}, true: {}}
	mark := func(org bool, pos portal.Pos, email string, w why) {
		if expired[org][pos.File] == nil {
			expired[org][pos.File] = map[string]why{}
		}
		expired[org][pos.File][email] = w
		gone[org][email] = true
	}
	staleDay := map[bool]map[string]portal.Date{false: {}, true: {}}
	for _, s := range stale {
		staleDay[s.Org][s.Email] = s.Invited
	}
	for _, m := range cfg.Members {
		invited, ok := staleDay[false][m.Email]
		if m.Expired(l.today) || ok {
			mark(false, m.Pos, m.Email, why{m.Expires, invited})
		}
	}
	if cfg.Org != nil {
		for _, m := range cfg.Org.Members {
			invited, ok := staleDay[true][m.Email]
			if m.Expired(l.today) || ok && !portal.IsOwner(m.Role) {
				mark(true, m.Pos, m.Email, why{m.Expires, invited})
			}
		}
	}
	edited := map[string][]byte{}
	for _, d := range docs {
		if len(expired[false][d.file])+len(expired[true][d.file]) == 0 {
			continue
		}
		entries, out, err := expireFile(d, expired[false][d.file], expired[true][d.file], len(docs) == 1)
		if err != nil {
			return nil, nil, err
		}
		ex.Entries = append(ex.Entries, entries...)
		ex.Files = append(ex.Files, EditedFile{Name: d.file, Before: d.data, After: out})
		edited[d.file] = out
	}
	if len(ex.Files) == 0 {
		return ex, nil, nil
	}
	rootData := data
	if e, ok := edited[root]; ok {
		rootData = e
	}
	if err := l.checkExpired(ctx, cfg, rootData, edited, files, ex, gone); err != nil {
		return nil, nil, err
	}
	return ex, nil, nil
}

// why is why an entry goes: the day its access ended, or the day it was invited
// (a stale invitation).
type why struct{ expires, invited portal.Date }

// expireFile deletes from the file d the expired entries of its members and
// organization_members lists. alone: the file is the whole configuration, so
// its organization_members may not be emptied.
func expireFile(d *parsed, members, org map[string]why, alone bool) ([]ExpiredEntry, []byte, error) {
	ed, err := yamledit.New(d.data, d.root)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w; delete the expired entries by hand", d.file, err)
	}
	var out []ExpiredEntry
	for _, p := range pairs(deref(d.root)) {
		isOrg := false
		switch keyString(p.k) {
		case "members":
		case "organization_members":
			isOrg = true
		default:
			continue
		}
		expired := members
		if isOrg {
			expired = org
		}
		if len(expired) == 0 {
			continue
		}
		entries, err := expireList(ed, d.file, p.k, p.v, isOrg, alone, expired)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, entries...)
	}
	slices.SortFunc(out, func(a, b ExpiredEntry) int { return a.Pos.Line - b.Pos.Line })
	return out, ed.Bytes(), nil
}

// checkExpired loads the configuration again, its files edited, and requires it
// valid and equal to cfg less the expired entries.
func (l *Loader) checkExpired(ctx context.Context, cfg *portal.Config, rootData []byte, edited map[string][]byte, files Files, ex *Expiry, gone map[bool]map[string]bool) error {
	names := slices.Sorted(maps.Keys(edited))
	after, ds := l.Load(ctx, cfg.Layout.Root, rootData, overlay{files, edited})
	if ds.HasErrors() || after == nil {
		msg, todo := "the result does not parse", "delete them by hand"
		for _, d := range ds {
			if d.Severity == diag.Error {
				msg = fmt.Sprintf("the result would be invalid at %s: %s", d.Pos, d.Message)
				if lint.IsPolicyViolation(d) {
					// Deleting them by hand breaks the policy just the same.
					todo = "the policy forbids deleting them: its owners change the policy first, or the entries stay"
				}
				break
			}
		}
		return fmt.Errorf("%s: cannot delete the expired entries safely (%s); the files are left as they are: %s", strings.Join(names, ", "), msg, todo)
	}
	_, ex.Warnings = ds.Counts()
	want := *cfg
	want.Members = slices.DeleteFunc(slices.Clone(cfg.Members), func(m portal.Member) bool { return gone[false][m.Email] })
	if cfg.Org != nil {
		org := *cfg.Org
		org.Members = slices.DeleteFunc(slices.Clone(cfg.Org.Members), func(m portal.OrgMember) bool { return gone[true][m.Email] })
		want.Org = &org
	}
	if why := SameConfig(&want, after); why != "" {
		return fmt.Errorf("%s: cannot delete the expired entries safely (%s); the files are left as they are: delete them by hand", strings.Join(names, ", "), why)
	}
	return nil
}

// overlay reads the files of edited from it, and the others from files.
type overlay struct {
	files  Files
	edited map[string][]byte
}

func (o overlay) ReadFile(ctx context.Context, name string) ([]byte, error) {
	if data, ok := o.edited[name]; ok {
		return data, nil
	}
	return o.files.ReadFile(ctx, name)
}

func (o overlay) Glob(ctx context.Context, pattern string) ([]string, error) {
	return o.files.Glob(ctx, pattern)
}

// SameConfig says how two configurations differ, positions aside, or "" when
// they are the same: members (email, role, expiry), groups, blueprints (their
// rules, owners and last review), the organization's members and the policy.
func SameConfig(a, b *portal.Config) string {
	switch {
	case a.Version != b.Version:
		return "the version differs"
	case a.Organization != b.Organization:
		return "the organization differs"
	case !slices.EqualFunc(a.Members, b.Members, func(x, y portal.Member) bool {
		return x.Email == y.Email && x.Role == y.Role && x.Expires == y.Expires
	}):
		return "the members differ"
	case !maps.EqualFunc(a.Groups, b.Groups, slices.Equal):
		return "the groups differ"
	case !slices.EqualFunc(a.Blueprints, b.Blueprints, func(x, y portal.Blueprint) bool {
		return x.Name == y.Name && x.Open == y.Open && slices.EqualFunc(x.Rules, y.Rules, func(r, s portal.Rule) bool {
			return r.Kind == s.Kind && r.Value == s.Value && r.Group == s.Group
		}) && slices.Equal(x.Owners, y.Owners) && x.Reviewed == y.Reviewed
	}):
		return "the blueprints differ"
	case (a.Org == nil) != (b.Org == nil):
		return "organization_members is there in one and not the other"
	case a.Org != nil && !slices.EqualFunc(a.Org.Members, b.Org.Members, func(x, y portal.OrgMember) bool {
		return x.Email == y.Email && x.Role == y.Role && x.Expires == y.Expires
	}):
		return "the organization's members differ"
	case (a.Policy == nil) != (b.Policy == nil):
		return "the policy is there in one and not the other"
	case a.Policy != nil && !samePolicy(a.Policy, b.Policy):
		return "the policy differs"
	}
	return ""
}

func samePolicy(a, b *portal.Policy) bool {
	for _, r := range portal.PolicyRules() {
		if a.Has(r) != b.Has(r) {
			return false
		}
	}
	return slices.Equal(a.AllowedDomains, b.AllowedDomains) && a.MaxOpenBlueprints == b.MaxOpenBlueprints &&
		slices.Equal(a.RequireExpiryOutside, b.RequireExpiryOutside) && a.MaxExpiryDays == b.MaxExpiryDays &&
		a.ReviewEveryDays == b.ReviewEveryDays && a.MaxPendingDays == b.MaxPendingDays && slices.Equal(a.RequiredAdmins, b.RequiredAdmins)
}

// expireList finds the expired entries of one list (members or
// organization_members, written at key) and plans their deletion with ed.
func expireList(ed *yamledit.Editor, file string, key, value *yaml.Node, org, alone bool, expired map[string]why) ([]ExpiredEntry, error) {
	what := "members"
	if org {
		what = "organization_members"
	}
	if value.Kind == yaml.AliasNode {
		return nil, fmt.Errorf("%s:%d:%d: %s is the alias *%s: expire does not edit a list written elsewhere; delete the expired entries by hand", file, value.Line, value.Column, what, value.Value)
	}
	seq := deref(value)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil, nil
	}
	var entries []ExpiredEntry
	del := make([]bool, len(seq.Content))
	for i, item := range seq.Content {
		var email *yaml.Node
		for _, p := range pairs(item) {
			if keyString(p.k) == "email" {
				email = deref(p.v)
			}
		}
		if email == nil || email.Kind != yaml.ScalarNode {
			continue
		}
		addr, _ := portal.NormalizeEmail(email.Value)
		d, ok := expired[addr]
		if !ok {
			continue
		}
		if alias := ed.AliasOutside(item); alias != nil {
			return nil, fmt.Errorf("%s:%d:%d: the expired entry of %s defines the anchor &%s, which line %d uses (*%s): delete or rewrite that use first, then run expire again",
				file, email.Line, email.Column, addr, alias.Alias.Anchor, alias.Line, alias.Value)
		}
		del[i] = true
		entries = append(entries, ExpiredEntry{Email: addr, Org: org, Expires: d.expires, Invited: d.invited, Pos: nodePos(file, email)})
	}
	if len(entries) == 0 {
		return nil, nil
	}
	if !slices.Contains(del, false) {
		if org && alone {
			return nil, fmt.Errorf("%s:%d:%d: every entry of organization_members has expired, and the section cannot be empty: an empty list would remove the organization's owner, who must be listed with `role: Owner` and never expires; list the owner, or delete the section to leave the organization's members alone",
				file, key.Line, key.Column)
		}
		if seq.Anchor != "" || seq.Style&yaml.TaggedStyle != 0 {
			return nil, fmt.Errorf("%s:%d:%d: every member has expired and members carries an anchor or a tag: write `members: []` by hand", file, key.Line, key.Column)
		}
	}
	spans, err := ed.DeleteItems(key, seq, del)
	if err != nil {
		return nil, fmt.Errorf("%s:%w; delete the expired entries by hand", file, err)
	}
	for i := range entries {
		entries[i].First, entries[i].Last = spans[i].First, spans[i].Last
	}
	return entries, nil
}

// After is what file name holds once edited: before, as read, when Expire does
// not change it.
func (ex *Expiry) After(name string, before []byte) []byte {
	for _, f := range ex.Files {
		if f.Name == name {
			return f.After
		}
	}
	return before
}
