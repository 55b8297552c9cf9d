package suggest

import (
	"reflect"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"company", "compnay", 1},
		{"domains", "domian", 2},
		{"kitten", "sitting", 3},
		{"emails", "emails", 0},
		{"ü", "u", 1},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"access", "domains", "emails", "groups"}
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"transposition", "domians", []string{"domains"}},
		{"missing letter", "email", []string{"emails"}},
		{"prefix", "dom", []string{"domains"}},
		{"nothing close", "zzzzzz", nil},
		{"case", "Groups", []string{"groups"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Closest(tt.in, keys, 3); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Closest(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
