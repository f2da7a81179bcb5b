package sysexits

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeAndHint(t *testing.T) {
	base := New(Config, errors.New("bad key"), "set --api-key")
	wrapped := fmt.Errorf("record 3: %w", base)
	if Code(wrapped) != Config || Hint(wrapped) != "set --api-key" {
		t.Fatalf("code %d hint %q", Code(wrapped), Hint(wrapped))
	}
	if Code(nil) != OK || Code(errors.New("x")) != Failure || Hint(errors.New("x")) != "" {
		t.Fatal("defaults")
	}
	if New(Usage, nil, "h") != nil {
		t.Fatal("New(nil) must be nil")
	}
}

func TestWorst(t *testing.T) {
	tests := []struct {
		in   []int
		want int
	}{
		{nil, OK},
		{[]int{OK, DataErr}, DataErr},
		{[]int{DataErr, TempFail}, TempFail},
		{[]int{TempFail, Failure}, Failure},
		{[]int{Failure, Unavailable, TempFail}, Unavailable},
		{[]int{Unavailable, Config}, Config},
		{[]int{Config, Interrupted}, Interrupted},
		{[]int{NoInput, Failure}, NoInput},
		{[]int{Failure, NoInput}, NoInput},
		{[]int{Unavailable, CantCreate}, CantCreate},
		{[]int{77, 76}, 77},
		{[]int{76, 77}, 77},
	}
	for _, tt := range tests {
		if got := Worst(tt.in...); got != tt.want {
			t.Errorf("Worst(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
