// Command portal-gen writes a large, realistic portal.yaml for benchmarks: many
// domains of very different sizes, admins, groups and mixed rules. The same flags
// always give the same file, and --change variants model a pull request.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/qovery/portalctl/internal/synth"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "portal-gen: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := pflag.NewFlagSet("portal-gen", pflag.ContinueOnError)
	var spec synth.Spec
	var change synth.Change
	fs.IntVar(&spec.Members, "members", 100_000, "members")
	fs.IntVar(&spec.Blueprints, "blueprints", 2_000, "blueprints")
	fs.IntVar(&spec.Rules, "rules", 10, "rules per blueprint")
	fs.Uint64Var(&spec.Seed, "seed", 1, "random seed")
	fs.IntVar(&change.ChangedBlueprints, "changed-blueprints", 0, "blueprints whose rules change (a pull request)")
	fs.IntVar(&change.OpenBlueprints, "opened-blueprints", 0, "blueprints opened to everyone")
	fs.IntVar(&change.DomainAdded, "domain-added-blueprints", 0, "blueprints that get one more domain rule")
	fs.IntVar(&change.NewMembers, "new-members", 0, "members invited")
	fs.IntVar(&change.RemovedMembers, "removed-members", 0, "members removed")
	shape := fs.String("dense", "", "instead, write a file of one of the densest shapes (for memory measurements): "+strings.Join(synth.DenseShapes(), ", "))
	size := fs.Int("size", 16<<20, "with --dense, the file's size in bytes")
	list := fs.Bool("list-dense", false, "list the shapes --dense takes, one a line")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "portal-gen writes a synthetic portal.yaml to stdout.\n\nExample:\n  portal-gen --members 100000 --blueprints 2000 > base.yaml\n  portal-gen --members 100000 --blueprints 2000 --changed-blueprints 20 --new-members 50 > head.yaml\n  portal-gen --dense flow-keys --size 16777216 > worst.yaml\n\nFlags:\n%s", fs.FlagUsages())
	}
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return nil
		}
		return err
	}
	if *list {
		_, err := fmt.Println(strings.Join(synth.DenseShapes(), "\n"))
		return err
	}
	if *shape != "" {
		data, err := synth.Dense(*shape, *size)
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(data)
		return err
	}
	if spec.Members < 1 || spec.Blueprints < 1 || spec.Rules < 1 {
		return fmt.Errorf("--members, --blueprints and --rules must be at least 1")
	}
	_, err := os.Stdout.Write(synth.New(spec).YAML(change))
	return err
}
