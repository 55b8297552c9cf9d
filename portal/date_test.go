package portal

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Date
		bad  bool
	}{
		{in: "2026-12-01", want: Date{2026, time.December, 1}},
		{in: "2028-02-29", want: Date{2028, time.February, 29}}, // a leap year
		{in: "2026-02-29", bad: true},
		{in: "2026-02-30", bad: true},
		{in: "2026-13-01", bad: true},
		{in: "2026-00-10", bad: true},
		{in: "2026-1-01", bad: true},
		{in: "2026-12-01T00:00:00Z", bad: true},
		{in: "01/12/2026", bad: true},
		{in: "", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != tc.in {
				t.Fatalf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

// TestExpired pins the expiry day: access ends at the start of the day the entry
// expires, UTC, whatever the time of day or the zone the clock reports in.
func TestExpired(t *testing.T) {
	expires := Date{2026, time.December, 1}
	paris := time.FixedZone("UTC+1", 3600)
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), true},
		// 00:30 on December 1 in Paris is still November 30 in UTC.
		{time.Date(2026, 12, 1, 0, 30, 0, 0, paris), false},
		{time.Date(2026, 12, 1, 1, 0, 0, 0, paris), true},
	} {
		if got := Expired(expires, DateOf(tc.now)); got != tc.want {
			t.Errorf("Expired(%v, at %v) = %v, want %v", expires, tc.now, got, tc.want)
		}
	}
	if Expired(Date{}, DateOf(time.Now())) {
		t.Error("no expiry expired")
	}
	if Expired(expires, Date{}) {
		t.Error("without a day, an entry expired")
	}
}

// TestDaysUntil checks the day arithmetic against counting days one by one.
func TestDaysUntil(t *testing.T) {
	start := Date{2023, time.December, 25}
	d := start
	for n := 0; n < 2000; n++ {
		if got := start.DaysUntil(d); got != n {
			t.Fatalf("%v.DaysUntil(%v) = %d, want %d", start, d, got, n)
		}
		if got := d.DaysUntil(start); got != -n {
			t.Fatalf("%v.DaysUntil(%v) = %d, want %d", d, start, got, -n)
		}
		if got := start.AddDays(n); got != d {
			t.Fatalf("%v.AddDays(%d) = %v, want %v", start, n, got, d)
		}
		next := d.Time().Add(24 * time.Hour)
		d = DateOf(next)
	}
}
