package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/qovery/portalctl/access"
	"github.com/qovery/portalctl/portal"
)

// AudienceJSON is the JSON answer of `access --blueprint`.
type AudienceJSON struct {
	Blueprint string       `json:"blueprint"`
	Source    string       `json:"source"`
	Open      bool         `json:"open"`
	Rules     []string     `json:"rules"`
	Members   []AccessItem `json:"members"`
}

// AccessItem is one member or blueprint with the rules that grant the access.
type AccessItem struct {
	Name string   `json:"name"`
	Via  []string `json:"via"`
}

// VisibilityJSON is the JSON answer of `access EMAIL`.
type VisibilityJSON struct {
	Email      string       `json:"email"`
	Source     string       `json:"source"`
	Member     bool         `json:"member"`
	Blueprints []AccessItem `json:"blueprints"`
}

func vias(v []access.Via) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = x.String()
	}
	return out
}

// ruleText is a rule as "domain company.com", "email bob@company.com (group
// contractors)".
func ruleText(r portal.Rule) string {
	s := r.Key().String()
	if r.Group != "" {
		s += " (group " + r.Group + ")"
	}
	return s
}

// Audience writes who sees blueprint b.
func Audience(w io.Writer, f Format, b *portal.Blueprint, viewers []access.Viewer, source string) error {
	if f == JSON {
		out := AudienceJSON{Blueprint: b.Name, Source: source, Open: b.Open, Rules: []string{}, Members: []AccessItem{}}
		for _, r := range b.Rules {
			out.Rules = append(out.Rules, ruleText(r))
		}
		for _, v := range viewers {
			out.Members = append(out.Members, AccessItem{Name: v.Email, Via: vias(v.Via)})
		}
		return writeJSON(w, out)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "Blueprint %s (%s): seen by %s\n", termSafe(b.Name), source, plural(len(viewers), "member"))
	if b.Open {
		sb.WriteString("  open access: every member sees it\n")
	}
	for _, v := range viewers {
		fmt.Fprintf(&sb, "  %s  via %s\n", termSafe(v.Email), termSafe(strings.Join(vias(v.Via), ", ")))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// Visibility writes what email sees.
func Visibility(w io.Writer, f Format, email string, member bool, seen []access.Seen, source string) error {
	if f == JSON {
		out := VisibilityJSON{Email: email, Source: source, Member: member, Blueprints: []AccessItem{}}
		for _, s := range seen {
			out.Blueprints = append(out.Blueprints, AccessItem{Name: s.Blueprint, Via: vias(s.Via)})
		}
		return writeJSON(w, out)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s (%s) sees %s\n", termSafe(email), source, plural(len(seen), "blueprint"))
	if !member {
		sb.WriteString("  not a member: these apply once they are invited\n")
	}
	for _, s := range seen {
		fmt.Fprintf(&sb, "  %s  via %s\n", termSafe(s.Blueprint), termSafe(strings.Join(vias(s.Via), ", ")))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
