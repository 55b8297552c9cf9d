package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/reconcile"
	"github.com/qovery/portalctl/schema"
)

const exportExample = `portalctl export --organization 0b5c2a34-7d0e-4f55-9a61-3b0d1c2e9f10 > portal.yaml
portalctl export > portal.yaml && portalctl plan     # adopting an existing portal: no changes
`

type exportCmd struct {
	*app
	api apiFlags
}

func newExport(a *app) *exportCmd { return &exportCmd{app: a} }

func (c *exportCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("export", pflag.ContinueOnError)
	c.api.register(fs)
	return fs
}

func (c *exportCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	if err := c.api.check(c.getenv); err != nil {
		return err
	}
	client, org, err := c.client(c.api, "")
	if err != nil {
		return err
	}
	live, err := reconcile.ReadLive(ctx, client, org, c.api.parallelism)
	if err != nil {
		return err
	}
	out, err := schema.Marshal(live, exportHeader)
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(out)
	return err
}

const exportHeader = `# yaml-language-server: $schema=https://raw.githubusercontent.com/qovery/portalctl/main/schema/portal.schema.json
#
# Exported from the portal by portalctl export. The file is authoritative for
# membership: members missing from it are removed by apply.`
