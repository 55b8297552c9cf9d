package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/schema"
)

const schemaExample = `portalctl schema > portal.schema.json   # for editors and other validators
`

// schemaCmd prints the JSON schema of portal.yaml embedded in the binary, byte for
// byte, so editors and other validators check files against exactly what this
// version accepts.
type schemaCmd struct{ *app }

func newSchema(a *app) *schemaCmd { return &schemaCmd{app: a} }

func (c *schemaCmd) flags() *pflag.FlagSet {
	return pflag.NewFlagSet("schema", pflag.ContinueOnError)
}

func (c *schemaCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	if _, err := c.stdout.Write(schema.JSON); err != nil {
		return fmt.Errorf("write the schema: %w", err)
	}
	return nil
}
