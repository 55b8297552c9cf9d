package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/schema"
)

const schemaExample = `portalctl schema > portal.schema.json   # for editors and other validators
portalctl schema --fragment > fragment.schema.json   # for the files a root includes
`

// schemaCmd prints the JSON schema of portal.yaml embedded in the binary, byte for
// byte, so editors and other validators check files against exactly what this
// version accepts.
type schemaCmd struct {
	*app
	fragment bool
}

func newSchema(a *app) *schemaCmd { return &schemaCmd{app: a} }

func (c *schemaCmd) flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("schema", pflag.ContinueOnError)
	fs.BoolVar(&c.fragment, "fragment", false, "print the schema of a fragment, a file the root's include: names")
	return fs
}

func (c *schemaCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	out := schema.JSON
	if c.fragment {
		var err error
		if out, err = schema.FragmentJSON(); err != nil {
			return err
		}
	}
	if _, err := c.stdout.Write(out); err != nil {
		return fmt.Errorf("write the schema: %w", err)
	}
	return nil
}
