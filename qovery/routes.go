package qovery

import (
	"net/url"
	"strings"
)

// Every path of the portal API lives here, so that adapting the client to
// different real endpoints touches this file only. Templates use the
// {name} syntax of net/http.ServeMux patterns, which lets the emulator
// register them as they are.
const (
	// BasePath prefixes every portal route.
	BasePath = "/organization/{organizationId}/portal"

	// Routes below are relative to BasePath.

	// PathMembers lists (GET) and invites (POST) members.
	PathMembers = "/member"
	// PathMember updates the role of (PUT) or removes (DELETE) one member.
	PathMember = "/member/{memberId}"
	// PathBlueprints lists blueprints (GET).
	PathBlueprints = "/blueprint"
	// PathBlueprintACL reads (GET) and writes (PUT) the ACL of one blueprint.
	PathBlueprintACL = "/blueprint/{blueprintId}/acl"

	// PathEmulatorStats is served by the emulator only (package
	// qovery/emulator), outside BasePath: request counters per route.
	PathEmulatorStats = "/_emulator/stats"
)

// Expand replaces the {placeholders} of a path template, in order, with the
// path-escaped values.
func Expand(tmpl string, values ...string) string {
	var b strings.Builder
	rest := tmpl
	for _, v := range values {
		open := strings.IndexByte(rest, '{')
		end := strings.IndexByte(rest, '}')
		if open < 0 || end < open {
			break
		}
		b.WriteString(rest[:open])
		b.WriteString(url.PathEscape(v))
		rest = rest[end+1:]
	}
	b.WriteString(rest)
	return b.String()
}
