package diag

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain", "data-science", `"data-science"`},
		{"a control character shows as an escape", "bob\x07@company.com", `"bob\a@company.com"`},
		{"80 characters, whole", strings.Repeat("é", 80), `"` + strings.Repeat("é", 80) + `"`},
		{"longer: cut, with its length", strings.Repeat("é", 81), `"` + strings.Repeat("é", 80) + `"… (81 characters)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Quote(tc.in); got != tc.want {
				t.Errorf("Quote = %s, want %s", got, tc.want)
			}
		})
	}
}
