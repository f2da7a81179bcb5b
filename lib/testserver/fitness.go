package testserver

import (
	"encoding/json"
	"sync"

	"github.com/shelfai/shelf/lib/fitness"
)

// The fitness modes answer from the truth of the fitness check's fixtures
// (Options.Fixtures), chosen like faults by the model name:
//
//	truth  answers as the truth says: scores 1.0 everywhere; an audio
//	       upload named after a memo (its id and any extension: "m01.wav")
//	       is transcribed as the memo's text, a word error rate of 0
//	bad    drops, misdates, invents and misfiles; transcribes a memo's
//	       audio in lower case without punctuation, its first word
//	       heard as "zebulon" and its last lost: fitness.MisheardWords
//	       words wrong in each memo (see fitness.Oracle)
//
// A request about a text the fixtures do not hold, or an upload named
// after none of their memos, is answered as usual.

// oracle loads the fixtures once.
func (s *Server) oracle() *fitness.Oracle {
	s.oracleOnce.Do(func() {
		if s.opt.Fixtures == "" {
			return
		}
		fx, err := fitness.Load(s.opt.Fixtures)
		if err != nil {
			return
		}
		s.oracleVal = fitness.NewOracle(fx)
	})
	return s.oracleVal
}

// fitnessAnswer is the answer of a fitness mode, as a scripted one:
// structured (a JSON object) when the request has a schema, else plain.
func (s *Server) fitnessAnswer(f map[string]string, schema json.RawMessage, users, text string) (structured, plain string) {
	mode := ""
	for _, m := range []string{"truth", "bad"} {
		if f[m] != "" {
			mode = m
		}
	}
	o := s.oracle()
	if mode == "" || o == nil {
		return "", ""
	}
	a, ok := o.Answer(mode, schema, users, text)
	if !ok {
		return "", ""
	}
	if schema != nil {
		return a, ""
	}
	return "", a
}

// fitnessTranscript is the transcript of an upload in a fitness mode.
func (s *Server) fitnessTranscript(f map[string]string, file string) (string, bool) {
	for _, mode := range []string{"bad", "truth"} {
		if f[mode] != "" {
			if o := s.oracle(); o != nil {
				return o.Transcript(mode, file)
			}
		}
	}
	return "", false
}

type oracleState struct {
	oracleOnce sync.Once
	oracleVal  *fitness.Oracle
}
