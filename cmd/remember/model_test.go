package main

import (
	"fmt"
	"testing"
)

// TestChooseModel: the model set wins when the store's vectors are of it
// or there are none; without one set, the store's (of most vectors); a
// model set that the store's vectors are not of embeds nothing.
func TestChooseModel(t *testing.T) {
	for _, c := range []struct {
		set      string
		stored   []string
		use      string
		mismatch bool
	}{
		{"", nil, "", false},
		{"", []string{"tiny"}, "tiny", false},
		{"", []string{"big", "tiny"}, "big", false},
		{"tiny", nil, "tiny", false},
		{"tiny", []string{"tiny"}, "tiny", false},
		{"tiny", []string{"big", "tiny"}, "tiny", false},
		{"big", []string{"tiny"}, "", true},
		{"other", []string{"big", "tiny"}, "", true},
	} {
		use, mismatch := chooseModel(c.set, c.stored)
		if use != c.use || mismatch != c.mismatch {
			t.Errorf("chooseModel(%q, %v) = %q, %v; want %q, %v", c.set, fmt.Sprint(c.stored), use, mismatch, c.use, c.mismatch)
		}
	}
}
