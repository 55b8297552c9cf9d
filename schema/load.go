// Package schema turns the bytes of a portal.yaml into the portal model: it parses
// the YAML with positions, validates it against the embedded JSON schema, applies the
// semantic checks and lints, and reports every problem at its file:line:column.
package schema

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/suggest"
)

// Loader validates portal.yaml files. It holds the compiled schema so that loading
// many files compiles it once. A Loader is safe for concurrent use.
type Loader struct {
	schema *jsonschema.Schema
}

// New compiles the embedded schema.
func New() (*Loader, error) {
	s, err := compile()
	if err != nil {
		return nil, err
	}
	return &Loader{schema: s}, nil
}

// Load reads and checks the file at path. The returned error is for files that cannot
// be read at all; problems with the content are diagnostics. The config is nil when
// the file could not be parsed; otherwise it holds what could be understood even if
// there are errors.
func (l *Loader) Load(path string) (*portal.Config, diag.List, error) {
	data, err := ReadFile(path, nil)
	if err != nil {
		return nil, nil, err
	}
	cfg, ds := l.Parse(path, data)
	return cfg, ds, nil
}

// ReadFile reads path ("-" reads stdin), refusing a file over MaxFileSize before
// reading it whole.
func ReadFile(path string, stdin io.Reader) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		if stdin == nil {
			return nil, errors.New("read standard input: not available here")
		}
		r = stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
			return nil, fmt.Errorf("read %s: file is %d bytes, over the %d MiB limit: a portal.yaml this large is not a real configuration", path, st.Size(), MaxFileSize>>20)
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read %s: input is over the %d MiB limit", path, MaxFileSize>>20)
	}
	return data, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse checks data, naming file in every diagnostic.
func (l *Loader) Parse(file string, data []byte) (*portal.Config, diag.List) {
	var ds diag.List
	start := portal.Pos{File: file, Line: 1, Col: 1}
	if len(bytes.TrimSpace(data)) == 0 {
		ds.Add(start, diag.Error, "empty-file", "the file is empty", "start with `version: 1`, then `members:` and `blueprints:`")
		return nil, ds
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		ds = append(ds, syntaxError(file, err))
		return nil, ds
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ds.Add(nodePos(file, &extra), diag.Error, "multiple-documents", "the file holds more than one YAML document", "remove the `---` separator: a portal.yaml is one document")
		return nil, ds
	} else if !errors.Is(err, io.EOF) {
		ds = append(ds, syntaxError(file, err))
		return nil, ds
	}
	value, bad, err := toJSON(&root)
	if err != nil {
		ds.Add(nodePos(file, bad), diag.Error, "too-complex", "the document is "+err.Error(), "write the configuration out plainly: portal.yaml needs no deep nesting and few aliases")
		return nil, ds
	}
	// The schema check and the semantic checks only read the tree: on a large file
	// they run side by side.
	var schemaDs diag.List
	done := make(chan struct{})
	go func() {
		defer close(done)
		checkSchema(l.schema, file, &root, value, &schemaDs)
	}()
	cfg, f := build(file, &root, &ds)
	lint(cfg, f, &ds)
	<-done
	ds = append(ds, schemaDs...)
	ds.Sort()
	return cfg, ds
}

func syntaxError(file string, err error) diag.Diagnostic {
	msg := err.Error()
	pos := portal.Pos{File: file, Line: 1, Col: 1}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	hint := "fix the YAML syntax: indent with spaces (not tabs) and quote values that contain ': ' or start with '@', '*', '&' or '!'"
	if bytes.Contains([]byte(msg), []byte("exceeded max depth")) {
		hint = "portal.yaml needs no deep nesting: write the configuration out plainly"
	}
	return diag.Diagnostic{Pos: pos, Severity: diag.Error, Code: "yaml-syntax", Message: "invalid YAML: " + msg, Hint: hint}
}

func closest(name string, allowed []string) string {
	if c := suggest.Closest(name, allowed, 1); len(c) > 0 {
		return c[0]
	}
	return ""
}
