// Package review builds access review packets (docs/access-reviews.md): for each
// blueprint whose review is due, or each one asked for, its owners, its rules as
// the file writes them, its audience (each member, the rules that grant them
// access, their expiry and, from the live portal, their status), and who gained
// or lost access since its last review; and it lays packets out as text,
// markdown, CSV and JSON.
//
// It is pure: configurations in, packets out. Who sees what is always the access
// engine's answer (package access); reading git history and the portal is the
// command's job.
package review

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/suggest"
)

// Window is how many days before its due date a review counts as due: owners
// can start early, and validate warns as early (docs/access-reviews.md).
const Window = 14

// DefaultEvery is the review period, in days, that counts members as expiring
// before the next review when the policy sets no review_every_days.
const DefaultEvery = 90

// State says where a blueprint stands in its review cycle.
type State string

// The states, most urgent first.
const (
	Never   State = "never reviewed" // no reviewed: date, under a policy that asks for reviews
	Overdue State = "overdue"        // its due date has passed
	Due     State = "due"            // due within Window days, or today
	NotDue  State = "not due"        // reviewed recently, or no policy asks for reviews
)

// IsDue reports whether a review is asked for: never reviewed, overdue or due.
func (s State) IsDue() bool { return s != NotDue }

// Reviewable reports whether b has an audience to review: any blueprint but an
// open one (access: open), whose audience is every member and whose count the
// policy's max_open_blueprints bounds instead.
func Reviewable(b *portal.Blueprint) bool { return !b.Open }

// StateOf is where b stands on day today under a policy that asks for a review
// every every days (0: no such policy, nothing is due), and the day its next
// review is due (zero when never reviewed or no policy).
func StateOf(b *portal.Blueprint, every int, today portal.Date) (State, portal.Date) {
	if every <= 0 || !Reviewable(b) {
		return NotDue, portal.Date{}
	}
	due, ok := b.ReviewDue(every)
	switch {
	case !ok:
		return Never, portal.Date{}
	case due.Before(today):
		return Overdue, due
	case !today.AddDays(Window).Before(due):
		return Due, due
	}
	return NotDue, due
}

// Book is one configuration, as it stands today, ready to make packets of.
type Book struct {
	cfg   *portal.Config // as loaded, expired entries included
	now   *access.Index  // who sees what today: the expired left out, members in email order
	today portal.Date
	every int
	live  map[string]portal.Status // nil: the portal was not read
	// expired are the members the file lists whose access has ended, and when.
	expired map[string]portal.Date
}

// NewBook indexes cfg, a configuration as loaded, as it stands on day today.
// live, when not nil, is the live portal, whose members' status the audience
// shows.
func NewBook(cfg *portal.Config, today portal.Date, live *portal.Config) *Book {
	bk := &Book{cfg: cfg, now: access.NewIndex(ordered(cfg.WithoutExpired(today))), today: today, expired: map[string]portal.Date{}}
	for _, m := range cfg.Members {
		if m.Expired(today) {
			bk.expired[m.Email] = m.Expires
		}
	}
	if cfg.Policy.Has(portal.PolicyReviewEveryDays) {
		bk.every = cfg.Policy.ReviewEveryDays
	}
	if live != nil {
		bk.live = make(map[string]portal.Status, len(live.Members))
		for _, m := range live.Members {
			bk.live[m.Email] = m.Status
		}
	}
	return bk
}

// ordered is c with its members in email order: c itself when they are (a
// loaded file's are, their emails packed: portal.PackEmails), else a copy.
// Positions in the members are then in email order, so that two days'
// audiences are compared by position.
func ordered(c *portal.Config) *portal.Config {
	if slices.IsSortedFunc(c.Members, func(a, b portal.Member) int { return strings.Compare(a.Email, b.Email) }) {
		return c
	}
	out := *c
	out.Members = slices.Clone(c.Members)
	portal.SortMembers(out.Members)
	portal.PackEmails(out.Members)
	return &out
}

// Every is the policy's review period in days, 0 when it sets none.
func (bk *Book) Every() int { return bk.every }

// Today is the day the book judges on.
func (bk *Book) Today() portal.Date { return bk.today }

// Selection says which blueprints get a packet.
type Selection struct {
	// Blueprints are names asked for: each gets a packet, due or not.
	Blueprints []string
	// Owner, a normalised email, keeps the blueprints it owns.
	Owner string
	// All asks for every reviewable blueprint, due or not.
	All bool
}

// Select returns the blueprints sel asks for, in name order: the named ones,
// else every reviewable one with All, else those whose review is due; then,
// with Owner, those it owns. A name that is no blueprint, an open blueprint
// named, or an owner of no blueprint is an error that says what to write.
func (bk *Book) Select(sel Selection) ([]*portal.Blueprint, error) {
	var out []*portal.Blueprint
	switch {
	case len(sel.Blueprints) > 0:
		for _, name := range sel.Blueprints {
			b, ok := bk.now.Blueprint(name)
			if !ok {
				msg := fmt.Sprintf("no blueprint %q in %s", name, bk.cfg.File)
				names := make([]string, len(bk.cfg.Blueprints))
				for i := range bk.cfg.Blueprints {
					names[i] = bk.cfg.Blueprints[i].Name
				}
				if s := suggest.Closest(name, names, 3); len(s) > 0 {
					msg += fmt.Sprintf("; did you mean %s?", strings.Join(s, " or "))
				}
				return nil, errors.New(msg)
			}
			if !Reviewable(b) {
				return nil, fmt.Errorf("%s: blueprint %q is open to every member (access: open): it has no audience of its own to review; the policy's max_open_blueprints bounds open blueprints", b.Pos, name)
			}
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	default:
		bps := bk.now.Config().Blueprints
		for i := range bps {
			b := &bps[i]
			if st, _ := StateOf(b, bk.every, bk.today); Reviewable(b) && (sel.All || st.IsDue()) {
				out = append(out, b)
			}
		}
	}
	if sel.Owner != "" {
		owns := false
		for i := range bk.cfg.Blueprints {
			owns = owns || slices.Contains(bk.cfg.Blueprints[i].Owners, sel.Owner)
		}
		if !owns {
			return nil, fmt.Errorf("%s owns no blueprint in %s: give an email an `owners:` list names", sel.Owner, bk.cfg.File)
		}
		out = slices.DeleteFunc(out, func(b *portal.Blueprint) bool { return !slices.Contains(b.Owners, sel.Owner) })
	}
	slices.SortFunc(out, func(a, b *portal.Blueprint) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Days are the distinct days the blueprints were last reviewed, in order: the
// days whose configuration a comparison reads, each once.
func Days(bps []*portal.Blueprint) []portal.Date {
	set := map[portal.Date]bool{}
	for _, b := range bps {
		if !b.Reviewed.IsZero() {
			set[b.Reviewed] = true
		}
	}
	return slices.SortedFunc(maps.Keys(set), portal.Date.Compare)
}

// Past is the configuration as it stood on a review day, to compare with: of
// it, only what the packets of the blueprints reviewed that day need (who was a
// member, with which role, and who saw each of those blueprints), so that the
// configuration itself is let go once read. It belongs to the Book that made
// it (Book.NewPast): its members are matched with the book's once, so that a
// packet compares two days' audiences by position, not by email.
type Past struct {
	Day portal.Date
	// Commit is the commit read (see gitrev.AsOf); "" when none was.
	Commit string
	// Note says why there is nothing to compare with ("no commit on or before
	// that day", "the file at that commit does not load: ..."); "" when seen is
	// set.
	Note string
	// emails are that day's members, in email order, roles theirs.
	emails []string
	roles  []portal.Role
	// now[i] is the position of emails[i] among the book's members today, -1
	// when it is none; then[j] the reverse, for each of the book's members.
	now, then []int32
	// seen is, for each blueprint NewPast was given, who saw it.
	seen map[string]pastAudience
}

// pastAudience is who saw a blueprint on the review day.
type pastAudience struct {
	bp *portal.Blueprint // as written that day; nil when there was none of that name
	at []int             // its audience: positions in Past.emails, ascending
}

// NewPast is the configuration cfg, read at commit for the review of day: who
// saw what that day (its expired entries left out), for the packets of the
// blueprints named. Packet panics when given it for another blueprint.
func (bk *Book) NewPast(day portal.Date, commit string, cfg *portal.Config, names []string) *Past {
	then := ordered(cfg.WithoutExpired(day))
	p := &Past{Day: day, Commit: commit, seen: make(map[string]pastAudience, len(names))}
	byName := make(map[string]int, len(then.Blueprints))
	for i := range then.Blueprints {
		byName[then.Blueprints[i].Name] = i
	}
	var bps []*portal.Blueprint
	for _, name := range names {
		if i, ok := byName[name]; ok {
			bp := then.Blueprints[i]
			bps = append(bps, &bp)
		}
	}
	auds := access.Audiences(then, bps)
	for _, name := range names {
		p.seen[name] = pastAudience{}
	}
	for i, bp := range bps {
		p.seen[bp.Name] = pastAudience{bp: bp, at: auds[i]}
	}
	ms, today := then.Members, bk.now.Config().Members
	p.emails, p.roles = make([]string, len(ms)), make([]portal.Role, len(ms))
	p.now, p.then = make([]int32, len(ms)), make([]int32, len(today))
	for i, m := range ms {
		p.emails[i], p.roles[i], p.now[i] = m.Email, m.Role, -1
	}
	for j := range p.then {
		p.then[j] = -1
	}
	// Both lists are in email order: one walk matches them.
	for i, j := 0, 0; i < len(ms) && j < len(today); {
		switch c := strings.Compare(ms[i].Email, today[j].Email); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			p.now[i], p.then[j] = int32(j), int32(i)
			i++
			j++
		}
	}
	return p
}

// NoPast is a review day whose configuration cannot be read, and why.
func NoPast(day portal.Date, commit, note string) *Past {
	return &Past{Day: day, Commit: commit, Note: note}
}

// Packet is what the owners of one blueprint review. Its JSON is the evidence an
// auditor files (docs/access-reviews.md); fields are only added within a Version.
type Packet struct {
	Blueprint string `json:"blueprint"`
	// At is where the blueprint is written: file:line:column.
	At     string   `json:"at"`
	Owners []string `json:"owners"`
	// Reviewed is the day of its last review, Due the day its next one is due
	// (YYYY-MM-DD; empty when never reviewed or no policy asks).
	Reviewed string     `json:"reviewed,omitempty"`
	Due      string     `json:"due,omitempty"`
	State    State      `json:"state"`
	Counts   Counts     `json:"counts"`
	Since    *Since     `json:"since,omitempty"`
	Rules    []RuleLine `json:"rules"`
	// Audience are the members who see the blueprint today, by email.
	Audience []Member `json:"audience"`
}

// Counts are a packet's numbers, read first.
type Counts struct {
	Audience int `json:"audience"`
	Gained   int `json:"gained"`
	Lost     int `json:"lost"`
	// Expiring counts the audience whose access ends before the next review
	// would be due (today plus the review period).
	Expiring int `json:"expiring"`
}

// RuleLine is one rule as the file writes it on the blueprint: a domain, an
// email, or a group (not the emails it expands to), with how many of today's
// members it reaches.
type RuleLine struct {
	Kind    string `json:"kind"` // domain, email or group
	Value   string `json:"value"`
	Members int    `json:"members"`
}

// Member is one member of the audience.
type Member struct {
	Email string `json:"email"`
	Role  string `json:"role"`
	// Via are the rules that grant the access, as access --all writes them:
	// domain:D, email:E or group:G (an email rule that came from group G).
	Via     []string `json:"via"`
	Expires string   `json:"expires,omitempty"`
	// Status is the member's state in the live portal (active, pending, or
	// "not in the portal"), when it was read (--live).
	Status string `json:"status,omitempty"`
	// Change is "gained" for a member who did not see the blueprint on the day
	// of its last review.
	Change string `json:"change,omitempty"`
}

// Since is who gained and lost access between the last review and today.
type Since struct {
	Reviewed string `json:"reviewed"`
	Commit   string `json:"commit,omitempty"`
	// Note says why there is no comparison; Gained and Lost are then empty.
	Note   string   `json:"note,omitempty"`
	Gained []Change `json:"gained"`
	Lost   []Change `json:"lost"`
}

// Reason says why a member gained or lost access.
type Reason string

// The reasons.
const (
	Joined  Reason = "joined"  // not a member on the review day (or their access had expired)
	Left    Reason = "left"    // no longer a member
	Expired Reason = "expired" // still listed, but their access has ended
	Rules   Reason = "rules"   // a member both days: the blueprint's rules or groups changed
)

// Change is one member who gained or lost access.
type Change struct {
	Email  string `json:"email"`
	Role   string `json:"role"`
	Reason Reason `json:"reason"`
	// Via are the rules that grant the access today (gained), or granted it on
	// the review day (lost).
	Via []string `json:"via"`
	// Expires is the day an expired member's access ended.
	Expires string `json:"expires,omitempty"`
}

// notLive is the status of a member the live portal does not hold.
const notLive = "not in the portal"

// Packet builds the packet of b, a blueprint of the book's configuration, with
// past the configuration on the day of its last review (nil when it was never
// reviewed: there is nothing to compare with, the whole audience is new to its
// owners).
func (bk *Book) Packet(b *portal.Blueprint, past *Past) Packet {
	st, due := StateOf(b, bk.every, bk.today)
	p := Packet{
		Blueprint: b.Name, At: b.Pos.String(), Owners: slices.Clip(b.Owners),
		Reviewed: b.Reviewed.String(), Due: due.String(), State: st,
	}
	if p.Owners == nil {
		p.Owners = []string{}
	}
	every := bk.every
	if every <= 0 {
		every = DefaultEvery
	}
	horizon := bk.today.AddDays(every)
	// Who sees it, by position among today's members (in email order), and
	// who saw it on the review day, in email order too: one walk of both
	// lists tells who gained and who lost it.
	at, via := bk.now.ViewersAt(b)
	var then pastAudience
	compare := past != nil && past.seen != nil
	if past != nil {
		p.Since = &Since{Reviewed: past.Day.String(), Commit: past.Commit, Note: past.Note, Gained: []Change{}, Lost: []Change{}}
		if compare {
			var ok bool
			if then, ok = past.seen[b.Name]; !ok {
				panic(fmt.Sprintf("review: the configuration of %s was read without blueprint %q", past.Day, b.Name))
			}
			if then.bp == nil {
				// Renamed, or added, since: every member would read as
				// gained through a change of rules, which says nothing.
				p.Since.Note = fmt.Sprintf("the file as of that day has no blueprint %s (renamed or added since?)", b.Name)
				compare = false
			}
		}
	}
	// before holds positions among that day's members, viewers positions
	// among today's: both in email order, the day's matched with today's
	// (Past.now), so that emails are compared only for members gone since.
	before, members := then.at, bk.now.Config().Members
	earlier := func(q, t int) bool {
		if n := past.now[q]; n >= 0 {
			return int(n) < t
		}
		return past.emails[q] < members[t].Email
	}
	p.Audience = make([]Member, len(at))
	j := 0
	// Most members see a blueprint through the same rule as the one before
	// them: their reasons are written once (Member.Via is read, never written).
	var lastVia []access.Via
	var lastVias []string
	for i, t := range at {
		for ; compare && j < len(before) && earlier(before[j], t); j++ {
			p.Since.Lost = append(p.Since.Lost, bk.loss(past, then.bp, before[j]))
		}
		m := &members[t]
		if !slices.Equal(via[i], lastVia) {
			lastVia, lastVias = via[i], vias(via[i])
		}
		row := Member{Email: m.Email, Role: string(m.Role), Via: lastVias, Expires: m.Expires.String()}
		if bk.live != nil {
			row.Status = notLive
			if s, ok := bk.live[m.Email]; ok {
				row.Status = string(s)
			}
		}
		if !m.Expires.IsZero() && m.Expires.Before(horizon) {
			p.Counts.Expiring++
		}
		switch {
		case !compare:
		case j < len(before) && int(past.now[before[j]]) == t:
			j++
		default:
			row.Change = "gained"
			reason := Rules
			if past.then[t] < 0 {
				reason = Joined
			}
			p.Since.Gained = append(p.Since.Gained, Change{Email: m.Email, Role: row.Role, Reason: reason, Via: row.Via})
		}
		p.Audience[i] = row
	}
	for ; compare && j < len(before); j++ {
		p.Since.Lost = append(p.Since.Lost, bk.loss(past, then.bp, before[j]))
	}
	p.Counts.Audience = len(p.Audience)
	if p.Since != nil {
		p.Counts.Gained, p.Counts.Lost = len(p.Since.Gained), len(p.Since.Lost)
	}
	p.Rules = bk.written(b, p.Audience)
	return p
}

// loss is the member at position q of the past day's, who saw pb then and
// does not see its blueprint today, and why.
func (bk *Book) loss(past *Past, pb *portal.Blueprint, q int) Change {
	email := past.emails[q]
	c := Change{Email: email, Role: string(past.roles[q]), Reason: Rules, Via: vias(access.Why(pb, email))}
	if past.now[q] < 0 {
		c.Reason = Left
		if d, ok := bk.expired[email]; ok {
			c.Reason, c.Expires = Expired, d.String()
		}
	}
	return c
}

// written is b's rules as the file writes them, each with the members it
// reaches today: a domain, the audience it grants (as the engine says, in
// audience); an email, one when a member; a group, its emails that are members.
func (bk *Book) written(b *portal.Blueprint, audience []Member) []RuleLine {
	var out []RuleLine
	byDomain := map[string]int{}
	for _, m := range audience {
		for _, v := range m.Via {
			if d, ok := strings.CutPrefix(v, "domain:"); ok {
				byDomain[d]++
			}
		}
	}
	for _, r := range b.Rules {
		switch {
		case r.Kind == portal.RuleDomain:
			out = append(out, RuleLine{Kind: "domain", Value: r.Value, Members: byDomain[r.Value]})
		case r.Group == "":
			n := 0
			if bk.now.IsMember(r.Value) {
				n = 1
			}
			out = append(out, RuleLine{Kind: "email", Value: r.Value, Members: n})
		}
	}
	for _, g := range b.Groups {
		n := 0
		for _, e := range bk.cfg.Groups[g] {
			if bk.now.IsMember(e) {
				n++
			}
		}
		out = append(out, RuleLine{Kind: "group", Value: g, Members: n})
	}
	if out == nil {
		out = []RuleLine{}
	}
	return out
}

// vias writes the reasons the access engine gives as access --all does.
func vias(vs []access.Via) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		switch {
		case v.Open:
			out[i] = "open"
		case v.Group != "":
			out[i] = "group:" + v.Group
		default:
			out[i] = string(v.Rule.Kind) + ":" + v.Rule.Value
		}
	}
	return out
}
