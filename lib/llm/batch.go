package llm

import (
	"context"
	"sync"
	"time"
)

// Batcher groups embedding requests that arrive close together (from
// records worked on at once) into one request to the endpoint.
type Batcher struct {
	C     *Client
	Model string
	Max   int           // texts per request (default 32)
	Wait  time.Duration // how long a batch waits for company (default 5ms)

	mu      sync.Mutex
	pending []*embedCall
	timer   *time.Timer
}

type embedCall struct {
	text string
	vec  []float32
	err  error
	done chan struct{}
}

// Embed returns the vector of one text, sent with whatever others came in
// the same few milliseconds.
func (b *Batcher) Embed(ctx context.Context, text string) ([]float32, error) {
	call := &embedCall{text: text, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, call)
	max := b.Max
	if max <= 0 {
		max = 32
	}
	if len(b.pending) >= max {
		batch := b.pending
		b.pending = nil
		if b.timer != nil {
			b.timer.Stop()
			b.timer = nil
		}
		b.mu.Unlock()
		go b.send(batch)
	} else {
		if b.timer == nil {
			wait := b.Wait
			if wait <= 0 {
				wait = 5 * time.Millisecond
			}
			b.timer = time.AfterFunc(wait, b.flush)
		}
		b.mu.Unlock()
	}
	select {
	case <-call.done:
		return call.vec, call.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *Batcher) flush() {
	b.mu.Lock()
	batch := b.pending
	b.pending = nil
	b.timer = nil
	b.mu.Unlock()
	if len(batch) > 0 {
		b.send(batch)
	}
}

func (b *Batcher) send(batch []*embedCall) {
	texts := make([]string, len(batch))
	for i, c := range batch {
		texts[i] = c.text
	}
	vecs, err := b.C.Embed(context.Background(), b.Model, texts)
	for i, c := range batch {
		if err != nil {
			c.err = err
		} else {
			c.vec = vecs[i]
		}
		close(c.done)
	}
}
