// Command portal-gen writes a large, realistic portal.yaml for benchmarks: many
// domains of very different sizes, admins, groups and mixed rules. The same flags
// always give the same file, and --change variants model a pull request.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v4"

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
	split := fs.Int("split", 0, "instead of writing to stdout, write a root file and this many fragments holding its members and blueprints into --dir (docs/large-organizations.md)")
	dir := fs.String("dir", "", "with --split, the directory: DIR/portal.yaml and DIR/teams/fNNN.yaml")
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
	data := synth.New(spec).YAML(change)
	if *split > 0 {
		if *dir == "" {
			return fmt.Errorf("--split needs --dir")
		}
		return writeSplit(data, *split, *dir)
	}
	_, err := os.Stdout.Write(data)
	return err
}

// writeSplit writes the portal data as a root file and n fragments in dir:
// fragment i holds the i-th n-th of the members and of the blueprints, its
// include names exactly its blueprints; the groups, the policy and the rest
// stay in the root. The model is the same as data's.
func writeSplit(data []byte, n int, dir string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	top := doc.Content[0]
	root := &yaml.Node{Kind: yaml.MappingNode}
	frags := make([]*yaml.Node, n)
	names := make([][]string, n)
	for i := range frags {
		frags[i] = &yaml.Node{Kind: yaml.MappingNode}
	}
	add := func(m *yaml.Node, key string, v *yaml.Node) {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, v)
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "members":
			parts := make([]*yaml.Node, n)
			for f := range parts {
				parts[f] = &yaml.Node{Kind: yaml.SequenceNode}
				add(frags[f], "members", parts[f])
			}
			for j, item := range v.Content {
				f := j * n / len(v.Content)
				parts[f].Content = append(parts[f].Content, item)
			}
		case "blueprints":
			parts := make([]*yaml.Node, n)
			for f := range parts {
				parts[f] = &yaml.Node{Kind: yaml.MappingNode}
				add(frags[f], "blueprints", parts[f])
			}
			count := len(v.Content) / 2
			for j := 0; j < count; j++ {
				f := j * n / count
				parts[f].Content = append(parts[f].Content, v.Content[2*j], v.Content[2*j+1])
				names[f] = append(names[f], v.Content[2*j].Value)
			}
		default:
			root.Content = append(root.Content, k, v)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "teams"), 0o755); err != nil {
		return err
	}
	include := &yaml.Node{Kind: yaml.SequenceNode}
	for f, m := range frags {
		name := fmt.Sprintf("teams/f%03d.yaml", f)
		out, err := yaml.Marshal(m)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), out, 0o644); err != nil {
			return err
		}
		var inc yaml.Node
		if err := inc.Encode(map[string]any{"path": name, "codeowners": []string{fmt.Sprintf("@acme/team-%03d", f)}, "blueprints": names[f], "members": true}); err != nil {
			return err
		}
		include.Content = append(include.Content, &inc)
	}
	add(root, "include", include)
	out, err := yaml.Marshal(root)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "portal.yaml"), out, 0o644)
}
