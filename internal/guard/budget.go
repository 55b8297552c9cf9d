package guard

import (
	"fmt"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// What checking a file may cost, and what its parts cost: measured as live heap
// on the densest files of each shape (BENCHMARKS.md, "Memory"), rounded up.
const (
	// MemoryFactor bounds what checking a file may cost, as a multiple of its
	// size (see Budget).
	MemoryFactor = 40
	// memoryFloor is the budget of small files, which the factor would squeeze
	// below what any process needs. No heap limit is set for them (tests and
	// small files run with the garbage collector's defaults).
	memoryFloor = 128 << 20
	// nodeCost is one node of the YAML library's tree (measured 168 to 185
	// bytes, the node and its share of its parent's list). Before parsing, a
	// node is also given its share of a member (memberShare).
	nodeCost    = 190
	memberShare = 40
	// byteCost is one byte of the file: the file itself, the strings the parser
	// copies out of it, and its scanner's buffers on a long value.
	byteCost = 4
	// memberCost, ruleCost and entryCost are a member, a blueprint's rule (a
	// group expanded gives one per email) and a group's entry in the model.
	memberCost = 120
	ruleCost   = 100
	entryCost  = 160
)

// Budget is the most memory checking a file of size bytes may take: MemoryFactor
// times its size, and never less than 128 MiB.
func Budget(size int64) int64 {
	return max(MemoryFactor*size, memoryFloor)
}

// HeapLimit is the heap a process checking a file of size bytes should allow
// itself (the soft limit given to the garbage collector): the budget less what a
// process takes besides its heap (code, stacks, runtime). It is 0, no limit, for
// a file whose budget is the floor.
func HeapLimit(size int64) int64 {
	if MemoryFactor*size <= memoryFloor {
		return 0
	}
	return Budget(size) - processReserve
}

// processReserve is what a portalctl process takes besides its heap (measured
// 12 to 15 MiB on a tiny file).
const processReserve = 16 << 20

// usable is how much memory the YAML tree and the model may fill: 85% of the
// heap limit, the garbage collector needing room to work within it.
func usable(size int) int64 {
	return (Budget(int64(size)) - processReserve) / 20 * 17
}

// FitsParse refuses, before the parser allocates for it, a file whose YAML tree
// would not fit the budget: a file of tiny values ("[a,a,a,…]") costs the parser
// over a hundred times its size. The refusal is a too-dense error at the file's
// start, added to ds.
func FitsParse(file string, data []byte, ds *diag.Collector) bool {
	nodes := int64(NodeBound(data))
	need := (nodeCost+memberShare)*nodes + byteCost*int64(len(data))
	if need <= usable(len(data)) {
		return true
	}
	ds.Add(portal.Pos{File: file, Line: 1, Col: 1}, diag.Error, "too-dense", fmt.Sprintf(
		"the file holds up to %s YAML values in %s, one every %.1f bytes: checking them would take about %s, over %d times the file's size",
		thousands(nodes), mib(int64(len(data))), float64(len(data))/float64(nodes), mib(need), MemoryFactor),
		"a portal.yaml has a value every 10 bytes or more: write one member or rule per entry, each with its full email address")
	return false
}

// Model is what the model of a document will hold, counted on its node tree
// before it is built (schema counts it: the tree's layout is the schema's).
type Model struct {
	// Nodes are the nodes of the tree as written, aliases not followed.
	Nodes int
	// Members, Entries and Rules are the members, the groups' entries and the
	// blueprints' rules, groups expanded (a group named by a blueprint gives one
	// rule per email).
	Members, Entries, Rules int64
	// Worst is where the blueprint with the most rules is written.
	Worst portal.Pos
}

// FitsModel refuses a document whose model would not fit the budget next to its
// tree, size bytes long: mostly, groups expanded into many blueprints (a group of
// 1,000 emails named by 1,000 blueprints is a million rules, written in a few
// kilobytes). The refusal is added to ds: a too-dense error at the file's start
// when members cost the most, else a too-many-rules error at m.Worst.
func FitsModel(file string, size int, m Model, ds *diag.Collector) bool {
	need := nodeCost*int64(m.Nodes) + byteCost*int64(size) + memberCost*m.Members + entryCost*m.Entries + ruleCost*m.Rules
	if need <= usable(size) {
		return true
	}
	msg := fmt.Sprintf("the file's %s members, %s group entries and %s blueprint rules (groups expanded) would take about %s to check, over %d times the file's size",
		thousands(m.Members), thousands(m.Entries), thousands(m.Rules), mib(need), MemoryFactor)
	if ruleCost*m.Rules < memberCost*m.Members {
		ds.Add(portal.Pos{File: file, Line: 1, Col: 1}, diag.Error, "too-dense", msg,
			"a portal.yaml has a member every 25 bytes or more: write one entry per member, each with its full email address")
		return false
	}
	ds.Add(m.Worst, diag.Error, "too-many-rules", msg+"; this blueprint has the most",
		"give a whole company one domain rule (`domains: [company.com]`) rather than a group of its people, and name large groups in fewer blueprints")
	return false
}

// thousands writes n with thousands separators: 2,796,208.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
