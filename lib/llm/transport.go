package llm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shelfai/shelf/lib/safetext"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// transport is the HTTP layer under go-openai: it sends the temperature
// that go-openai would drop when it is zero, bounds each attempt in time,
// retries 429, 5xx and connection errors with exponential backoff and jitter
// (honouring Retry-After), and, once the endpoint has proved unreachable,
// fails every later request at once instead of retrying each.
type transport struct {
	client      *http.Client
	timeout     time.Duration
	retries     int
	temperature float64
	backoff     time.Duration // first backoff step
	maxWait     time.Duration // longest single wait
	maxAnswer   int64         // the most bytes read of one answer
	onRetry     func(attempt int, wait time.Duration, why string)

	mu   sync.Mutex
	down error
	// ok is set once any request got an HTTP answer.
	ok atomic.Bool
}

func newTransport(cfg Config) *transport {
	dialer := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}
	dial := dialer.DialContext
	if cfg.Dial != nil {
		dial = cfg.Dial
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dial,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   cfg.ConnectTimeout,
		ExpectContinueTimeout: time.Second,
	}
	t := &transport{
		client:      &http.Client{Transport: tr},
		timeout:     cfg.Timeout,
		retries:     cfg.Retries,
		temperature: cfg.Temperature,
		backoff:     cfg.Backoff,
		maxWait:     2 * time.Minute,
		maxAnswer:   cfg.MaxAnswer,
	}
	if t.backoff <= 0 {
		t.backoff = 500 * time.Millisecond
	}
	return t
}

// unreachable is the error of an endpoint that could not be connected to.
type unreachable struct{ err error }

func (u *unreachable) Error() string { return u.err.Error() }
func (u *unreachable) Unwrap() error { return u.err }

// wentAway is the error of an endpoint that answered earlier in the run and
// now refuses connections.
type wentAway struct{ err error }

func (w *wentAway) Error() string { return w.err.Error() }
func (w *wentAway) Unwrap() error { return w.err }

// timeoutError is an attempt that got no (complete) answer in time.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string { return fmt.Sprintf("no answer within %s", e.d) }

// TooLargeError is an answer longer than Config.MaxAnswer: reading stopped
// there, so memory stays bounded whatever a server sends.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the answer is larger than %s", FormatSize(e.Limit))
}

// FormatSize writes a byte count the way people read sizes: 32 MiB.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// streamActivity is put in a streamed request's context by Stream: the
// stream's silence timer is reset only when the answer's content grows, not
// by bytes that carry nothing (SSE comments, keep-alive lines, empty
// chunks).
type streamActivity struct {
	mu    sync.Mutex
	reset func()
}

type activityKey struct{}

// withActivity returns ctx with a new streamActivity.
func withActivity(ctx context.Context) (context.Context, *streamActivity) {
	a := &streamActivity{}
	return context.WithValue(ctx, activityKey{}, a), a
}

// touch says the answer's content grew.
func (a *streamActivity) touch() {
	if a == nil {
		return
	}
	a.mu.Lock()
	f := a.reset
	a.mu.Unlock()
	if f != nil {
		f()
	}
}

func (a *streamActivity) set(f func()) {
	a.mu.Lock()
	a.reset = f
	a.mu.Unlock()
}

func (t *transport) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/chat/completions") {
		// go-openai omits a zero temperature; a deterministic run must send it.
		if b, err := sjson.SetBytes(body, "temperature", t.temperature); err == nil {
			body = b
		}
	}
	stream := gjson.GetBytes(body, "stream").Bool()
	for attempt := 0; ; attempt++ {
		t.mu.Lock()
		down := t.down
		t.mu.Unlock()
		if down != nil {
			return nil, down
		}
		resp, err := t.attempt(req, body, stream)
		if errors.As(err, new(*TooLargeError)) {
			return nil, err // the same answer would come again
		}
		if dns := new(net.DNSError); errors.As(err, &dns) && dns.IsNotFound {
			// A name that does not resolve is a typo, not a server
			// that is starting: no retries, and every later request
			// fails at once too.
			down := &unreachable{err}
			t.mu.Lock()
			t.down = down
			t.mu.Unlock()
			return nil, down
		}
		if err == nil && !retryableStatus(resp.StatusCode) {
			t.ok.Store(true)
			return resp, nil
		}
		if req.Context().Err() != nil {
			if resp != nil {
				resp.Body.Close()
			}
			return nil, req.Context().Err()
		}
		var why string
		var wait time.Duration
		if err != nil {
			why = safetext.Visible(err.Error())
		} else {
			t.ok.Store(true)
			why = safetext.Visible(resp.Status) // the server's own words
			wait = retryAfter(resp.Header.Get("Retry-After"))
		}
		if attempt >= t.retries {
			if err != nil {
				if isConnError(err) {
					// The endpoint is gone: later requests fail at once
					// instead of each waiting through its retries.
					var down error = &unreachable{err}
					if t.ok.Load() {
						down = &wentAway{err}
					}
					t.mu.Lock()
					t.down = down
					t.mu.Unlock()
					return nil, down
				}
				return nil, err
			}
			return resp, nil // go-openai turns the status into an APIError
		}
		if resp != nil {
			resp.Body.Close()
		}
		if wait <= 0 {
			// exponential backoff with full jitter
			ceil := t.backoff << attempt
			wait = ceil/2 + time.Duration(rand.Int64N(int64(ceil/2)+1))
		}
		wait = min(wait, t.maxWait)
		if t.onRetry != nil {
			t.onRetry(attempt+1, wait, why)
		}
		select {
		case <-time.After(wait):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
}

// attempt sends the request once. A non-streaming answer is read whole
// within the timeout; a stream must start within the timeout and then never
// fall silent for longer.
func (t *transport) attempt(req *http.Request, body []byte, stream bool) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	var fired atomic.Bool
	timer := time.AfterFunc(t.timeout, func() { fired.Store(true); cancel() })
	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := t.client.Do(r)
	if err != nil {
		timer.Stop()
		cancel()
		if fired.Load() {
			return nil, &timeoutError{t.timeout}
		}
		return nil, err
	}
	if stream && resp.StatusCode == http.StatusOK {
		body := &idleBody{rc: resp.Body, timer: timer, d: t.timeout, fired: &fired, cancel: cancel, left: t.maxAnswer, limit: t.maxAnswer}
		if a, ok := req.Context().Value(activityKey{}).(*streamActivity); ok {
			// Only content resets the silence timer.
			a.set(body.touch)
		} else {
			body.byBytes = true
		}
		resp.Body = body
		return resp, nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, t.maxAnswer+1))
	resp.Body.Close()
	timer.Stop()
	cancel()
	if err != nil {
		if fired.Load() {
			return nil, &timeoutError{t.timeout}
		}
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if int64(len(data)) > t.maxAnswer {
		return nil, &TooLargeError{t.maxAnswer}
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp, nil
}

// idleBody cancels a stream that stays silent for longer than d, and ends
// one that grows past the answer limit.
type idleBody struct {
	rc      io.ReadCloser
	timer   *time.Timer
	d       time.Duration
	fired   *atomic.Bool
	cancel  context.CancelFunc
	left    int64 // bytes it may still read
	limit   int64
	byBytes bool // reset the timer on any bytes (no one reports content)
}

func (b *idleBody) touch() { b.timer.Reset(b.d) }

func (b *idleBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, &TooLargeError{b.limit}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.byBytes {
		b.timer.Reset(b.d)
	}
	if err != nil && !errors.Is(err, io.EOF) && b.fired.Load() {
		err = &timeoutError{b.d}
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	b.cancel()
	return b.rc.Close()
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code == http.StatusRequestTimeout ||
		(code >= 500 && code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported)
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// isConnError reports whether err means no connection could be made.
func isConnError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
