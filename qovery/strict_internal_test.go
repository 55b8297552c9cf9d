package qovery

import (
	"reflect"
	"strings"
	"testing"
)

// TestCheckKeys: the key a reader could take for another is refused with the
// path to its object; what is not JSON is left to json.Unmarshal (nil), however
// far the walk got.
func TestCheckKeys(t *testing.T) {
	type answer struct {
		Results []struct {
			Role  string `json:"role"`
			Rules []struct {
				Type string `json:"type"`
			} `json:"rules"`
		} `json:"results"`
		Next string `json:"next_cursor"`
	}
	tests := []struct {
		name, data string
		at, what   string // the keyError's; "" what: none
	}{
		{"fine", `{"results":[{"role":"a","rules":[{"type":"x"},{"type":"y"}]},{"role":"b"}],"next_cursor":""}`, "", ""},
		{"in the second item", `{"results":[{"role":"a"} , {"role":"b","ROLE":"c"}]}`, "results[1]", `the key "ROLE" in results[1], which differs from the field "role" only in case`},
		{"nested", `{"results":[{"rules":[{"type":"x"},{"TYPE":"y"}]}]}`, "results[0].rules[1]", `the key "TYPE" in results[0].rules[1]`},
		{"at the top after nested values", `{"results":[{"rules":[{"type":"x"}]}],"NEXT_CURSOR":"c"}`, "", `the key "NEXT_CURSOR", which differs`},
		{"twice", `{"results":[],"results":[]}`, "", `the key "results" twice in one object (keys compare regardless of case)`},
		{"a bad separator before the key", `{"results":[{"role":"a"}; {"ROLE":"b"}]}`, "", ""},
		{"an array not closed", `{"results":[{"role":"a"}`, "", ""},
		{"an object not closed", `{"results":[{"role":"a"]}`, "", ""},
		{"nothing after a comma", `{"results":[{"role":"a"},`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ke := checkKeys([]byte(tt.data), reflect.TypeFor[answer]())
			switch {
			case tt.what == "" && ke != nil:
				t.Errorf("refused: %+v", ke)
			case tt.what != "" && (ke == nil || ke.at != tt.at || !strings.HasPrefix(ke.what, tt.what)):
				t.Errorf("got %+v, want at %q, what %q…", ke, tt.at, tt.what)
			}
		})
	}
}
