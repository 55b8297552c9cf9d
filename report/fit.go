package report

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// view is one level of detail of a document: how many items each list shows and
// how many names a sample shows. Renderers ask it, and it records what they left
// out, for the note.
//
// The level is the number of items a list of weight 4 shows; a list of weight w
// shows level×w/4 (at least one, unless the list may go entirely). Every list is
// capped at the same level, so when a report must shrink the longest lists give
// way first and in proportion, the lists that weigh less (the bottom sections)
// sooner, the alerts last. Samples of names shrink with the level too.
type view struct {
	level  int // -1: everything
	sample int
	p      *message.Printer

	// Filled while rendering: lists shown in part (shown, total), in the order met,
	// and whether a sample was shortened below the default.
	cut       map[string][2]int
	cutOrder  []string
	names     map[string]string
	sampleCut bool
	defSample int
}

func newView(level, defSample int) *view {
	if defSample <= 0 {
		defSample = DefaultSample
	}
	v := &view{level: level, defSample: defSample, sample: defSample, p: message.NewPrinter(language.English)}
	if level >= 0 {
		v.sample = min(defSample, max(1, level/3))
	}
	v.reset()
	return v
}

func (v *view) reset() {
	v.cut, v.cutOrder, v.names, v.sampleCut = map[string][2]int{}, nil, map[string]string{}, false
}

// take says how many of a list's total items to show, and records a cut.
func (v *view) take(id string, total, weight int, shed bool, name string) int {
	if id == "" || v.level < 0 {
		return total
	}
	c := v.level * weight / 4
	if !shed {
		// The lists a reviewer must see keep a floor, more for those that
		// weigh more: the alerts keep four items, the losses two.
		c = max(c, weight/4, 1)
	}
	if c >= total {
		return total
	}
	if _, seen := v.cut[id]; !seen {
		v.cutOrder = append(v.cutOrder, id)
	}
	v.cut[id] = [2]int{c, total}
	v.names[id] = name
	return c
}

// sampleOf says how many of n names a sample shows.
func (v *view) sampleOf(n int) int {
	if n > v.sample {
		if v.sample < v.defSample {
			v.sampleCut = true
		}
		return v.sample
	}
	return n
}

// num groups thousands: 1,830.
func (v *view) num(n int) string { return v.p.Sprintf("%d", n) }

// count is "1 member", "1,830 members".
func (v *view) count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return v.num(n) + " " + word + "s"
}

// maxLevel is the level at which a document shows everything.
func (d *doc) maxLevel(defSample int) int {
	top := 3 * defSample // samples are whole from here
	d.each(func(_ string, total, weight int, _ bool, _ string) {
		if weight > 0 {
			top = max(top, (total*4+weight-1)/weight)
		}
	})
	return top
}

// note says what a view left out or shortened, or nil. limit names the bound and
// whole says where the whole report is.
func (v *view) note(limit, whole string) line {
	var parts []string
	var dropped, capped []string
	for _, id := range v.cutOrder {
		c := v.cut[id]
		if c[0] == 0 {
			dropped = append(dropped, fmt.Sprintf("%s (%s)", v.names[id], v.num(c[1])))
			continue
		}
		capped = append(capped, fmt.Sprintf("%s shows %s of %s", v.names[id], v.num(c[0]), v.num(c[1])))
	}
	if len(dropped) > 0 {
		parts = append(parts, "left out "+joinAnd(dropped))
	}
	if len(capped) > 0 {
		parts = append(parts, joinAnd(capped))
	}
	if v.sampleCut {
		parts = append(parts, "lists of names show at most "+v.count(v.sample, "name"))
	}
	if len(parts) == 0 {
		return nil
	}
	if limit == "" {
		limit = "the size limit"
	}
	l := ln(txt("Shortened to fit " + limit + ": " + strings.Join(parts, "; ") + "."))
	if whole != "" {
		l = l.then(txt(" "), span{kind: sRaw, text: whole})
	}
	return l
}

// fit renders d with render at the most detailed level whose output is at most max
// bytes: the levels are tried by bisection, each render costing what it shows. It
// returns the view it rendered with; ok is false when even the least detailed
// level is too long.
func fit(d *doc, defSample, max int, render func(v *view) string) (out string, used *view, ok bool) {
	v := newView(-1, defSample)
	full := render(v)
	if max <= 0 || len(full) <= max {
		return full, v, true
	}
	hi := d.maxLevel(defSample)
	// A list with more items than bytes allowed cannot fit whole: start lower, so
	// that no try renders megabytes only to throw them away.
	hi = min(hi, max/8+3*defSample)
	lo := 0
	used = newView(0, defSample)
	best := render(used)
	if len(best) > max {
		return best, used, false
	}
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		v := newView(mid, defSample)
		if s := render(v); len(s) <= max {
			lo, best, used = mid, s, v
		} else {
			hi = mid - 1
		}
	}
	return best, used, true
}

// joinAnd is "a, b and c".
func joinAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
