package ask

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"testing"

	"github.com/shelfai/shelf/lib/llm"
	"github.com/shelfai/shelf/lib/sysexits"
)

var mems = []Memory{{Title: "one"}, {Title: "two"}, {Title: "three"}}

func TestFit(t *testing.T) {
	// cost: a prompt of base tokens, and per tokens for each memory.
	tests := []struct {
		name          string
		window, given int // given: --context-length (0: not given)
		base, per     int
		bad           func(name, format string, args ...any) error
		keep          int // memories kept
		reserve, text int
		code          int    // exit status of the error (0: none)
		msg           string // the error's message
		setting       bool   // the window is the person's setting
	}{
		{name: "room for all", window: 4096, base: 500, per: 100,
			keep: 3, reserve: 1024, text: 4096 - 1024 - 800 - 16},
		{name: "the answer's reserve is a quarter of a small window", window: 1024, base: 100,
			keep: 3, reserve: 256, text: 1024 - 256 - 100 - 16},
		{name: "memories dropped from the end while they crowd the text out", window: 2048, base: 300, per: 400,
			keep: 2, reserve: 512, text: 2048 - 512 - 1100 - 16},
		{name: "all dropped, and room left", window: 1024, base: 600, per: 500,
			keep: 0, reserve: 256, text: 1024 - 256 - 600 - 16},
		{name: "just room: 64 tokens of text, no memories", window: 1024, base: 1024 - 256 - 16 - 64,
			keep: 0, reserve: 256, text: 64},
		{name: "no room in the server's window", window: 1024, base: 1024 - 256 - 16 - 63,
			keep: 0, reserve: 256, text: 63, code: sysexits.Failure,
			msg: "a context window of 1024 tokens leaves no room for text after the prompt"},
		{name: "no room in the person's --context-length", window: 300, given: 300, base: 250,
			keep: 0, reserve: 75, text: 300 - 75 - 250 - 16, code: sysexits.Usage,
			msg: "--context-length 300 leaves no room for text after the prompt", setting: true},
		{name: "no room in the person's setting from a file", window: 300, given: 300, base: 250,
			bad: func(name, format string, args ...any) error {
				return sysexits.Errorf(sysexits.Config, "fix it in that file", "shelf.toml:3: "+name+" "+format, args...)
			},
			keep: 0, reserve: 75, text: 300 - 75 - 250 - 16, code: sysexits.Config,
			msg: "shelf.toml:3: context-length 300 leaves no room for text after the prompt", setting: true},
		{name: "no room in a server's window smaller than --context-length", window: 300, given: 8192, base: 250,
			keep: 0, reserve: 75, text: 300 - 75 - 250 - 16, code: sysexits.Failure,
			msg: "a context window of 300 tokens leaves no room for text after the prompt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{ContextLength: tt.given, BadSetting: tt.bad}.withDefaults("test")
			calls := 0
			var last []Memory
			b, err := o.Fit(tt.window, mems, func(m []Memory) (int, error) {
				calls++
				last = m
				return tt.base + tt.per*len(m), nil
			})
			if len(b.Context) != tt.keep || len(last) != tt.keep || b.Reserve != tt.reserve || b.Text(tt.base+tt.per*tt.keep) != tt.text {
				t.Errorf("kept %d memories (cost last saw %d), reserve %d, text %d; want %d, %d, %d",
					len(b.Context), len(last), b.Reserve, b.Text(tt.base+tt.per*tt.keep), tt.keep, tt.reserve, tt.text)
			}
			for i, m := range b.Context {
				if m != mems[i] {
					t.Errorf("memory %d is %v, want %v", i, m, mems[i])
				}
			}
			// A binary search: all memories, then about log2 of them, then
			// the plan kept.
			if limit := 2 + bits.Len(uint(len(mems))); calls > limit {
				t.Errorf("cost called %d times, want at most %d", calls, limit)
			}
			if tt.code == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var room *NoRoomError
			if !errors.As(err, &room) || room.Window != tt.window || room.Setting != tt.setting {
				t.Fatalf("error %v (%+v), want a *NoRoomError of window %d, setting %v", err, room, tt.window, tt.setting)
			}
			// What to do is the tool's to say (lib/tool): the error
			// carries no hint of its own, only the one BadSetting gave.
			wantHint := ""
			if tt.bad != nil {
				wantHint = "fix it in that file"
			}
			if sysexits.Code(err) != tt.code || err.Error() != tt.msg || sysexits.Hint(err) != wantHint {
				t.Errorf("exit %d %q hint %q; want %d %q hint %q", sysexits.Code(err), err, sysexits.Hint(err), tt.code, tt.msg, wantHint)
			}
		})
	}
}

// TestFitShared: in the shared layout, two tools whose prompts ask
// different things after the text get the same budget (so they cut a text
// into the same parts) and keep the same memories, as long as what they
// ask takes no more than the answer's reserve; one that asks more plans
// with its own cost.
func TestFitShared(t *testing.T) {
	o := Options{}.withDefaults("test")
	// The shared part: 100 tokens, and 300 for each memory.
	shared := func(m []Memory) (int, error) { return 100 + 300*len(m), nil }
	tests := []struct {
		name         string
		window, asks int // asks: what the tool's prompt takes besides the shared part
		keep         int // memories kept
		shared, text int
	}{
		{name: "asks little", window: 4096, asks: 60,
			keep: 3, shared: 1000 + 1024, text: 4096 - 1024 - 2024 - 16},
		{name: "asks up to the reserve: the same", window: 4096, asks: 1024,
			keep: 3, shared: 1000 + 1024, text: 4096 - 1024 - 2024 - 16},
		{name: "asks more: its own cost", window: 4096, asks: 1100,
			keep: 3, shared: 1000 + 1024, text: 4096 - 1024 - 2100 - 16},
		// Memories are dropped by the shared cost, the same for every
		// tool that asks no more than the reserve.
		{name: "small window, asks little", window: 2048, asks: 50,
			keep: 2, shared: 700 + 512, text: 2048 - 512 - 1212 - 16},
		{name: "small window, asks up to the reserve", window: 2048, asks: 500,
			keep: 2, shared: 700 + 512, text: 2048 - 512 - 1212 - 16},
		{name: "small window, asks more: fewer memories", window: 2048, asks: 600,
			keep: 1, shared: 400 + 512, text: 2048 - 512 - 1000 - 16},
		// A window whose room after the text would leave none for text,
		// where the tool's own cost does: its own cost, unshared.
		{name: "tiny window", window: 300, asks: 10,
			keep: 0, shared: 0, text: 300 - 75 - 110 - 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cost := func(m []Memory) (int, error) { c, _ := shared(m); return c + tt.asks, nil }
			b, err := o.FitShared(tt.window, mems, shared, cost)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := cost(b.Context)
			if len(b.Context) != tt.keep || b.Shared != tt.shared || b.Text(c) != tt.text {
				t.Errorf("kept %d memories, shared %d, text %d; want %d, %d, %d", len(b.Context), b.Shared, b.Text(c), tt.keep, tt.shared, tt.text)
			}
			if own := tt.window - b.Reserve - c - 16; b.Own(c) != own {
				t.Errorf("own budget %d, want %d", b.Own(c), own)
			}
		})
	}
	// Without a shared part, FitShared is Fit.
	cost := func(m []Memory) (int, error) { return 300 + 100*len(m), nil }
	a, _ := o.Fit(2048, mems, cost)
	b, _ := o.FitShared(2048, mems, nil, cost)
	if a.Shared != 0 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("Fit %+v, FitShared without a shared part %+v", a, b)
	}
}

func TestFitCostError(t *testing.T) {
	bad := errors.New("template: no such field")
	_, err := Options{}.withDefaults("test").Fit(4096, mems, func([]Memory) (int, error) { return 0, bad })
	if !errors.Is(err, bad) {
		t.Fatalf("error %v", err)
	}
}

// windows is a model whose window is the next of its list at each call
// (the last one from then on), as llm.Client's is lowered by a cut. It
// answers nothing: InWindow asks it only its window.
type windows struct {
	model
	list []int
}

type model = Model

func (w *windows) Window(context.Context) int {
	n := w.list[0]
	if len(w.list) > 1 {
		w.list = w.list[1:]
	}
	return n
}

func TestInWindow(t *testing.T) {
	cut := sysexits.New(sysexits.Failure, "give --context-length 512", &llm.TruncatedError{Sent: 900, Took: 512, Window: 4096})
	other := errors.New("boom")
	noRoom := func(w int) error {
		if w < 1000 {
			return &NoRoomError{Window: w, Err: fmt.Errorf("a context window of %d tokens leaves no room", w)}
		}
		return nil
	}
	tests := []struct {
		name    string
		windows []int   // the model's window at each call
		fails   []error // work's result at each call
		again   func(int) error
		worked  []int  // the windows work ran for
		onCut   []int  // what OnCut heard
		msg     string // the error ("": none)
	}{
		{"no cut: once", []int{4096}, []error{nil}, noRoom, []int{4096}, nil, ""},
		{"another error: once, as it is", []int{4096}, []error{other}, noRoom, []int{4096}, nil, "boom"},
		{"the cut shows the server's window", []int{4096, 3000}, []error{cut, nil}, noRoom, []int{4096, 3000}, []int{3000}, ""},
		{"the window was right, the estimate low: half", []int{4096, 4096}, []error{cut, nil}, noRoom, []int{4096, 2048}, []int{2048}, ""},
		{"cut again: the second cut is the error", []int{4096}, []error{cut, cut}, noRoom, []int{4096, 2048}, []int{2048}, cut.Error()},
		{"no room in the smaller window: the cut, and why", []int{4096, 512}, []error{cut}, noRoom, []int{4096}, nil,
			cut.Error() + "; split for a window of 512 tokens, the prompt would leave no room for text"},
		{"a reason of the tool's own goes before the cut", []int{4096}, []error{cut},
			func(int) error { return errors.New("half of it is out") }, []int{4096}, nil, "half of it is out: " + cut.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var worked, heard []int
			a := New[Model]("test", &windows{list: tt.windows}, nil, Options{OnCut: func(line, window int) {
				if line != 7 {
					t.Errorf("OnCut heard line %d", line)
				}
				heard = append(heard, window)
			}})
			err := a.InWindow(context.Background(), 7, tt.again, func(window int) error {
				worked = append(worked, window)
				return tt.fails[len(worked)-1]
			})
			if fmt.Sprint(worked) != fmt.Sprint(tt.worked) || fmt.Sprint(heard) != fmt.Sprint(tt.onCut) {
				t.Errorf("worked for %v, OnCut heard %v; want %v, %v", worked, heard, tt.worked, tt.onCut)
			}
			if tt.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tt.msg {
				t.Fatalf("error %v, want %q", err, tt.msg)
			}
			if strings.Contains(tt.msg, "the server cut") && (sysexits.Code(err) != sysexits.Failure || sysexits.Hint(err) != "give --context-length 512") {
				t.Errorf("exit %d hint %q: not the cut's", sysexits.Code(err), sysexits.Hint(err))
			}
		})
	}
}

// TestFitManyMemories: a record with thousands of related memories is
// planned with a few renderings of its prompt, not one per memory dropped.
func TestFitManyMemories(t *testing.T) {
	mems := make([]Memory, 5000)
	calls := 0
	b, err := Options{}.Fit(4096, mems, func(m []Memory) (int, error) {
		calls++
		return 100 + 10*len(m), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The most memories that leave an eighth of the window for text.
	k := len(b.Context)
	if b.Text(100+10*k) < 4096/8 || b.Text(100+10*(k+1)) >= 4096/8 {
		t.Errorf("kept %d memories: not the most that leave room for text", k)
	}
	if calls > 16 {
		t.Errorf("cost called %d times for 5000 memories", calls)
	}
}
