package memory

import (
	"context"
	"fmt"
	"io"

	"github.com/shelfai/shelf/lib/jsonl"
	"github.com/shelfai/shelf/lib/record"
)

// sinkBatch is how many records a Sink stores in one transaction.
const sinkBatch = 256

// Sink is a pipeline sink that stores the memories of the records written
// to it, a batch at a time, and writes each record on (as JSON Lines) only
// once its batch is stored. A record's memory is the Item in its Meta; a
// record without one has nothing to remember and goes on as it came. A
// batch that cannot be stored (or a store that could not be opened) is
// written all the same, each record with something to remember carrying
// the reason in its errors field; Err then says so once.
type Sink struct {
	// OnStored, if set, hears what Put did with each batch stored.
	OnStored func(counts map[Result]int)

	s       Backend
	openErr error
	tool    string
	w       *jsonl.Writer
	recs    []*record.Record
	items   []Item
	failed  int           // records not stored
	first   error         // the first reason
	refused *ForeignError // the records refused as other members' memories
	bare    int           // memories stored without a vector
}

// NewSink returns a Sink that stores into s and writes to w; tool names
// the tool in the errors entries. When s is nil, openErr says why: no
// record is stored, every one goes on.
func NewSink(w io.Writer, s Backend, openErr error, tool string) *Sink {
	return &Sink{s: s, openErr: openErr, tool: tool, w: jsonl.NewWriter(w)}
}

// Write takes a record; a full batch is stored and written.
func (k *Sink) Write(rec *record.Record) error {
	k.recs = append(k.recs, rec)
	if it, ok := rec.Meta.(Item); ok {
		k.items = append(k.items, it)
	}
	if len(k.recs) >= sinkBatch {
		return k.commit()
	}
	return nil
}

// Flush stores and writes what is left.
func (k *Sink) Flush() error {
	if err := k.commit(); err != nil {
		return err
	}
	return k.w.Flush()
}

// commit stores the batch's memories, then writes its records. It is not
// cut short by an interruption: the records were read, and go on stored.
func (k *Sink) commit() error {
	if len(k.items) > 0 {
		k.store()
	}
	for _, r := range k.recs {
		if err := k.w.Write(r); err != nil {
			return err
		}
	}
	k.recs, k.items = k.recs[:0], k.items[:0]
	return nil
}

func (k *Sink) store() {
	err := k.openErr
	var res []Outcome
	if k.s != nil {
		if res, err = k.s.Put(context.Background(), k.items); err != nil {
			err = fmt.Errorf("store: %w", err)
		}
	}
	if err != nil {
		k.failed += len(k.items)
		if k.first == nil {
			k.first = err
		}
		for _, r := range k.recs {
			if _, ok := r.Meta.(Item); ok {
				r.AppendError(k.tool, "not stored: "+err.Error())
			}
		}
		return
	}
	counts := map[Result]int{}
	for i, r := range res {
		counts[r.Result]++
		if (r.Result == Stored || r.Result == Superseded) && k.items[i].Vector == nil {
			k.bare++
		}
	}
	if counts[Foreign] > 0 {
		// Another member's memory, in a shared store: that record is not
		// stored, and says whose it is.
		i := 0
		for _, r := range k.recs {
			if _, ok := r.Meta.(Item); !ok {
				continue
			}
			if res[i].Result == Foreign {
				id, owner := k.items[i].ID, res[i].Owner
				err := foreign(id, owner)
				r.AppendError(k.tool, "not stored: "+err.Error())
				k.failed++
				if k.first == nil {
					k.first = err
				}
				if k.refused == nil {
					k.refused = &ForeignError{}
				}
				k.refused.IDs, k.refused.Members = append(k.refused.IDs, id), append(k.refused.Members, owner)
			}
			i++
		}
	}
	if k.OnStored != nil {
		k.OnStored(counts)
	}
}

// Bare is how many memories were stored without a vector.
func (k *Sink) Bare() int { return k.bare }

// Failed is how many records with something to remember were not stored.
func (k *Sink) Failed() int { return k.failed }

// Err is a *NotStoredError when some records were not stored, else nil.
func (k *Sink) Err() error {
	if k.failed == 0 {
		return nil
	}
	return &NotStoredError{Records: k.failed, Err: k.first, Foreign: k.refused}
}

// NotStoredError says how many records were not stored, and the first
// reason.
type NotStoredError struct {
	Records int
	Err     error
	// Foreign names the records refused as other members' memories, and
	// whose they are (nil: none was).
	Foreign *ForeignError
}

func (e *NotStoredError) Error() string {
	if e.Records == 1 {
		return fmt.Sprintf("1 record not stored: %v", e.Err)
	}
	return fmt.Sprintf("%d records not stored: %v", e.Records, e.Err)
}

func (e *NotStoredError) Unwrap() error { return e.Err }
