package emulator

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/qovery"
	"github.com/qovery/portalctl/schema"
)

// LoadSeed reads and parses a seed file (see ParseSeed).
func LoadSeed(path string) (*State, error) {
	l, err := schema.New(schema.Seed())
	if err != nil {
		return nil, err
	}
	data, err := l.ReadFile(path, nil)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return parseSeed(l, path, data)
}

// ParseSeed parses a seed: a portal.yaml read by the same loader as portalctl's
// (schema.Seed), whose members may carry `status: active|pending` and whose
// blueprints may carry `id` and `description`; `version` is optional and a
// blueprint with no rules is open, as in a portal.
//
//	members:
//	  - email: alice@company.com
//	    role: admin          # admin | user (default user)
//	    status: pending      # active | pending (default active)
//	groups:
//	  contractors: [freelancer@gmail.com]
//	blueprints:
//	  data-science:
//	    id: 7f9c…            # optional, random UUID otherwise
//	    description: Notebooks
//	    domains: [company.com]   # a leading @ is stripped
//	    emails: [alice@company.com]
//	    groups: [contractors]    # expanded to EMAIL rules
//	  python-starter:          # no rules: open
//
// name is used in error messages, which read "name:line:column: problem (what to
// write instead)"; every error is reported. An empty file is an empty portal.
func ParseSeed(name string, data []byte) (*State, error) {
	l, err := schema.New(schema.Seed())
	if err != nil {
		return nil, err
	}
	return parseSeed(l, name, data)
}

func parseSeed(l *schema.Loader, name string, data []byte) (*State, error) {
	cfg, ds := l.Parse(name, data)
	if len(bytes.TrimSpace(data)) == 0 || len(ds) == 1 && ds[0].Code == "empty-file" {
		return &State{}, nil
	}
	var errs []error
	for _, d := range ds {
		if d.Severity != diag.Error {
			continue
		}
		msg := fmt.Sprintf("%s: %s", d.Pos, d.Message)
		if d.Hint != "" {
			msg += " (" + d.Hint + ")"
		}
		errs = append(errs, errors.New(msg))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return seedState(cfg), nil
}

// seedState is the portal a seed describes.
func seedState(cfg *portal.Config) *State {
	st := &State{}
	for _, m := range cfg.Members {
		qm := qovery.Member{Email: m.Email, Role: qovery.RoleUser, Status: qovery.StatusActive}
		if m.Role == portal.RoleAdmin {
			qm.Role = qovery.RoleAdmin
		}
		if m.Status == portal.StatusPending {
			qm.Status = qovery.StatusPending
		}
		st.Members = append(st.Members, qm)
	}
	for _, b := range cfg.Blueprints {
		bs := BlueprintState{ID: b.ID, Name: b.Name, Description: b.Description, Rules: []qovery.Rule{}}
		for _, r := range b.Rules {
			t := qovery.RuleEmail
			if r.Kind == portal.RuleDomain {
				t = qovery.RuleDomain
			}
			bs.Rules = append(bs.Rules, qovery.Rule{Type: t, Value: r.Value})
		}
		st.Blueprints = append(st.Blueprints, bs)
	}
	return st
}
