package guard

// NodeBound returns an upper bound on the number of nodes the YAML parser builds
// for data, in one pass over the bytes, without building anything. The parser
// spends about 170 bytes on each node whatever its size, so a file of tiny values
// ("[a,a,a,…]", "{a, a, …}") costs over a hundred times its size: the bound lets
// FitsParse refuse such a file before the parser allocates for it.
//
// Every node is one of: a scalar or an alias, which starts at a "start point" (a
// character after a blank, a line start or a flow indicator); a flow collection,
// which starts at "[" or "{"; a block collection, which starts at an entry ("- " or
// a key) written further right than the collection around it; or an empty (null)
// node, which only an indicator with nothing after it can make. The count errs on
// the high side wherever the text is ambiguous (a plain scalar with spaces counts
// once per word, a comment-like "#" inside a quoted string is still skipped
// correctly); TestNodeBound and FuzzNodeBound check it against the parser.
func NodeBound(data []byte) int {
	b := bounder{data: data}
	b.run()
	return b.n + 2 // the document, and a root that may be empty
}

type blockLevel struct {
	col int
	seq bool
}

// flowEntry tracks one entry of an open flow collection: whether a key, a ':'
// and a value were written in it.
type flowEntry struct {
	mapping           bool // in {...}; else in [...]
	key, colon, value bool
	started           bool
	opener            int // index of the collection in bounder.openers, when tracked
}

// opener is where a flow collection was opened, for error messages.
type opener struct {
	offset, line, col int
	closed            bool
}

type bounder struct {
	data []byte
	n    int
	// track records every flow collection's opener, and the ones open when the
	// scan passes offset stop.
	track      bool
	stop       int
	openers    []opener
	openAtStop []int
	line       int
	block      []blockLevel // open block collections, innermost last
	flow       []flowEntry  // open flow collections, innermost last
	// per line
	col        int // column of the byte at i, 1-based
	lineIndent int // column of the line's first non-blank character
	// since the last block indicator on this line
	entryCol  int  // column of the first thing written, 0 if none yet
	sawStart  bool // a scalar or collection was written
	prevBlank bool // the previous character was a blank, a line start or an indicator
}

func endsWord(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ':', ',', '[', ']', '{', '}':
		return true
	}
	return false
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func isBreak(c byte) bool { return c == '\n' || c == '\r' }

func (b *bounder) at(i int) byte {
	if i < len(b.data) {
		return b.data[i]
	}
	return 0
}

// blankAfter reports whether the byte after i ends an indicator: a blank, a
// line break or the end of the input (and, in a flow collection, a flow
// indicator).
func (b *bounder) blankAfter(i int) bool {
	c := b.at(i + 1)
	if c == 0 || isBlank(c) || isBreak(c) {
		return true
	}
	return len(b.flow) > 0 && (c == ',' || c == ']' || c == '}' || c == '[' || c == '{')
}

// blockEntry accounts for a block entry (a "- " or a key) at column col.
func (b *bounder) blockEntry(col int, seq bool) {
	for len(b.block) > 0 && b.block[len(b.block)-1].col > col {
		b.block = b.block[:len(b.block)-1]
	}
	if n := len(b.block); n > 0 && b.block[n-1].col == col {
		top := b.block[n-1]
		if top.seq == seq {
			return
		}
		if !seq && top.seq {
			// A key at the column of a sequence that is the value of a key at the
			// same column: the sequence ends, the mapping goes on.
			b.block = b.block[:n-1]
			if n > 1 && b.block[n-2].col == col && !b.block[n-2].seq {
				return
			}
		}
	}
	b.block = append(b.block, blockLevel{col: col, seq: seq})
	b.n++
}

func (b *bounder) snapshot() {
	b.openAtStop = make([]int, 0, len(b.flow))
	for _, e := range b.flow {
		b.openAtStop = append(b.openAtStop, e.opener)
	}
}

// UnclosedFlow finds the innermost flow collection ("[" or "{") that is open at
// offset and never closed in data, so that a syntax error the parser notices
// lines later is reported where the fix goes. It is NodeBound's scan, told to
// note where each flow collection opens and closes.
func UnclosedFlow(data []byte, offset int) (line, col int, c byte, ok bool) {
	b := bounder{data: data, track: true, stop: offset}
	b.run()
	for i := len(b.openAtStop) - 1; i >= 0; i-- {
		if o := b.openers[b.openAtStop[i]]; !o.closed {
			return o.line, o.col, data[o.offset], true
		}
	}
	return 0, 0, 0, false
}

// startNode counts a node starting at column col (a scalar, an alias, or the
// start of a flow collection).
func (b *bounder) startNode(col int) {
	if len(b.flow) > 0 {
		e := &b.flow[len(b.flow)-1]
		e.started = true
		if e.colon {
			e.value = true
		} else {
			e.key = true
		}
	} else {
		if b.entryCol == 0 {
			b.entryCol = col
		}
		b.sawStart = true
	}
}

// endEntry closes the entry of the innermost flow collection, counting the
// empty nodes and the implicit mapping it makes.
func (b *bounder) endEntry() {
	e := &b.flow[len(b.flow)-1]
	if e.started || e.colon {
		switch {
		case e.mapping:
			if !e.key {
				b.n++
			}
			if !e.value {
				b.n++
			}
		case e.colon:
			b.n++ // "[a: b]" makes a mapping of one pair
			if !e.key {
				b.n++
			}
			if !e.value {
				b.n++
			}
		}
	}
	*e = flowEntry{mapping: e.mapping, opener: e.opener}
}

func (b *bounder) newLine() {
	b.line++
	b.col = 1
	b.entryCol = 0
	b.sawStart = false
	b.prevBlank = true
	b.lineIndent = 0
}

func (b *bounder) run() {
	d := b.data
	b.newLine()
	for i := 0; i < len(d); {
		if b.track && i >= b.stop && b.openAtStop == nil {
			b.snapshot()
		}
		c := d[i]
		switch {
		case isBreak(c):
			i++
			if c == '\r' && i < len(d) && d[i] == '\n' {
				i++
			}
			b.newLine()
			continue
		case isBlank(c):
			i++
			b.col++
			b.prevBlank = true
			continue
		}
		if b.lineIndent == 0 {
			b.lineIndent = b.col
		}
		if c == '#' && (i == 0 || isBlank(d[i-1]) || isBreak(d[i-1])) {
			for i < len(d) && !isBreak(d[i]) {
				i++
			}
			continue
		}
		inFlow := len(b.flow) > 0
		if b.col == 1 && (c == '-' || c == '.') && i+3 <= len(d) && d[i+1] == c && d[i+2] == c && (i+3 == len(d) || isBlank(d[i+3]) || isBreak(d[i+3])) {
			b.n += 2 // a document marker: another document, maybe empty
			b.block = b.block[:0]
			i, b.col, b.prevBlank = i+3, b.col+3, true
			continue
		}
		switch {
		case (c == '[' || c == '{') && (inFlow || b.prevBlank):
			b.startNode(b.col)
			b.n++
			e := flowEntry{mapping: c == '{'}
			if b.track {
				e.opener = len(b.openers)
				b.openers = append(b.openers, opener{offset: i, line: b.line, col: b.col})
			}
			b.flow = append(b.flow, e)
			i, b.col, b.prevBlank = i+1, b.col+1, true
			continue
		case (c == ']' || c == '}') && inFlow:
			b.endEntry()
			if b.track {
				b.openers[b.flow[len(b.flow)-1].opener].closed = true
			}
			b.flow = b.flow[:len(b.flow)-1]
			i, b.col, b.prevBlank = i+1, b.col+1, true
			continue
		case c == ',' && inFlow:
			b.endEntry()
			i, b.col, b.prevBlank = i+1, b.col+1, true
			continue
		case c == ':' && (b.blankAfter(i) || inFlow || b.afterQuote(i)):
			if inFlow {
				e := &b.flow[len(b.flow)-1]
				if e.colon {
					b.startNode(b.col) // a second ':' is a plain character of the value
				} else {
					e.colon, e.started = true, true
				}
			} else {
				col := b.entryCol
				if col == 0 {
					col = b.col
					b.n++ // a value with no key: the key is empty
				}
				b.blockEntry(col, false)
				if b.restEmpty(i+1) && !b.nests(i+1, col, true) {
					b.n++ // a key with nothing after it: an empty value
				}
				b.entryCol, b.sawStart = 0, false
			}
			i, b.col, b.prevBlank = i+1, b.col+1, true
			continue
		case (c == '-' || c == '?') && b.prevBlank && b.blankAfter(i) && !inFlow:
			b.blockEntry(b.col, c == '-')
			if c == '?' {
				b.n += 2 // an explicit key and its value may both be empty
			} else if b.restEmpty(i+1) && !b.nests(i+1, b.col, false) {
				b.n++ // "-" with nothing after it: an empty item
			}
			b.entryCol, b.sawStart = 0, false
			i, b.col, b.prevBlank = i+1, b.col+1, true
			continue
		case c == '?' && b.prevBlank && b.blankAfter(i) && inFlow:
			e := &b.flow[len(b.flow)-1]
			e.started = true
			i, b.col, b.prevBlank = i+1, b.col+1, true
			continue
		}
		// Anything else starts a node when it follows a blank or an indicator,
		// and is part of the node being written otherwise. A quote or a block
		// scalar header after a word of a plain scalar on the same line ("b", "c"
		// as a value) is a character of that scalar, not the start of another.
		inScalar := b.sawStart
		if inFlow {
			e := b.flow[len(b.flow)-1]
			inScalar = e.colon && e.value || !e.colon && e.key
		}
		started := b.prevBlank
		if started {
			b.startNode(b.col)
			b.n++
		}
		b.prevBlank = false
		switch {
		case (c == '"' || c == '\'') && started && !inScalar:
			i = b.skipQuoted(i)
		case (c == '|' || c == '>') && !inFlow && started && !inScalar && b.restIsHeader(i+1):
			i = b.skipBlockScalar(i)
		default:
			// The rest of a word: only a blank, a line break or an indicator
			// can end it.
			i++
			b.col++
			for i < len(d) && !endsWord(d[i]) {
				if d[i]&0xC0 != 0x80 { // not a UTF-8 continuation byte: a new character
					b.col++
				}
				i++
			}
		}
	}
	if b.track && b.openAtStop == nil {
		b.snapshot()
	}
	for len(b.flow) > 0 { // unclosed: the parser fails, but count what was written
		b.endEntry()
		b.flow = b.flow[:len(b.flow)-1]
	}
}

// afterQuote reports whether the ':' at i follows a closing quote, where YAML
// reads it as a value indicator even without a blank after it.
func (b *bounder) afterQuote(i int) bool {
	return i > 0 && (b.data[i-1] == '"' || b.data[i-1] == '\'')
}

// restEmpty reports whether nothing but blanks and a comment follow on the line.
func (b *bounder) restEmpty(i int) bool {
	for ; i < len(b.data); i++ {
		switch c := b.data[i]; {
		case isBlank(c):
		case isBreak(c), c == '#':
			return true
		default:
			return false
		}
	}
	return true
}

// nests reports whether the next line with content, after the line holding i, is
// indented further than col (or, after a key, is a "- " at col: a sequence may be
// the value of a key at the same indentation), so that an indicator at col with
// nothing after it on its line has a value after all. Comment lines are skipped;
// inside a flow collection nothing nests.
func (b *bounder) nests(i, col int, key bool) bool {
	d := b.data
	for i < len(d) && !isBreak(d[i]) {
		i++
	}
	for i < len(d) {
		i++ // the break (a CR of CRLF counts as a blank line)
		j := i
		for j < len(d) && isBlank(d[j]) {
			j++
		}
		if j == len(d) {
			return false
		}
		if isBreak(d[j]) || d[j] == '#' {
			for j < len(d) && !isBreak(d[j]) {
				j++
			}
			i = j
			continue
		}
		c := j - i + 1
		return c > col || key && c == col && d[j] == '-' && (j+1 == len(d) || isBlank(d[j+1]) || isBreak(d[j+1]))
	}
	return false
}

// restIsHeader reports whether a block scalar indicator at i-1 is followed by a
// valid header: indentation and chomping indicators, then the end of the line.
func (b *bounder) restIsHeader(i int) bool {
	for ; i < len(b.data); i++ {
		switch c := b.data[i]; {
		case c >= '1' && c <= '9', c == '+', c == '-':
		default:
			return b.restEmpty(i)
		}
	}
	return true
}

// skipQuoted moves past a quoted scalar starting at i, across lines.
func (b *bounder) skipQuoted(i int) int {
	d, q := b.data, b.data[i]
	i++
	b.col++
	for i < len(d) {
		c := d[i]
		switch {
		case c == '\\' && q == '"':
			i += 2
			b.col += 2
			continue
		case c == q && q == '\'' && i+1 < len(d) && d[i+1] == '\'':
			i += 2
			b.col += 2
			continue
		case c == q:
			return i + 1
		case isBreak(c):
			i++
			if c == '\r' && i < len(d) && d[i] == '\n' {
				i++
			}
			b.col = 1
			b.line++
			continue
		}
		i++
		b.col++
	}
	return i
}

// skipBlockScalar moves past a literal or folded scalar whose header is at i:
// its content is every following line that is blank or indented further than
// the innermost block collection.
func (b *bounder) skipBlockScalar(i int) int {
	d := b.data
	parent := 0
	if len(b.block) > 0 {
		parent = b.block[len(b.block)-1].col
	}
	for i < len(d) && !isBreak(d[i]) { // the rest of the header line
		i++
	}
	for i < len(d) {
		// i is at a line break: look at the next line's indentation.
		j := i + 1
		if d[i] == '\r' && j < len(d) && d[j] == '\n' {
			j++
		}
		k := j
		for k < len(d) && isBlank(d[k]) {
			k++
		}
		if k < len(d) && !isBreak(d[k]) && k-j+1 <= parent {
			return i // a line at or left of the parent's column ends the scalar
		}
		for k < len(d) && !isBreak(d[k]) {
			k++
		}
		i = k
		b.line++
	}
	return i
}
