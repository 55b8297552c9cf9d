package gitrev

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
)

// maxDeltaChain bounds the deltas readPacked follows to rebuild one blob (git
// makes chains of at most 50 by default): a longer chain, or a loop of
// references, is left to go-git.
const maxDeltaChain = 1000

// errNotPacked says readPacked cannot rebuild a blob itself (it is loose, in
// another store, or its chain is one readPacked leaves to go-git): the caller
// reads it through go-git.
var errNotPacked = errors.New("not rebuilt from a pack")

// readPacked reads blob h straight from the pack of the repository that holds
// it, as go-git would, but rebuilding it through its chain of deltas in two
// buffers of the largest version's size, in place of go-git's new, growing
// buffer for every version on the chain: a portal file of megabytes stored as
// a chain of fifty deltas is read in a fraction of the time and memory. The
// result is checked against h. Anything else (a loose object, an alternate
// store, a chain through another pack, a version over MaxFileSize, a result
// that does not hash to h) is errNotPacked, for the caller to read the blob
// through go-git and judge it there.
func (r *resolver) readPacked(h plumbing.Hash) ([]byte, error) {
	st, ok := r.objects.(*filesystem.Storage)
	if !ok {
		return nil, errNotPacked
	}
	dg := dotgit.New(st.Filesystem())
	if r.packs == nil {
		ps, err := dg.ObjectPacks()
		if err != nil {
			return nil, errNotPacked
		}
		r.packs = make([]pack, len(ps))
		for i, p := range ps {
			idx, err := readIndex(dg, p)
			if err != nil {
				return nil, errNotPacked
			}
			r.packs[i] = pack{hash: p, idx: idx}
		}
	}
	for _, p := range r.packs {
		off, err := p.idx.FindOffset(h)
		if err != nil {
			continue // not in this pack
		}
		data, err := rebuild(dg, p.hash, p.idx, off)
		if err != nil || plumbing.ComputeHash(plumbing.BlobObject, data) != h {
			return nil, errNotPacked
		}
		return data, nil
	}
	return nil, errNotPacked
}

// pack is one pack of the repository, and its index.
type pack struct {
	hash plumbing.Hash
	idx  *idxfile.MemoryIndex
}

// readIndex decodes the index of pack p.
func readIndex(dg *dotgit.DotGit, p plumbing.Hash) (*idxfile.MemoryIndex, error) {
	f, err := dg.ObjectPackIdx(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	idx := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(f).Decode(idx); err != nil {
		return nil, err
	}
	return idx, nil
}

// rebuild reads the blob at offset off of pack p (idx its index): the deltas
// from it to the whole object the chain starts from, then each applied in turn
// from one buffer into the other.
func rebuild(dg *dotgit.DotGit, p plumbing.Hash, idx *idxfile.MemoryIndex, off int64) ([]byte, error) {
	f, err := dg.ObjectPack(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := packfile.NewScanner(f)
	var deltas [][]byte // from the blob's own to the first on the chain
	size := int64(0)    // the largest version's
	for {
		hd, err := sc.SeekObjectHeader(off)
		if err != nil {
			return nil, err
		}
		if hd.Length < 0 || hd.Length > MaxFileSize {
			return nil, errNotPacked
		}
		switch hd.Type {
		case plumbing.OFSDeltaObject, plumbing.REFDeltaObject:
			if len(deltas) == maxDeltaChain {
				return nil, errNotPacked
			}
			var d bytes.Buffer
			if _, _, err := sc.NextObject(&d); err != nil {
				return nil, err
			}
			src, target, err := deltaSizes(d.Bytes())
			if err != nil {
				return nil, err
			}
			size = max(size, src, target)
			deltas = append(deltas, d.Bytes())
			if hd.Type == plumbing.OFSDeltaObject {
				off = hd.OffsetReference
			} else if off, err = idx.FindOffset(hd.Reference); err != nil {
				return nil, errNotPacked // a base in another pack
			}
			continue
		case plumbing.BlobObject:
		default:
			return nil, errNotPacked
		}
		size = max(size, hd.Length)
		a := bytes.NewBuffer(make([]byte, 0, size))
		if _, _, err := sc.NextObject(a); err != nil {
			return nil, err
		}
		if int64(a.Len()) != hd.Length {
			return nil, errNotPacked
		}
		src, dst := a.Bytes(), make([]byte, 0, size)
		for i := len(deltas) - 1; i >= 0; i-- {
			if dst, err = applyDelta(dst[:0], src, deltas[i]); err != nil {
				return nil, err
			}
			src, dst = dst, src
		}
		return src, nil
	}
}

// deltaSizes reads the sizes a git delta starts with: of the object it
// applies to, and of the one it makes. Each is at most MaxFileSize.
func deltaSizes(delta []byte) (src, target int64, err error) {
	s, rest, err := uvarint(delta)
	if err != nil {
		return 0, 0, err
	}
	t, _, err := uvarint(rest)
	if err != nil {
		return 0, 0, err
	}
	return int64(s), int64(t), nil
}

// errBadDelta is a delta that does not apply (see applyDelta).
var errBadDelta = errors.New("invalid delta")

// uvarint reads a size of a git delta's header (little-endian groups of 7
// bits, the high bit set on all but the last byte), at most MaxFileSize.
func uvarint(b []byte) (uint64, []byte, error) {
	var n uint64
	for i, shift := 0, 0; i < len(b); i, shift = i+1, shift+7 {
		n |= uint64(b[i]&0x7f) << shift
		if n > MaxFileSize {
			return 0, nil, fmt.Errorf("%w: a size over %d bytes", errBadDelta, MaxFileSize)
		}
		if b[i]&0x80 == 0 {
			return n, b[i+1:], nil
		}
		if shift > 28 {
			return 0, nil, fmt.Errorf("%w: a size over %d bytes", errBadDelta, MaxFileSize)
		}
	}
	return 0, nil, fmt.Errorf("%w: %w", errBadDelta, io.ErrUnexpectedEOF)
}

// applyDelta appends to dst the object git delta delta makes of src (see
// git's patch-delta.c): its header's sizes must be src's and the result's,
// every copy must stay inside src and the result, and the whole delta must be
// used. dst is expected to have room for the result.
func applyDelta(dst, src, delta []byte) ([]byte, error) {
	s, delta, err := uvarint(delta)
	if err != nil {
		return nil, err
	}
	if s != uint64(len(src)) {
		return nil, fmt.Errorf("%w: it applies to %d bytes, not %d", errBadDelta, s, len(src))
	}
	target, delta, err := uvarint(delta)
	if err != nil {
		return nil, err
	}
	start := len(dst)
	for len(delta) > 0 {
		cmd := delta[0]
		delta = delta[1:]
		switch {
		case cmd&0x80 != 0: // copy from src: offset and size, their bytes present as the bits say
			var off, n uint64
			for i := range 7 {
				if cmd&(1<<i) == 0 {
					continue
				}
				if len(delta) == 0 {
					return nil, fmt.Errorf("%w: a copy cut short", errBadDelta)
				}
				if i < 4 {
					off |= uint64(delta[0]) << (8 * i)
				} else {
					n |= uint64(delta[0]) << (8 * (i - 4))
				}
				delta = delta[1:]
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(src)) || uint64(len(dst)-start)+n > target {
				return nil, fmt.Errorf("%w: a copy out of bounds", errBadDelta)
			}
			dst = append(dst, src[off:off+n]...)
		case cmd != 0: // insert the next cmd bytes of the delta
			n := uint64(cmd)
			if n > uint64(len(delta)) || uint64(len(dst)-start)+n > target {
				return nil, fmt.Errorf("%w: an insert out of bounds", errBadDelta)
			}
			dst = append(dst, delta[:n]...)
			delta = delta[n:]
		default:
			return nil, fmt.Errorf("%w: command 0", errBadDelta)
		}
	}
	if uint64(len(dst)-start) != target {
		return nil, fmt.Errorf("%w: it makes %d bytes, not %d", errBadDelta, len(dst)-start, target)
	}
	return dst, nil
}
