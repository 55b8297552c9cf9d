package schema

import (
	"bytes"
	"fmt"
	"sort"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
	"golang.org/x/text/unicode/runenames"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// hiddenWalk reports every key and value written with a bidirectional or
// invisible control character (docs/file-format.md#hidden-characters), at the
// character itself, and keeps the nodes holding one so that later checks pass over them:
// such a value is not what it looks like, and nothing else about it is worth
// saying.
type hiddenWalk struct {
	file  string
	data  []byte
	ds    *diag.Collector
	found map[*yaml.Node]bool
	lines []int // offsets of line starts, computed when first needed
}

// scalar checks one scalar node.
func (h *hiddenWalk) scalar(n *yaml.Node, key bool) {
	if r, off, ok := portal.FirstHiddenControl(n.Value); ok {
		h.report(n, key, r, off)
	}
}

func (h *hiddenWalk) report(n *yaml.Node, key bool, r rune, off int) {
	if h.found == nil {
		h.found = map[*yaml.Node]bool{}
	}
	h.found[n] = true
	pos := h.locate(n, r, off)
	if h.ds.Full(diag.Error, pos) {
		h.ds.Add(pos, diag.Error, "hidden-control", "", "")
		return
	}
	what := "value"
	if key {
		what = "key"
	}
	h.ds.Add(pos, diag.Error, "hidden-control",
		fmt.Sprintf("%s %s contains U+%04X %s, an invisible control character that makes text read differently from what it is",
			what, diag.Quote(n.Value), r, runenames.Name(r)),
		fmt.Sprintf("delete the character (most editors do not show it; it is character %d of the value) and retype the value in plain characters",
			utf8.RuneCountInString(n.Value[:off])+1))
}

// locate finds the control character in the source, from the node's start: its
// exact line and column. A character written as an escape ("\u202e") is not in
// the source as such: then the node's own position is the answer.
func (h *hiddenWalk) locate(n *yaml.Node, r rune, off int) portal.Pos {
	pos := nodePos(h.file, n)
	if h.lines == nil {
		h.lines = append(h.lines, 0)
		for i, c := range h.data {
			if c == '\n' {
				h.lines = append(h.lines, i+1)
			}
		}
	}
	if n.Line < 1 || n.Line > len(h.lines) {
		return pos
	}
	start := h.lines[n.Line-1]
	for c := 1; c < n.Column && start < len(h.data) && h.data[start] != '\n'; c++ {
		_, size := utf8.DecodeRune(h.data[start:])
		start += size
	}
	var enc [utf8.UTFMax]byte
	needle := enc[:utf8.EncodeRune(enc[:], r)]
	window := h.data[start:min(len(h.data), start+4*(off+len(needle))+16)]
	i := bytes.Index(window, needle)
	if i < 0 {
		return pos
	}
	at := start + i
	line := sort.SearchInts(h.lines, at+1) // lines[line-1] <= at < lines[line]
	return portal.Pos{File: h.file, Line: line, Col: 1 + utf8.RuneCount(h.data[h.lines[line-1]:at])}
}
