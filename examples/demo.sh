#!/bin/sh
# The demo of `make demo`: summarize a sample voice memo with the model at
# SHELF_BASE_URL (default: a local Ollama at http://localhost:11434/v1),
# first as text for a person, then as the record the pipeline passes on.
#
# SHELF_BIN names the folder of the tools (default: bin/ of this checkout).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SHELF_BIN:-$here/bin}
memo=$here/testdata/memo.txt
url=${SHELF_BASE_URL:-${OPENAI_BASE_URL:-http://localhost:11434/v1}}

echo "== The memo ($memo)"
cat "$memo"
echo
echo "== summarize --raw --style bullets (the model at $url)"
"$bin/summarize" --raw --style bullets --retries 0 < "$memo"
status=$?
if [ "$status" -eq 69 ] || [ "$status" -eq 78 ]; then
	cat >&2 <<TXT

No model answered at $url. To run the demo, start a local server:
  Ollama:     ollama serve   and, once:  ollama pull llama3.2
  llama.cpp:  llama-server -m model.gguf --port 8080, then SHELF_BASE_URL=http://localhost:8080/v1
  LM Studio:  start its server, then SHELF_BASE_URL=http://localhost:1234/v1
  vLLM:       vllm serve MODEL, then SHELF_BASE_URL=http://localhost:8000/v1
If the server serves several models, name one: SHELF_MODEL=llama3.2 make demo
TXT
	exit "$status"
fi
[ "$status" -eq 0 ] || exit "$status"
echo
echo "== The same memo through summarize as a record (plain text in is one record)"
"$bin/summarize" < "$memo"
