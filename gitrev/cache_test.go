package gitrev

import (
	"bytes"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
)

// TestSmallObjectsCache: the store's cache keeps commits, trees and small files,
// and never a large file (nor hashes it to key it).
func TestSmallObjectsCache(t *testing.T) {
	for _, tc := range []struct {
		name   string
		size   int
		cached bool
	}{
		{"empty", 0, true},
		{"small", 1 << 10, true},
		{"at the limit", maxCachedObject, true},
		{"one byte over", maxCachedObject + 1, false},
		{"a large portal file", 5 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := smallObjects{cache.NewObjectLRUDefault()}
			o := &plumbing.MemoryObject{}
			o.SetType(plumbing.BlobObject)
			if _, err := o.Write(bytes.Repeat([]byte("a"), tc.size)); err != nil {
				t.Fatal(err)
			}
			c.Put(o)
			if _, ok := c.Get(o.Hash()); ok != tc.cached {
				t.Errorf("a blob of %d bytes cached: %v, want %v", tc.size, ok, tc.cached)
			}
		})
	}
}
