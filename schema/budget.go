package schema

import (
	"fmt"

	"go.yaml.in/yaml/v4"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
)

// What checking a file may cost, and what its parts cost: measured as live heap
// on the densest files of each shape (BENCHMARKS.md, "Memory"), rounded up.
const (
	// MemoryFactor bounds what checking a file may cost, as a multiple of its
	// size (SPEC §8).
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

// fitsParse refuses, before the parser allocates for it, a file whose YAML tree
// would not fit the budget: a file of tiny values ("[a,a,a,…]") costs the parser
// over a hundred times its size.
func fitsParse(file string, data []byte, ds *diag.Collector) bool {
	nodes := int64(nodeBound(data))
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

// fitsModel refuses a document whose model would not fit the budget next to its
// tree: mostly, groups expanded into many blueprints (a group of 1,000 emails
// named by 1,000 blueprints is a million rules, written in a few kilobytes).
func fitsModel(file string, data []byte, root *yaml.Node, nodes int, ds *diag.Collector) bool {
	members, entries, rules, worst := modelSize(root)
	need := nodeCost*int64(nodes) + byteCost*int64(len(data)) + memberCost*members + entryCost*entries + ruleCost*rules
	if need <= usable(len(data)) {
		return true
	}
	msg := fmt.Sprintf("the file's %s members, %s group entries and %s blueprint rules (groups expanded) would take about %s to check, over %d times the file's size",
		thousands(members), thousands(entries), thousands(rules), mib(need), MemoryFactor)
	if ruleCost*rules < memberCost*members {
		ds.Add(portal.Pos{File: file, Line: 1, Col: 1}, diag.Error, "too-dense", msg,
			"a portal.yaml has a member every 25 bytes or more: write one entry per member, each with its full email address")
		return false
	}
	ds.Add(nodePos(file, worst), diag.Error, "too-many-rules", msg+"; this blueprint has the most",
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

// modelSize counts what the model of a document will hold: members, group
// entries, and blueprint rules with groups expanded. worst is the blueprint with
// the most rules.
func modelSize(root *yaml.Node) (members, entries, rules int64, worst *yaml.Node) {
	doc := deref(root)
	groupSize := map[string]int64{}
	var blueprints *yaml.Node
	for _, p := range pairs(doc) {
		switch keyString(p.k) {
		case "members":
			members += int64(len(items(p.v)))
		case "groups":
			for _, g := range pairs(p.v) {
				n := int64(len(items(g.v)))
				groupSize[keyString(g.k)] = n
				entries += n
			}
		case "blueprints":
			blueprints = p.v
		}
	}
	most := int64(-1)
	for _, bp := range pairs(blueprints) {
		n := int64(0)
		for _, f := range pairs(bp.v) {
			switch keyString(f.k) {
			case "domains", "emails":
				n += int64(len(items(f.v)))
			case "groups":
				for _, g := range items(f.v) {
					n += groupSize[g.Value]
				}
			}
		}
		rules += n
		if n > most {
			most, worst = n, bp.k
		}
	}
	return members, entries, rules, worst
}
