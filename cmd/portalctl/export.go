package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/qovery/organization"
	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

const exportExample = `portalctl export --organization 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10 > portal.yaml
portalctl export > portal.yaml && portalctl plan     # adopting an existing portal: no changes
portalctl export --skip-organization-members         # the portal alone: the organization's members are left alone
`

type exportCmd struct {
	*app
	api     apiFlags
	skipOrg bool
}

func newExport(a *app) *exportCmd { return &exportCmd{app: a} }

func (c *exportCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("export", pflag.ContinueOnError)
	c.api.register(fs)
	fs.BoolVar(&c.skipOrg, "skip-organization-members", false, "do not read the Qovery organization's members: the file has no organization_members, so apply leaves them alone")
	return fs
}

func (c *exportCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	if err := c.api.check(c.getenv); err != nil {
		return err
	}
	org, err := c.api.orgFor("")
	if err != nil {
		return err
	}
	client, err := c.client(&c.api, org)
	if err != nil {
		return err
	}
	var live *portal.Config
	if c.skipOrg {
		live, err = reconcile.ReadLive(ctx, client, org, c.api.parallelism)
	} else {
		oc, oerr := organization.New(client.Transport(), org)
		if oerr != nil {
			return oerr
		}
		live, err = reconcile.ReadLiveOrg(ctx, client, oc, org, c.api.parallelism)
		if errors.Is(err, qovery.ErrForbidden) {
			return fmt.Errorf("%w; to export the portal alone, pass --skip-organization-members (the file then leaves the organization's members alone)", err)
		}
	}
	if err != nil {
		return refuseUnexpected(err, "nothing was exported")
	}
	header := exportHeader
	switch {
	case live.Org != nil && len(live.Org.Members) == 0:
		// An organization with nobody in it (never a real one: it has its
		// owner) has nothing to list, and an empty section is refused.
		fmt.Fprintln(c.stderr, "note: the organization lists no members: the file has no organization_members, so apply leaves them alone")
		live.Org = nil
	case live.Org != nil:
		header += exportOrgHeader
	}
	if err := plainNames(live); err != nil {
		return err
	}
	if err := onceEach(live.Org); err != nil {
		return err
	}
	escapeDescriptions(live)
	out, err := schema.Marshal(live, header)
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(out)
	return err
}

// onceEach refuses an organization where someone is a member and has an invitation
// too: portal.yaml lists a person once, and apply would cancel the invitation, so
// the export would not be the organization as it is.
func onceEach(o *portal.Org) error {
	if o == nil {
		return nil
	}
	members := map[string]bool{}
	for _, m := range o.Members {
		if !m.Invitation() {
			members[m.Email] = true
		}
	}
	var bad []string
	for _, m := range o.Members {
		if m.Invitation() && members[m.Email] {
			bad = append(bad, fmt.Sprintf("%q is a member of the organization and has an invitation too (id %q)", m.Email, m.ID))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("the organization cannot be exported as it is: %s; portal.yaml lists a person once: cancel the invitation in the Qovery console, then export again (or export with --skip-organization-members)", strings.Join(bad, "; "))
}

// escapeDescriptions writes the invisible and bidirectional control characters of
// blueprint descriptions, which export writes as comments, as \u escapes: a comment
// holding them raw would make the file read differently from what it is.
func escapeDescriptions(live *portal.Config) {
	for i, b := range live.Blueprints {
		if _, _, ok := portal.FirstHiddenControl(b.Description); !ok {
			continue
		}
		var s strings.Builder
		for _, r := range b.Description {
			if portal.HiddenControl(r) {
				fmt.Fprintf(&s, "\\u%04x", r)
				continue
			}
			s.WriteRune(r)
		}
		live.Blueprints[i].Description = s.String()
	}
}

const exportHeader = `# yaml-language-server: $schema=https://raw.githubusercontent.com/qovery/portalctl/main/schema/portal.schema.json
#
# Exported from the portal by portalctl export. The file is authoritative for
# membership: members missing from it are removed by apply.`

const exportOrgHeader = `
# So are the Qovery organization's members and invitations missing from
# organization_members (remove that section to leave them alone).`

// plainNames refuses to export a portal whose member addresses, blueprint names or
// rules hold bidirectional or invisible control characters: portal.yaml cannot
// hold them (validate refuses them), and written raw they would make the file read
// differently from what it is. Each one is named, escaped, with what to do.
func plainNames(live *portal.Config) error {
	var bad []string
	check := func(what, value string) {
		if r, _, ok := portal.FirstHiddenControl(value); ok {
			bad = append(bad, fmt.Sprintf("%s %q holds the invisible control character U+%04X", what, value, r))
		}
	}
	for _, m := range live.Members {
		check("member", m.Email)
	}
	if live.Org != nil {
		for _, m := range live.Org.Members {
			check("organization member", m.Email)
			check(fmt.Sprintf("the organization role of %q:", m.Email), m.Role)
			switch {
			case m.Role == "":
				bad = append(bad, fmt.Sprintf("organization member %q holds a role the organization does not list", m.Email))
			case strings.TrimSpace(m.Role) != m.Role:
				// portal.yaml trims a role's name: written as it is, it would
				// match no role of the organization, or another one.
				bad = append(bad, fmt.Sprintf("organization member %q holds the role %q, whose name starts or ends with blanks, which portal.yaml cannot hold: rename the role in the Qovery console to %q", m.Email, m.Role, strings.TrimSpace(m.Role)))
			}
		}
	}
	for _, b := range live.Blueprints {
		check("blueprint", b.Name)
		for _, r := range b.Rules {
			check(fmt.Sprintf("a rule of blueprint %q:", b.Name), r.Value)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("the portal cannot be exported as it is: %s; rename or remove them in the portal (portal.yaml cannot hold such characters), then export again", strings.Join(bad, "; "))
}
