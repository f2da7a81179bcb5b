// Package llm provides the model client of shelf: chat completions against
// any OpenAI-compatible endpoint (Ollama, llama.cpp's server, LM Studio,
// vLLM), with bounded timeouts, retries with backoff, a content-addressed
// response cache, structured answers that work on servers with and without
// JSON-schema support, and a token estimate and splitter so that no request
// exceeds the context length.
//
// It is the only package of shelf that imports go-openai; tools depend on
// small interfaces of their own that *Client satisfies.
package llm
