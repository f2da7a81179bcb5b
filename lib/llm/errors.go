package llm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	openai "github.com/sashabaranov/go-openai"
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

// message returns what the server said, without go-openai's decoration.
func message(err error) string {
	var api *openai.APIError
	if errors.As(err, &api) {
		return api.Message
	}
	var req *openai.RequestError
	if errors.As(err, &req) {
		if len(req.Body) > 0 {
			return strings.TrimSpace(string(req.Body))
		}
		if req.Err != nil {
			return req.Err.Error()
		}
	}
	return err.Error()
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
		return fail(codeConfig,
			fmt.Sprintf("check the host name in --base-url (%s) for a typo", cmp.Or(c.cfg.BaseURLEnv, "SHELF_BASE_URL")),
			fmt.Sprintf("cannot reach %s: the host name %q does not resolve", url, dns.Name))
	}
	if errors.As(err, &u) {
		return fail(codeUnavailable,
			fmt.Sprintf("is the server running? Start Ollama with 'ollama serve', or point --base-url (%s) at your server (now %s)", cmp.Or(c.cfg.BaseURLEnv, "SHELF_BASE_URL"), url),
			fmt.Sprintf("cannot reach %s: %s", url, rootCause(u.err)))
	}
	var gone *wentAway
	if errors.As(err, &gone) {
		return fail(codeTemp,
			"the server stopped answering during the run; run the records that carry this error again once it is back",
			fmt.Sprintf("%s stopped answering: %s", url, rootCause(gone.err)))
	}
	var te *timeoutError
	if errors.As(err, &te) {
		return fail(codeTemp, "a slow model may need a longer --timeout; a busy server, fewer --jobs",
			fmt.Sprintf("%s: %s from %s after %d tries", what, te, url, c.cfg.Retries+1))
	}
	var tl *TooLargeError
	if errors.As(err, &tl) {
		return fail(codeFail, "raise --max-answer if this server's answers are that large on purpose",
			fmt.Sprintf("%s: %s from %s; reading stopped there", what, tl, url))
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
		return fail(codeConfig, "set --api-key (or SHELF_API_KEY, OPENAI_API_KEY) to a key this server accepts",
			fmt.Sprintf("%s refused the request (%d): %s", url, code, msg))
	case code == http.StatusNotFound:
		if strings.Contains(strings.ToLower(msg), "model") {
			// The flag that names this request's model.
			flag := "--model or SHELF_MODEL"
			switch what {
			case "transcription":
				flag = "--model or SHELF_TRANSCRIBE_MODEL"
			case "embeddings":
				flag = "--embed-model or SHELF_EMBED_MODEL"
			}
			hint := "choose a model the server serves with " + flag
			if ids, lerr := c.Models(ctx); lerr == nil && len(ids) > 0 {
				hint += ": " + strings.Join(ids, ", ")
			}
			return fail(codeConfig, hint, fmt.Sprintf("%s (404 from %s)", msg, url))
		}
		return fail(codeConfig, "check --base-url: OpenAI-compatible servers usually end in /v1 (Ollama: http://localhost:11434/v1)",
			fmt.Sprintf("%s has no %s endpoint (404): %s", url, what, msg))
	case retryableStatus(code):
		return fail(codeTemp, "the server is busy or failing; retry later, or with fewer --jobs",
			fmt.Sprintf("%s: %s answered %d after %d tries: %s", what, url, code, c.cfg.Retries+1, msg))
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

func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			break
		}
		err = u
	}
	return err.Error()
}
