#!/usr/bin/env bash
# The demo of `make demo`: the sample voice memo in testdata/memos goes
# through voice-memos.sh (transcribe | summarize | tasks | shelf-file | remember)
# into a new vault in a temporary folder, with the model at SHELF_BASE_URL
# (default: a local Ollama at http://localhost:11434/v1); then it shows the
# note (each task linked to the transcript line or paragraph that asks for
# it), the tasks and a recall.
#
# Ollama has no speech-to-text. When the server cannot transcribe, the demo
# says so and goes on with the memo's transcript, testdata/memo.txt.
#
# SHELF_BIN names the folder of the tools (default: bin/ of this checkout).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PATH=${SHELF_BIN:-$here/bin}:$PATH
url=${SHELF_BASE_URL:-${OPENAI_BASE_URL:-http://localhost:11434/v1}}
demo=$(mktemp -d "${TMPDIR:-/tmp}/shelf-demo.XXXXXX") || exit 73
vault=$demo/vault
# Everything the demo keeps stays in its folder.
export SHELF_STATE="$demo/state" SHELF_DB="$demo/memory.db" SHELF_LOG_FORMAT=text
# The memo was copied just now; it need not settle.
export SHELF_MEMO_SETTLE=0
export PATH
filer=shelf-file
command -v shelf-file >/dev/null 2>&1 || filer=file

no_server() {
	cat >&2 <<TXT

No model answered at $url. To run the demo, start a local server:
  Ollama:     ollama serve   and, once:  ollama pull llama3.2
  llama.cpp:  llama-server -m model.gguf --port 8080, then SHELF_BASE_URL=http://localhost:8080/v1
  LM Studio:  start its server, then SHELF_BASE_URL=http://localhost:1234/v1
  vLLM:       vllm serve MODEL, then SHELF_BASE_URL=http://localhost:8000/v1
If the server serves several models, name one: SHELF_MODEL=llama3.2 make demo
TXT
}

mkdir -p "$demo/memos" && cp "$here/testdata/memos/print-shop.wav" "$demo/memos/" || exit 73
echo "== voice-memos.sh: testdata/memos/print-shop.wav into $vault (the model at $url)"
bash "$here/examples/voice-memos.sh" "$demo/memos" "$vault" > "$demo/records.jsonl" 2> "$demo/log"
status=$?
if [ "$status" -ne 0 ]; then
	if grep -q 'no speech-to-text' "$demo/log"; then
		cat <<TXT
This server has no speech-to-text (Ollama has none), so the demo goes on with
the memo's transcript, testdata/memo.txt. To transcribe as well, point
SHELF_TRANSCRIBE_BASE_URL at a whisper.cpp server, or build the tools with
whisper in them (make build-whisper; see the README).
TXT
		{ summarize < "$here/testdata/memo.txt" | tasks --append "$vault/todo.txt" |
			"$filer" --vault "$vault" --init | remember > "$demo/records.jsonl"; } 2>> "$demo/log"
		status=$?
	fi
fi
if [ "$status" -ne 0 ]; then
	if [ "$status" -eq 69 ] || [ "$status" -eq 78 ]; then
		# No server, or not one that serves a model: the box says what
		# to do; the log's retries and warnings would only bury it.
		grep ': error: ' "$demo/log" | tail -n 1 >&2
		no_server
	else
		# What went wrong, without what does not help a first reader: the
		# retries, the keyword-only note and the cron wording.
		grep -v -e '^INFO' -e 'retrying' -e 'no embedding model' -e 'tried again next run' "$demo/log" >&2
	fi
	rm -rf "$demo"
	exit "$status"
fi

echo
note=$(find "$vault" -name '*.md' | head -n 1)
if [ -z "$note" ]; then
	echo "demo: error: the pipeline wrote no note; its log is $demo/log" >&2
	exit 1
fi
echo "== The note, ${note#"$demo"/}"
cat "$note"
echo
echo "== The tasks, vault/todo.txt"
cat "$vault/todo.txt" 2>/dev/null || echo "(none found)"
echo
echo "== remember recall --raw print shop catalogue"
remember recall --raw print shop catalogue
echo
echo "The demo's vault, store and records are in $demo; remove it when done."
