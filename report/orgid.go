package report

import "fmt"

// OrganizationIDChange is a change that moves the file to another organization:
// its organization: differs from the base's. Apply acts on the organization the
// file names wherever no --organization or QOVERY_ORGANIZATION_ID names one, so
// such a change is an alert, however small its diff.
type OrganizationIDChange struct {
	// From and To are the organization ids named before and after; "" is none.
	From string `json:"from"`
	To   string `json:"to"`
}

// sentence says what the change does, in two parts: the alert itself, and what
// apply does about it. code renders the ids, flags and variables (a code span
// in markdown, terminal-safe in text).
func (o *OrganizationIDChange) sentence(code func(string) string) (alert, detail string) {
	flag, env := code("--organization"), code("QOVERY_ORGANIZATION_ID")
	follows := fmt.Sprintf("Apply follows the file where neither %s nor %s names an organization, and refuses the file where one names another.", flag, env)
	switch {
	case o.From == "":
		return fmt.Sprintf("The file now names the organization %s: apply will act on it", code(o.To)), follows
	case o.To == "":
		return fmt.Sprintf("The file no longer names the organization %s: apply will act on whichever organization %s or %s names", code(o.From), flag, env),
			"Without either, apply refuses to run."
	}
	return fmt.Sprintf("The organization changes from %s to %s: apply will act on another organization", code(o.From), code(o.To)), follows
}

// organizationAlert is the markdown alert of an organization change, or "".
func (m *md) organizationAlert() string {
	o := m.r.OrganizationID
	if o == nil {
		return ""
	}
	alert, detail := o.sentence(Code)
	return fmt.Sprintf("> [!CAUTION]\n> **%s.** %s\n", alert, detail)
}

// organizationAlert is the text alert of an organization change, or "".
func (t *textReport) organizationAlert() string {
	o := t.r.OrganizationID
	if o == nil {
		return ""
	}
	alert, detail := o.sentence(termSafe)
	return t.c.alarm("!! "+alert) + "\n   " + detail + "\n"
}
