package portal

import (
	"fmt"
	"time"
)

// Date is a calendar date, YYYY-MM-DD, read in UTC: the day an entry's access
// ends (`expires:`). The zero Date means "no date".
//
// An entry that expires on a date has no access from the start of that day, UTC:
// `expires: 2026-12-01` keeps access through 2026-11-30 and ends it at
// 2026-12-01T00:00:00Z. Expired reports it; Today says which day it is.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a date written YYYY-MM-DD, refusing one that is not a day of the
// calendar (2026-02-30) or is written otherwise.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || len(s) != len(time.DateOnly) {
		if len(s) == len(time.DateOnly) && s[4] == '-' && s[7] == '-' {
			return Date{}, fmt.Errorf("%s is not a day of the calendar", s)
		}
		return Date{}, fmt.Errorf("%q is not a date written YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf is the day t falls on, in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{y, m, d}
}

// IsZero reports whether d is no date.
func (d Date) IsZero() bool { return d == Date{} }

// String writes d as YYYY-MM-DD, or "" for no date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Time is the start of d, UTC.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Compare returns -1, 0 or +1 as d is before, the same day as, or after e.
func (d Date) Compare(e Date) int { return d.Time().Compare(e.Time()) }

// Before reports whether d is a day before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// AddDays is the day n days after d (before it when n is negative).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// DaysUntil counts the days from d to e: 1 when e is the next day, negative when
// e is before d.
func (d Date) DaysUntil(e Date) int { return int(e.days() - d.days()) }

// days counts the days since 1970-01-01 (negative before it): exact, as every day
// of UTC is 86,400 seconds long.
func (d Date) days() int64 { return d.Time().Unix() / 86400 }

// Expired reports whether an entry that expires on expires has lost its access on
// day today: from the start of the expiry day on. No expiry never expires; no
// today (the zero Date) expires nothing.
func Expired(expires, today Date) bool {
	return !expires.IsZero() && !today.IsZero() && !today.Before(expires)
}
