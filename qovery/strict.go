package qovery

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Go's encoding/json matches an answer's keys to fields regardless of case, and
// keeps the last of two keys it matches to one field: {"rules":[…],"RULES":[]}
// reads as an open ACL, {"role":"USER","ROLE":"ADMIN"} as an admin. What a
// reader that compares keys exactly would make of such an answer is another
// thing: portalctl does not guess which one the API meant. checkKeys refuses,
// before an answer is decoded, a key that differs from a field portalctl knows
// only by case, and a key given twice in one object (compared as encoding/json
// compares them); a key that differs from every known field in more than case is
// a field the API added, and is left alone.

// maxKeyDepth bounds the nesting checkKeys follows, as encoding/json bounds its
// own: deeper answers are left to json.Unmarshal, which refuses them.
const maxKeyDepth = 10000

// keyError is a key checkKeys refuses: what is wrong with it, and where in the
// answer it is.
type keyError struct {
	at, what string
}

// checkKeys walks the JSON in data once, its keys checked against the fields of
// t (the type data is decoded into). It returns nil for an answer whose keys are
// fine, and for one that is not JSON (json.Unmarshal says what is wrong with it).
func checkKeys(data []byte, t reflect.Type) *keyError {
	k := &keyChecker{data: data, fields: map[reflect.Type]map[string]field{}}
	if err := k.value(t, 0); err != nil && err != errNotJSON {
		return err
	}
	return nil
}

// errNotJSON stops checkKeys on input json.Unmarshal refuses anyway.
var errNotJSON = &keyError{what: "not JSON"}

type keyChecker struct {
	data   []byte
	i      int
	path   []step   // where the walk is, for messages
	keys   [][]byte // the keys of the objects open on the way (see object)
	buf    []byte   // a key folded
	fields map[reflect.Type]map[string]field
}

// field is a JSON field of a struct.
type field struct {
	name string
	typ  reflect.Type
}

// step is an object's key or an array's index on the way to a value.
type step struct {
	key   []byte
	index int // -1 for a key
}

func (k *keyChecker) ws() {
	for k.i < len(k.data) {
		switch k.data[k.i] {
		case ' ', '\t', '\r', '\n':
			k.i++
		default:
			return
		}
	}
}

// value checks the value at k.i, to be decoded into t (nil: not decoded, or
// into something whose keys are not fields).
func (k *keyChecker) value(t reflect.Type, depth int) *keyError {
	if depth > maxKeyDepth {
		return errNotJSON
	}
	k.ws()
	if k.i >= len(k.data) {
		return errNotJSON
	}
	t = structural(t)
	switch k.data[k.i] {
	case '{':
		return k.object(t, depth)
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		return k.array(elem, depth)
	case '"':
		for k.i++; k.i < len(k.data); k.i++ {
			switch k.data[k.i] {
			case '\\':
				k.i++
			case '"':
				k.i++
				return nil
			}
		}
		return errNotJSON
	}
	for k.i < len(k.data) && !strings.ContainsRune(",]} \t\r\n", rune(k.data[k.i])) {
		k.i++
	}
	return nil
}

// structural is the type whose JSON structure decides how t is decoded: nil for
// a type that decodes itself (time.Time, json.RawMessage) or an interface.
func structural(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface {
		return nil
	}
	p := reflect.PointerTo(t)
	if p.Implements(reflect.TypeFor[json.Unmarshaler]()) || p.Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return nil
	}
	return t
}

func (k *keyChecker) array(elem reflect.Type, depth int) *keyError {
	k.i++ // past the [
	for n := 0; ; n++ {
		k.ws()
		if k.i < len(k.data) && k.data[k.i] == ']' {
			k.i++
			return nil
		}
		if err := k.element(step{index: n}, elem, depth, ']'); err != nil {
			return err
		}
	}
}

// element reads the value at k.i, an array's item or an object's (the step of
// the path to it) of type t, and what follows it: a comma, or end, the byte
// that closes the array or object.
func (k *keyChecker) element(at step, t reflect.Type, depth int, end byte) *keyError {
	k.path = append(k.path, at)
	if err := k.value(t, depth+1); err != nil {
		return err
	}
	k.path = k.path[:len(k.path)-1]
	k.ws()
	switch {
	case k.i >= len(k.data):
		return errNotJSON
	case k.data[k.i] == ',':
		k.i++
	case k.data[k.i] != end:
		return errNotJSON
	}
	return nil
}

func (k *keyChecker) object(t reflect.Type, depth int) *keyError {
	k.i++ // past the {
	// The fields of a struct, by folded name; the values' type of a map.
	var known map[string]field
	var elem reflect.Type
	switch {
	case t != nil && t.Kind() == reflect.Struct:
		known = k.fieldsOf(t)
	case t != nil && t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	// The object's keys so far are k.keys[first:]: objects are small, and a
	// key is compared with each, as encoding/json folds them when they are
	// fields, exactly otherwise.
	first := len(k.keys)
	defer func() { k.keys = k.keys[:first] }()
	for {
		k.ws()
		if k.i >= len(k.data) {
			return errNotJSON
		}
		if k.data[k.i] == '}' {
			k.i++
			return nil
		}
		key, err := k.str()
		if err != nil {
			return err
		}
		vt := elem
		if known != nil {
			k.buf = fold(k.buf[:0], key)
			f, ok := known[string(k.buf)]
			if ok && f.name != string(key) {
				return k.refuse(key, fmt.Sprintf(", which differs from the field %s only in case: a reader that ignores case reads it as %s, one that does not ignores it", Quote(f.name), Quote(f.name)))
			}
			if ok {
				vt = f.typ
			}
		}
		for _, seen := range k.keys[first:] {
			if known != nil && bytes.EqualFold(seen, key) {
				return k.refuse(key, " twice in one object (keys compare regardless of case): a reader keeps one or the other")
			}
			if bytes.Equal(seen, key) {
				return k.refuse(key, " twice in one object: a reader keeps one or the other")
			}
		}
		k.keys = append(k.keys, key)
		k.ws()
		if k.i >= len(k.data) || k.data[k.i] != ':' {
			return errNotJSON
		}
		k.i++
		if err := k.element(step{key: key, index: -1}, vt, depth, '}'); err != nil {
			return err
		}
	}
}

// str reads the string at k.i as json.Unmarshal reads it, escapes undone: a part
// of the answer when it has none.
func (k *keyChecker) str() ([]byte, *keyError) {
	if k.i >= len(k.data) || k.data[k.i] != '"' {
		return nil, errNotJSON
	}
	start, escaped := k.i, false
	for k.i++; k.i < len(k.data); k.i++ {
		switch k.data[k.i] {
		case '\\':
			escaped = true
			k.i++
		case '"':
			k.i++
			raw := k.data[start:k.i]
			if !escaped && utf8.Valid(raw) {
				return raw[1 : len(raw)-1], nil
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, errNotJSON
			}
			return []byte(s), nil
		}
	}
	return nil, errNotJSON
}

// refuse is the keyError of key, in the object at the current path: "the key
// "ROLE" at results[3]" and why.
func (k *keyChecker) refuse(key []byte, why string) *keyError {
	var b strings.Builder
	for _, s := range k.path {
		if s.index >= 0 {
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.Write(s.key)
	}
	at := ""
	if b.Len() > 0 {
		at = " in " + b.String()
	}
	return &keyError{at: b.String(), what: "the key " + Quote(string(key)) + at + why}
}

// fieldsOf maps the folded names of the JSON fields of the struct t (those of
// embedded structs included) to the fields.
func (k *keyChecker) fieldsOf(t reflect.Type) map[string]field {
	if f, ok := k.fields[t]; ok {
		return f
	}
	f := map[string]field{}
	for _, sf := range reflect.VisibleFields(t) {
		if name, ok := jsonName(sf); ok {
			f[string(fold(nil, []byte(name)))] = field{name: name, typ: sf.Type}
		}
	}
	k.fields[t] = f
	return f
}

// jsonName is the name of a struct field in JSON, as encoding/json names it;
// ok is false for a field it does not decode.
func jsonName(sf reflect.StructField) (string, bool) {
	if !sf.IsExported() || sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag.Get("json") == "" {
		return "", false
	}
	tag := sf.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name, true
	}
	return sf.Name, true
}

// fold appends key to out, folded as encoding/json folds a key to match it with
// a field: every rune to the smallest of its case-folding orbit (so K, the
// Kelvin sign, is k), ASCII letters to upper case.
func fold(out, key []byte) []byte {
	for i := 0; i < len(key); {
		if c := key[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(key[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	return out
}
