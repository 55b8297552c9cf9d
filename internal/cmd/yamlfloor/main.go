// Command yamlfloor is the floor `portalctl validate` is measured against: it reads
// a file and parses it into a YAML node tree with the same library and the same
// loader settings, and does nothing else. `make bench` runs it side by side with
// validate and preview on the same file (see BENCHMARKS.md).
package main

import (
	"bytes"
	"fmt"
	"os"

	"go.yaml.in/yaml/v4"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "yamlfloor: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: yamlfloor FILE")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	l, err := yaml.NewLoader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	var root yaml.Node
	if err := l.Load(&root); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	return nil
}
