package llm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	openai "github.com/sashabaranov/go-openai"
	"github.com/shelfai/shelf/lib/safetext"
	"github.com/shelfai/shelf/lib/sysexits"
)

const (
	codeFail        = sysexits.Failure
	codeConfig      = sysexits.Config
	codeTemp        = sysexits.TempFail
	codeUnavailable = sysexits.Unavailable
)

func fail(code int, hint, msg string) error {
	return &sysexits.Error{Code: code, Err: errors.New(msg), Hint: hint}
}

// Kind says what went wrong between shelf and a server, so that a command
// can tell the person what to do about it, in its own words (the flags and
// variables are the command's, not this package's).
type Kind int

// The kinds of Error.
const (
	Unreachable    Kind = iota + 1 // nothing answers at the URL
	NoSuchHost                     // the URL's host name does not resolve
	WentAway                       // the server answered earlier in the run, and no longer does
	Timeout                        // no (complete) answer in time
	Unauthorized                   // the key was refused (401, 403)
	NoEndpoint                     // the URL has no such endpoint (404): often a missing /v1
	NoSpeech                       // the server has no speech-to-text (404 on /audio/transcriptions)
	ModelNotFound                  // the server does not serve the model (404)
	NoModel                        // no model was named and the server serves none
	ModelAmbiguous                 // no model was named and the server serves several
	Busy                           // 429 or 5xx, after the retries
	TooLarge                       // the answer is larger than Config.MaxAnswer
	UploadTooLarge                 // the server refused an upload as too large (413)
	AnswerCut                      // the answer was cut off at the token limit
	BadAnswer                      // the answer does not match the schema, even after a repair round
	BadVectors                     // an embeddings answer that cannot be used: a vector missing, empty, of another length, or not finite
	OverTokens                     // the answer is far longer than the tokens asked for can be: the server ignored the limit
)

// Error is a failure of a request, with its Kind. The exit status is in
// the *sysexits.Error around it.
type Error struct {
	Kind    Kind
	Request string   // chat, embeddings, transcription, models
	URL     string   // the endpoint's base URL
	Models  []string // what the server serves, when it said (ModelNotFound, ModelAmbiguous)
	msg     string
}

func (e *Error) Error() string { return e.msg }

// failKind returns an Error of kind with exit status code.
func failKind(code int, kind Kind, request, url, msg string, models ...string) error {
	return &sysexits.Error{Code: code, Err: &Error{Kind: kind, Request: request, URL: url, Models: models, msg: msg}}
}

// KindOf returns the Kind of err's Error, or 0.
func KindOf(err error) (Kind, *Error) {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind, e
	}
	return 0, nil
}

// StatusCode returns the HTTP status of an endpoint's error answer, or 0.
func StatusCode(err error) int {
	var api *openai.APIError
	if errors.As(err, &api) {
		return api.HTTPStatusCode
	}
	var req *openai.RequestError
	if errors.As(err, &req) {
		return req.HTTPStatusCode
	}
	return 0
}

// message returns what the server said, without go-openai's decoration,
// as one line that shows its control characters (safetext.Visible): a
// server's words reach a terminal in every message that quotes them.
func message(err error) string {
	var api *openai.APIError
	if errors.As(err, &api) {
		return safetext.Visible(api.Message)
	}
	var req *openai.RequestError
	if errors.As(err, &req) {
		if len(req.Body) > 0 {
			return safetext.Visible(string(req.Body))
		}
		if req.Err != nil {
			return safetext.Visible(req.Err.Error())
		}
	}
	return safetext.Visible(err.Error())
}

// explain turns a failure into an error that names the URL, carries an exit
// status and says what to do.
func (c *Client) explain(ctx context.Context, err error, what string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	url := c.cfg.BaseURL
	var u *unreachable
	if dns := new(net.DNSError); errors.As(err, &u) && errors.As(u.err, &dns) && dns.IsNotFound {
		return failKind(codeConfig, NoSuchHost, what, url,
			fmt.Sprintf("cannot reach %s: the host name %q does not resolve", url, dns.Name))
	}
	if errors.As(err, &u) {
		return failKind(codeUnavailable, Unreachable, what, url, fmt.Sprintf("cannot reach %s: %s", url, rootCause(u.err)))
	}
	var gone *wentAway
	if errors.As(err, &gone) {
		return failKind(codeTemp, WentAway, what, url, fmt.Sprintf("%s stopped answering: %s", url, rootCause(gone.err)))
	}
	var te *timeoutError
	if errors.As(err, &te) {
		return failKind(codeTemp, Timeout, what, url, fmt.Sprintf("%s: %s from %s after %d tries", what, te, url, c.cfg.Retries+1))
	}
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return failKind(codeFail, TooLarge, what, url, fmt.Sprintf("%s: %s from %s; reading stopped there", what, tl, url))
	}
	code := StatusCode(err)
	msg := message(err)
	switch {
	case code == 0:
		var se *sysexits.Error
		if errors.As(err, &se) {
			return err
		}
		return fail(codeTemp, "", fmt.Sprintf("%s: %s: %s", what, url, rootCause(err)))
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return failKind(codeConfig, Unauthorized, what, url, fmt.Sprintf("%s refused the request (%d): %s", url, code, msg))
	case code == http.StatusNotFound:
		if strings.Contains(strings.ToLower(msg), "model") {
			var ids []string
			if list, lerr := c.Models(ctx); lerr == nil {
				ids = list
			}
			return failKind(codeConfig, ModelNotFound, what, url, fmt.Sprintf("%s (404 from %s)", msg, url), ids...)
		}
		return failKind(codeConfig, NoEndpoint, what, url, fmt.Sprintf("%s has no %s endpoint (404): %s", url, what, msg))
	case retryableStatus(code):
		return failKind(codeTemp, Busy, what, url, fmt.Sprintf("%s: %s answered %d after %d tries: %s", what, url, code, c.cfg.Retries+1, msg))
	default:
		return &sysexits.Error{Code: codeFail, Err: &serverError{msg: fmt.Sprintf("%s: %s answered %d: %s", what, url, code, msg), raw: msg, err: err}}
	}
}

// serverError is a request the server refused (4xx other than the above).
type serverError struct {
	msg string
	raw string
	err error
}

func (e *serverError) Error() string { return e.msg }
func (e *serverError) Unwrap() error { return e.err }

// rootCause is the innermost error's text, as one visible line.
func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			break
		}
		err = u
	}
	return safetext.Visible(err.Error())
}
