// Package drift computes what `portalctl sync` writes: from the files of a
// configuration (their model and their bytes) and the live portal, the edits of
// each file that make the files say what the portal holds, and the changes in
// words. It reads and writes nothing: the command reads the files and the
// portal, checks the result (loaded again, it must plan no change) and writes
// the files (see docs/commands.md#sync).
//
// Every edit is made with package yamledit, in place: comments, blank lines,
// quoting, flow and block styles and line endings stay as they were. What
// cannot be edited safely (an entry written as an alias, a rule that comes
// from a group part of which the portal still grants) is refused, naming the
// file and line, and nothing is returned but the error.
package drift

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/yamledit"
)

// Op is what a change does to a file.
type Op string

// The changes: an entry added, deleted, or edited.
const (
	Add    Op = "+"
	Delete Op = "-"
	Edit   Op = "~"
)

// Change is one change to a file, in words.
type Change struct {
	File string
	Line int // where: the entry, or the list or section it goes into
	Op   Op
	Text string // "member x@y.com (admin)", "role of x@y.com: user → admin"
	// Removals is how many entries the change takes away from the files
	// (members, organization members, rules): what --max-removals counts.
	Removals int
	// Admin: a portal admin deleted or demoted.
	Admin string
}

// String renders the change as "file:line: + member x@y.com (admin)".
func (c Change) String() string {
	return fmt.Sprintf("%s:%d: %s %s", c.File, c.Line, c.Op, c.Text)
}

// EditedFile is a file as read and as edited.
type EditedFile struct {
	Name          string
	Before, After []byte
}

// Result is what Sync found and would write.
type Result struct {
	// Changes are by file, in the layout's order, then by line.
	Changes []Change
	// Files are the files that change, in the layout's order.
	Files []EditedFile
	// Unclaimed are the live blueprints the files do not name and no
	// include's blueprints: claims: they are left out, and the plan leaves
	// them alone.
	Unclaimed []string
	// Notes are what sync leaves as it is, in words: entries whose expiry
	// has passed, which the plan removes; expired invitations.
	Notes []string
}

// Removals counts the entries the changes take away.
func (r *Result) Removals() int {
	n := 0
	for _, c := range r.Changes {
		n += c.Removals
	}
	return n
}

// Admins lists the portal admins the changes delete or demote.
func (r *Result) Admins() []string {
	var out []string
	for _, c := range r.Changes {
		if c.Admin != "" {
			out = append(out, c.Admin)
		}
	}
	return out
}

// After is what file name holds once edited: before when it does not change.
func (r *Result) After(name string, before []byte) []byte {
	for _, f := range r.Files {
		if f.Name == name {
			return f.After
		}
	}
	return before
}

// Options tune Sync.
type Options struct {
	// Today is the day expiry is judged on, as the plan judges it.
	Today portal.Date
}

// Sync computes the edits that bring the live portal into the files. cfg is
// the configuration as loaded (valid, with its Layout), data the bytes of each
// of its files by name, live the portal as read (with the organization's
// members when cfg has organization_members).
//
// What is compared: members (email and role; a pending invitation is a
// member), each blueprint's rules, and the organization's members when the
// files have that section. A live entry the files lack goes where the layout
// takes it: a member or organization member into the file that may hold
// members and already holds most of its email domain (else the first file of
// the first include with `members: true`, else the root); a rule into the file of its
// blueprint; a blueprint into the first fragment whose include claims its name
// (none: it is left out, and listed in Unclaimed). An entry the portal lacks
// is deleted from the file that holds it. Entries whose expiry has passed are
// left as they are: the plan removes them.
func Sync(cfg *portal.Config, data map[string][]byte, live *portal.Config, opts Options) (*Result, error) {
	if cfg.Layout == nil || len(cfg.Layout.Files) == 0 {
		return nil, errors.New("the configuration was not loaded from files")
	}
	s := &syncer{cfg: cfg, live: live, today: opts.Today, docs: map[string]*doc{}, res: &Result{}}
	for _, f := range cfg.Layout.Files {
		b, ok := data[f.Name]
		if !ok {
			return nil, fmt.Errorf("%s: its bytes were not read", f.Name)
		}
		d, err := parseDoc(f.Name, b)
		if err != nil {
			return nil, err
		}
		s.docs[f.Name] = d
	}
	for _, step := range []func() error{s.members, s.orgMembers, s.blueprints} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	for _, f := range cfg.Layout.Files {
		d := s.docs[f.Name]
		if len(d.changes) == 0 {
			continue
		}
		out, err := d.apply()
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(d.changes, func(a, b Change) int { return cmp.Compare(a.Line, b.Line) })
		s.res.Changes = append(s.res.Changes, d.changes...)
		if !bytes.Equal(out, d.data) {
			s.res.Files = append(s.res.Files, EditedFile{Name: f.Name, Before: d.data, After: out})
		}
	}
	return s.res, nil
}

type syncer struct {
	cfg, live *portal.Config
	today     portal.Date
	docs      map[string]*doc
	res       *Result
}

// memberFile is where a member or organization member the files lack goes:
// of the files that may hold members (the root, and those of the includes
// with `members: true`), the one that already holds the most entries of the
// same email domain (its team's file, say), the first in the layout's order on
// a tie; when none holds that domain, the first file of the first include
// that may hold members, else the root. org: organization members are
// counted, else the portal's.
func (s *syncer) memberFile(email string, org bool) *doc {
	l := s.cfg.Layout
	allowed := func(file string) bool {
		for _, f := range l.Files {
			if f.Name == file {
				return f.Include < 0 || l.Includes[f.Include].Members
			}
		}
		return false
	}
	count := map[string]int{}
	domain := portal.DomainOf(email)
	if org {
		if s.cfg.Org != nil {
			for _, m := range s.cfg.Org.Members {
				if portal.DomainOf(m.Email) == domain && allowed(m.Pos.File) {
					count[m.Pos.File]++
				}
			}
		}
	} else {
		for _, m := range s.cfg.Members {
			if m.Domain() == domain && allowed(m.Pos.File) {
				count[m.Pos.File]++
			}
		}
	}
	best, most := "", 0
	for _, f := range l.Files {
		if n := count[f.Name]; n > most {
			best, most = f.Name, n
		}
	}
	if best != "" {
		return s.docs[best]
	}
	for i, inc := range l.Includes {
		if !inc.Members {
			continue
		}
		for _, f := range l.Files {
			if f.Include == i {
				return s.docs[f.Name]
			}
		}
	}
	return s.docs[l.Root]
}

// blueprintFile is the first fragment whose include claims the blueprint name,
// or nil.
func (s *syncer) blueprintFile(name string) *doc {
	l := s.cfg.Layout
	for _, f := range l.Files {
		if f.Include < 0 {
			continue
		}
		for _, g := range l.Includes[f.Include].Blueprints {
			if ok, _ := path.Match(g, name); ok {
				return s.docs[f.Name]
			}
		}
	}
	return nil
}

func (s *syncer) doc(p portal.Pos) (*doc, error) {
	d := s.docs[p.File]
	if d == nil {
		return nil, fmt.Errorf("%s: an entry of a file the layout does not list", p)
	}
	return d, nil
}

func memberText(email string, role portal.Role) string {
	t := "email: " + yamledit.Scalar(email)
	if role == portal.RoleAdmin {
		t += "\nrole: admin"
	}
	return t
}

func (s *syncer) members() error {
	file := map[string]portal.Member{}
	expired := map[string]portal.Member{}
	for _, m := range s.cfg.Members {
		if m.Expired(s.today) {
			expired[m.Email] = m
			continue
		}
		file[m.Email] = m
	}
	live := map[string]portal.Member{}
	for _, m := range s.live.Members {
		live[m.Email] = m
	}
	for _, m := range sortedBy(s.live.Members, func(m portal.Member) string { return m.Email }) {
		f, ok := file[m.Email]
		switch {
		case ok && f.Role != m.Role:
			d, err := s.doc(f.Pos)
			if err != nil {
				return err
			}
			if err := d.setRole(f, m.Role); err != nil {
				return err
			}
		case ok:
		case expired[m.Email].Email != "":
			e := expired[m.Email]
			s.res.Notes = append(s.res.Notes, fmt.Sprintf("%s: member %s expired on %s: left as it is, the plan removes them", e.Pos, e.Email, e.Expires))
		default:
			d := s.memberFile(m.Email, false)
			if err := d.insertItem("members", memberText(m.Email, m.Role)); err != nil {
				return err
			}
			d.change(d.sectionLine("members"), Add, fmt.Sprintf("member %s (%s)", m.Email, m.Role), 0, "")
		}
	}
	for _, f := range sortedBy(s.cfg.Members, func(m portal.Member) string { return m.Email }) {
		if _, ok := live[f.Email]; ok || f.Expired(s.today) {
			continue
		}
		d, err := s.doc(f.Pos)
		if err != nil {
			return err
		}
		line, err := d.deleteItem("members", f.Email)
		if err != nil {
			return err
		}
		admin := ""
		if f.Role == portal.RoleAdmin {
			admin = f.Email
		}
		d.change(line, Delete, fmt.Sprintf("member %s (%s)", f.Email, f.Role), 1, admin)
	}
	return nil
}

func (s *syncer) orgMembers() error {
	if s.cfg.Org == nil {
		return nil
	}
	if s.live.Org == nil {
		return errors.New("the organization's members were not read")
	}
	lo := s.live.Org
	live := map[string]portal.OrgMember{}
	for _, m := range lo.Members {
		if prev, ok := live[m.Email]; ok {
			return fmt.Errorf("%s is a member of the organization and has an invitation too (ids %q, %q): the files list a person once: cancel the invitation in the Qovery console, then sync again", m.Email, prev.ID, m.ID)
		}
		if m.Role == "" || strings.TrimSpace(m.Role) != m.Role {
			return fmt.Errorf("organization member %s holds the role %q, which the files cannot name: give them a role the organization lists, with no blanks at its ends, in the Qovery console", m.Email, m.Role)
		}
		live[m.Email] = m
	}
	file := map[string]portal.OrgMember{}
	expired := map[string]portal.OrgMember{}
	for _, m := range s.cfg.Org.Members {
		if m.Expired(s.today) {
			expired[m.Email] = m
			continue
		}
		file[m.Email] = m
	}
	for _, m := range sortedBy(lo.Members, func(m portal.OrgMember) string { return m.Email }) {
		f, ok := file[m.Email]
		switch {
		case m.Status == portal.StatusExpired:
			s.res.Notes = append(s.res.Notes, fmt.Sprintf("the organization invitation of %s has expired: left as the files have it (listed, the plan sends it again; not listed, it cancels it)", m.Email))
		case ok:
			r, found, _ := lo.Role(f.Role)
			if found && strings.EqualFold(r.ID, m.RoleID) {
				continue
			}
			d, err := s.doc(f.Pos)
			if err != nil {
				return err
			}
			if err := d.setOrgRole(f, m.Role); err != nil {
				return err
			}
		case expired[m.Email].Email != "":
			e := expired[m.Email]
			s.res.Notes = append(s.res.Notes, fmt.Sprintf("%s: organization member %s expired on %s: left as it is, the plan removes them", e.Pos, e.Email, e.Expires))
		default:
			d := s.memberFile(m.Email, true)
			text := "email: " + yamledit.Scalar(m.Email) + "\nrole: " + yamledit.Scalar(m.Role)
			if err := d.insertItem("organization_members", text); err != nil {
				return err
			}
			d.change(d.sectionLine("organization_members"), Add, fmt.Sprintf("organization member %s (%s)", m.Email, m.Role), 0, "")
		}
	}
	for _, f := range sortedBy(s.cfg.Org.Members, func(m portal.OrgMember) string { return m.Email }) {
		if _, ok := live[f.Email]; ok || f.Expired(s.today) {
			continue
		}
		d, err := s.doc(f.Pos)
		if err != nil {
			return err
		}
		line, err := d.deleteItem("organization_members", f.Email)
		if err != nil {
			return err
		}
		d.change(line, Delete, fmt.Sprintf("organization member %s (%s)", f.Email, f.Role), 1, "")
	}
	return nil
}

func (s *syncer) blueprints() error {
	live := map[string]portal.Blueprint{}
	for _, b := range s.live.Blueprints {
		live[b.Name] = b
	}
	for _, b := range sortedBy(s.live.Blueprints, func(b portal.Blueprint) string { return b.Name }) {
		f, ok := s.cfg.Blueprint(b.Name)
		if ok {
			d, err := s.doc(f.Pos)
			if err != nil {
				return err
			}
			if err := s.syncRules(d, f, b); err != nil {
				return err
			}
			continue
		}
		d := s.blueprintFile(b.Name)
		if d == nil {
			s.res.Unclaimed = append(s.res.Unclaimed, b.Name)
			continue
		}
		if err := d.insertBlueprint(b); err != nil {
			return err
		}
		what := "open"
		if !b.Open {
			what = rulesText(b.Rules)
		}
		d.change(d.sectionLine("blueprints"), Add, fmt.Sprintf("blueprint %s (%s)", b.Name, what), 0, "")
	}
	for _, f := range s.cfg.Blueprints {
		if _, ok := live[f.Name]; ok {
			continue
		}
		d, err := s.doc(f.Pos)
		if err != nil {
			return err
		}
		line, err := d.deleteBlueprint(f.Name)
		if err != nil {
			return err
		}
		d.change(line, Delete, fmt.Sprintf("blueprint %s (the portal has no such blueprint)", f.Name), len(f.Rules), "")
	}
	return nil
}

func rulesText(rules []portal.Rule) string {
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = r.String()
	}
	return strings.Join(parts, ", ")
}

// syncRules edits the blueprint f of the files, held by d, into the live b.
func (s *syncer) syncRules(d *doc, f, b portal.Blueprint) error {
	bp, err := d.blueprint(f.Name)
	if err != nil {
		return err
	}
	switch {
	case f.Open && b.Open:
		return nil
	case b.Open:
		// The portal opened it: its rules go, access: open comes.
		if err := bp.openUp(); err != nil {
			return err
		}
		d.change(bp.key.Line, Edit, fmt.Sprintf("blueprint %s: its rules (%s) → access: open", f.Name, rulesText(f.Rules)), len(f.Rules), "")
		return nil
	case f.Open:
		if err := bp.deleteKey("access"); err != nil {
			return err
		}
		d.change(bp.key.Line, Edit, fmt.Sprintf("blueprint %s: access: open → its rules", f.Name), 0, "")
	}
	have := map[portal.RuleKey]bool{}
	for _, r := range f.Rules {
		have[r.Key()] = true
	}
	want := map[portal.RuleKey]bool{}
	for _, r := range b.Rules {
		want[r.Key()] = true
	}
	// Rules the portal dropped. An email a group gives goes with the whole
	// group, only when the portal dropped every email of the group.
	droppedGroups := map[string]bool{}
	for _, r := range f.Rules {
		if want[r.Key()] {
			continue
		}
		if r.Kind == portal.RuleEmail {
			for _, g := range f.Groups {
				if !slices.Contains(s.cfg.Groups[g], r.Value) || droppedGroups[g] {
					continue
				}
				for _, e := range s.cfg.Groups[g] {
					if want[portal.RuleKey{Kind: portal.RuleEmail, Value: e}] {
						return fmt.Errorf("%s:%d: blueprint %s: the portal no longer grants %s, whom group %s gives it, but still grants %s of the same group: sync cannot drop part of a group from one blueprint; write the blueprint's emails by hand instead of the group (or change the group for every blueprint), then sync again",
							d.name, bp.key.Line, f.Name, r.Value, g, e)
					}
				}
				droppedGroups[g] = true
				line, err := bp.deleteListItem("groups", g, nil)
				if err != nil {
					return err
				}
				d.change(line, Delete, fmt.Sprintf("group %s from blueprint %s (%s)", g, f.Name, strings.Join(s.cfg.Groups[g], ", ")), len(s.cfg.Groups[g]), "")
			}
		}
		list := "domains"
		norm := portal.NormalizeDomain
		if r.Kind == portal.RuleEmail {
			list, norm = "emails", portal.NormalizeEmail
		}
		if !bp.listHas(list, r.Value, norm) {
			if slices.ContainsFunc(f.Groups, func(g string) bool { return droppedGroups[g] && slices.Contains(s.cfg.Groups[g], r.Value) }) {
				continue // it came from a group, dropped above
			}
			return fmt.Errorf("%s:%d: blueprint %s: cannot find where the rule %s is written: delete it by hand", d.name, bp.key.Line, f.Name, r)
		}
		line, err := bp.deleteListItem(list, r.Value, norm)
		if err != nil {
			return err
		}
		d.change(line, Delete, fmt.Sprintf("rule %s from blueprint %s", r, f.Name), 1, "")
	}
	for _, r := range b.Rules {
		if have[r.Key()] && !f.Open {
			continue
		}
		list := "domains"
		if r.Kind == portal.RuleEmail {
			list = "emails"
		}
		if err := bp.insertListItem(list, r.Value); err != nil {
			return err
		}
		d.change(bp.key.Line, Add, fmt.Sprintf("rule %s to blueprint %s", r, f.Name), 0, "")
	}
	return nil
}

// sortedBy is a copy of xs sorted by key.
func sortedBy[T any](xs []T, key func(T) string) []T {
	out := slices.Clone(xs)
	slices.SortStableFunc(out, func(a, b T) int { return strings.Compare(key(a), key(b)) })
	return out
}

// parseDoc parses a file of the configuration. A file with no document (blank,
// or only comments) is a fragment with nothing yet.
func parseDoc(name string, data []byte) (*doc, error) {
	d := &doc{name: name, data: data, eol: "\n"}
	if i := bytes.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' {
		d.eol = "\r\n"
	}
	dec, err := yaml.NewLoader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var root yaml.Node
	switch err := dec.Load(&root); {
	case errors.Is(err, io.EOF):
		return d, nil
	case err != nil:
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(root.Content) == 0 {
		return d, nil
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: the file is not a mapping", name, top.Line, top.Column)
	}
	d.root, d.top = &root, top
	d.ed, err = yamledit.New(data, &root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w; make the change by hand", name, err)
	}
	return d, nil
}
