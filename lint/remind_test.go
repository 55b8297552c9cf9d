package lint_test

import (
	"fmt"
	"testing"

	"github.com/qovery/portalctl/diag"
	"github.com/qovery/portalctl/portal"
	"github.com/qovery/portalctl/schema"
)

func day(s string) portal.Date {
	d, err := portal.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestExpiryWindow checks, on a fixed clock, which day the reminder starts and
// which day an entry counts as expired: the start of its expires day, UTC.
func TestExpiryWindow(t *testing.T) {
	for _, tc := range []struct {
		today, expires string
		warn           int
		want           string // the reminder's code, or ""
	}{
		{"2026-11-16", "2026-12-01", 14, ""},             // 15 days ahead
		{"2026-11-17", "2026-12-01", 14, "expires-soon"}, // 14 days ahead: the first day warned
		{"2026-11-30", "2026-12-01", 14, "expires-soon"}, // the last day of access
		{"2026-12-01", "2026-12-01", 14, "expired"},      // the expiry day itself
		{"2027-03-01", "2026-12-01", 14, "expired"},
		{"2026-11-30", "2026-12-01", 0, ""}, // --expiry-warning 0: only once expired
		{"2026-12-01", "2026-12-01", 0, "expired"},
		{"2026-11-01", "2026-12-01", 30, "expires-soon"},
		{"2026-10-31", "2026-12-01", 30, ""},
		{"2028-02-28", "2028-02-29", 1, "expires-soon"}, // across a leap day
		{"2028-02-29", "2028-03-01", 0, ""},
	} {
		t.Run(fmt.Sprintf("%s-%s-%d", tc.today, tc.expires, tc.warn), func(t *testing.T) {
			src := fmt.Sprintf("version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\n  - email: bob@company.com\n    expires: %s\nblueprints:\n  a:\n    access: open\n", tc.expires)
			l, err := schema.New(schema.Today(day(tc.today)), schema.ExpiryWarning(tc.warn))
			if err != nil {
				t.Fatal(err)
			}
			cfg, ds := l.Parse("portal.yaml", []byte(src))
			got := ""
			for _, d := range ds {
				if d.Code == "expired" || d.Code == "expires-soon" {
					got = d.Code
					if d.Pos.Line != 6 || d.Pos.Col != 14 || !d.Reminder || d.Severity != diag.Warning {
						t.Errorf("reminder %+v, want a warning marked as a reminder at 6:14, the date", d)
					}
				}
			}
			if got != tc.want {
				t.Fatalf("on %s, expires %s, warning %d days: got %q, want %q (%v)", tc.today, tc.expires, tc.warn, got, tc.want, ds)
			}
			bob, _ := cfg.Member("bob@company.com")
			if expired := bob.Expired(day(tc.today)); expired != (tc.want == "expired") {
				t.Fatalf("Expired = %v, reminder %q", expired, tc.want)
			}
			if ds.Strict().HasErrors() {
				t.Fatal("a reminder became an error under --strict")
			}
		})
	}
}

// TestNoClockNoReminder: a loader without a day makes no date checks, rather
// than reading a clock of its own.
func TestNoClockNoReminder(t *testing.T) {
	src := "version: 1\nmembers:\n  - email: alice@company.com\n    role: admin\n    expires: 2000-01-01\nblueprints:\n  a:\n    access: open\n"
	_, ds := newLoader(t).Parse("portal.yaml", []byte(src))
	if len(ds) != 0 {
		t.Fatalf("want no problems without a day, got %v", ds)
	}
}
