package sysexits

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeAndHint(t *testing.T) {
	base := New(Config, "set --api-key", errors.New("bad key"))
	wrapped := fmt.Errorf("record 3: %w", base)
	if Code(wrapped) != Config || Hint(wrapped) != "set --api-key" {
		t.Fatalf("code %d hint %q", Code(wrapped), Hint(wrapped))
	}
	if Code(nil) != OK || Code(errors.New("x")) != Failure || Hint(errors.New("x")) != "" {
		t.Fatal("defaults")
	}
	if New(Usage, "h", nil) != nil {
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

func TestJoin(t *testing.T) {
	if Join(nil, nil) != nil {
		t.Fatal("Join of nils must be nil")
	}
	one := New(TempFail, "retry later", errors.New("2 of 5 records failed"))
	if Join(nil, one) != one {
		t.Fatal("Join of one error must be that error")
	}
	side := New(CantCreate, "check the folder", errors.New("not appended to todo.txt"))
	for _, err := range []error{Join(one, side), Join(side, one)} {
		if Code(err) != CantCreate || Hint(err) != "check the folder" {
			t.Errorf("code %d hint %q, want the store's", Code(err), Hint(err))
		}
		if !errors.Is(err, one) || !errors.Is(err, side) {
			t.Error("the joined errors must stay reachable")
		}
	}
	if got := Join(side, one).Error(); got != "not appended to todo.txt; 2 of 5 records failed" {
		t.Errorf("message %q", got)
	}
	stop := New(Interrupted, "", errors.New("interrupted by SIGINT"))
	if Code(Join(side, stop)) != Interrupted {
		t.Error("an interruption is the worst")
	}
}
