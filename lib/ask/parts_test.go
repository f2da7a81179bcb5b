package ask

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// guard bounds a wait that only a broken runner leaves hanging; it is
// never reached when the runner works, so no result depends on it.
const guard = time.Minute

func TestPartsOrder(t *testing.T) {
	// Each part waits for the one after it: they finish last to first,
	// and the answers still come in the order of the parts.
	const n = 5
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	got, err := Parts(context.Background(), n, make([]string, n), func(ctx context.Context, i int, _ string) (string, error) {
		defer close(done[i])
		if i+1 < n {
			select {
			case <-done[i+1]:
			case <-time.After(guard):
				return "", errors.New("the parts did not run at once")
			}
		}
		return fmt.Sprintf("answer %d", i), nil
	})
	want := []string{"answer 0", "answer 1", "answer 2", "answer 3", "answer 4"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("got %q, %v; want %q", got, err, want)
	}
}

func TestPartsLimit(t *testing.T) {
	tests := []struct {
		jobs, parts, want int // want: the most parts in flight at once
	}{
		{jobs: 1, parts: 5, want: 1},
		{jobs: 2, parts: 7, want: 2},
		{jobs: 3, parts: 3, want: 3},
		{jobs: 4, parts: 2, want: 2},
		{jobs: 0, parts: 3, want: 1}, // no jobs given: one at a time
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("jobs=%d,parts=%d", tt.jobs, tt.parts), func(t *testing.T) {
			var inFlight, most, started, finished atomic.Int64
			gate := make(chan struct{}) // opens once want parts run at once
			var once sync.Once
			var early atomic.Int64 // parts started before enough had finished
			limit := int64(max(tt.jobs, 1))
			_, err := Parts(context.Background(), tt.jobs, make([]string, tt.parts), func(ctx context.Context, i int, _ string) (int, error) {
				now := inFlight.Add(1)
				defer inFlight.Add(-1)
				for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
				}
				// Part i starts only when at most limit-1 earlier ones are
				// still in flight.
				if finished.Load() < int64(i)+1-limit {
					early.Add(1)
				}
				if started.Add(1) == int64(tt.want) {
					once.Do(func() { close(gate) })
				}
				select {
				case <-gate:
				case <-time.After(guard):
					return 0, errors.New("fewer parts than the limit ran at once")
				}
				finished.Add(1)
				return i, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if most.Load() != int64(tt.want) || early.Load() != 0 {
				t.Errorf("at most %d parts at once (want %d), %d started early", most.Load(), tt.want, early.Load())
			}
			if finished.Load() != int64(tt.parts) {
				t.Errorf("%d of %d parts done", finished.Load(), tt.parts)
			}
		})
	}
}

func TestPartsFailure(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name        string
		jobs, parts int
		fail        int    // the part that fails
		want        string // the error
		asked       int64  // parts asked at all
		cancelled   int64  // parts that saw their context cancelled
	}{
		{"one part: the error as it is", 1, 1, 0, "boom", 1, 0},
		{"at once: the others are cancelled", 4, 4, 1, "part 2 of 4: boom", 4, 3},
		{"one at a time: the rest are not asked", 1, 4, 0, "part 1 of 4: boom", 1, 0},
		{"two at a time", 2, 5, 1, "part 2 of 5: boom", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked, cancelled atomic.Int64
			all := make(chan struct{}) // opens once as many as run at once started
			var once sync.Once
			_, err := Parts(context.Background(), tt.jobs, make([]string, tt.parts), func(ctx context.Context, i int, _ string) (string, error) {
				if asked.Add(1) == int64(min(tt.jobs, tt.parts)) {
					once.Do(func() { close(all) })
				}
				<-all
				if i == tt.fail {
					return "", boom
				}
				select {
				case <-ctx.Done():
					cancelled.Add(1)
					return "", ctx.Err()
				case <-time.After(guard):
					return "", errors.New("not cancelled")
				}
			})
			if err == nil || err.Error() != tt.want || !errors.Is(err, boom) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if asked.Load() != tt.asked || cancelled.Load() != tt.cancelled {
				t.Errorf("%d parts asked, %d cancelled; want %d, %d", asked.Load(), cancelled.Load(), tt.asked, tt.cancelled)
			}
		})
	}
}

func TestPartsCancelled(t *testing.T) {
	// A run already stopped asks nothing and says why it stopped.
	stop := errors.New("interrupted by SIGINT")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(stop)
	asked := 0
	_, err := Parts(ctx, 1, []string{"a", "b"}, func(ctx context.Context, i int, _ string) (string, error) {
		asked++
		return "", nil
	})
	if !errors.Is(err, stop) || asked != 0 {
		t.Fatalf("error %v after %d parts asked", err, asked)
	}
}

func ExampleParts() {
	parts := []string{"one", "two", "three"}
	lengths, err := Parts(context.Background(), 2, parts, func(ctx context.Context, i int, part string) (int, error) {
		return len(part), nil
	})
	fmt.Println(lengths, err)
	// Output: [3 3 5] <nil>
}
