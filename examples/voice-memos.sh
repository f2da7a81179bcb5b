#!/usr/bin/env bash
# voice-memos.sh: a folder of voice memos into notes, tasks and memory.
#
#   voice-memos.sh MEMOS VAULT
#
# Every recording in MEMOS (.m4a .mp3 .wav .ogg .opus .flac .webm; formats
# other than WAV need ffmpeg) that is not done yet is transcribed,
# summarized, its tasks appended to VAULT/todo.txt, filed as a note in
# VAULT and remembered:
#
#   transcribe | summarize | tasks --append | shelf-file --vault | remember
#
# The records remember passes on come out on standard output; logs go to
# standard error, as JSON lines unless SHELF_LOG_FORMAT says otherwise.
#
# Re-runs are cheap and safe. A memo is done once the whole pipeline has
# taken it, and is skipped after that (the list is in $SHELF_STATE). If a
# run fails half-way, the next one starts those memos again: a record's id
# comes from its audio, so the transcription and the model's answers come
# from the cache (no second request), file updates the same note and
# remember the same memory, and tasks appends only the tasks not yet in
# todo.txt.
#
# Two runs never overlap: a run that finds another under way logs that and
# exits 0, so cron does not mail about it.
#
# Exit status: 0 when every memo went through (or there was nothing to do),
# else the status of the first tool that failed of itself (see shelf(7));
# nothing is marked done then.
#
# Environment: SHELF_BASE_URL, SHELF_MODEL and the rest, as for the tools;
# SHELF_STATE, the folder of the done list and the lock (default
# $XDG_STATE_HOME/shelf, else ~/.local/state/shelf); SHELF_BIN, a folder to
# take the tools from (default: from PATH).
set -uo pipefail

me=voice-memos
export SHELF_LOG_FORMAT=${SHELF_LOG_FORMAT:-json}

# log LEVEL MESSAGE [KEY VALUE]...: one line on stderr, in the tools' format.
log() {
	local level=$1 msg=$2
	shift 2
	if [ "$SHELF_LOG_FORMAT" = json ]; then
		local line
		line=$(printf '{"time":"%s","level":"%s","prefix":"%s","msg":"%s"' \
			"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$level" "$me" "$(json "$msg")")
		while [ $# -ge 2 ]; do
			case $2 in
			'' | *[!0-9]*) line+=$(printf ',"%s":"%s"' "$1" "$(json "$2")") ;;
			*) line+=$(printf ',"%s":%s' "$1" "$2") ;;
			esac
			shift 2
		done
		printf '%s}\n' "$line" >&2
	else
		printf '%s %s: %s' "$(echo "$level" | tr a-z A-Z)" "$me" "$msg" >&2
		while [ $# -ge 2 ]; do
			printf ' %s=%q' "$1" "$2" >&2
			shift 2
		done
		printf '\n' >&2
	fi
}

# json TEXT: TEXT escaped for a JSON string.
json() {
	local s=${1//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	printf '%s' "${s//$'\n'/\\n}"
}

if [ $# -ne 2 ]; then
	echo "usage: $me MEMOS VAULT" >&2
	exit 64
fi
memos=$1 vault=$2
if [ ! -d "$memos" ]; then
	log error "no folder of memos" dir "$memos"
	exit 66
fi
if [ -n "${SHELF_BIN:-}" ]; then
	PATH=$SHELF_BIN:$PATH
fi

mkdir -p "$vault" || exit 73
# The note filer: make install names it shelf-file, so as not to shadow
# file(1); a build folder (bin/) has it as file.
filer=shelf-file
if ! command -v shelf-file >/dev/null 2>&1; then
	filer=file
	case $(file --help 2>/dev/null) in
	*--vault*) ;;
	*)
		log error "shelf's note filer is not on PATH (make install puts it in ~/.local/bin as shelf-file)"
		exit 69
		;;
	esac
fi

state=${SHELF_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/shelf}
mkdir -p "$state" || exit 73
done_list=$state/$me.done
touch "$done_list" || exit 73

# The lock: a directory, made atomically, holding the owner's pid. One left
# behind by a run that died (its pid is gone) is taken over.
lock=$state/$me.lock
if ! mkdir "$lock" 2>/dev/null; then
	owner=$(cat "$lock/pid" 2>/dev/null)
	if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then
		log info "another run is under way; nothing to do" pid "$owner"
		exit 0
	fi
	log warn "taking over the lock of a run that ended without releasing it" lock "$lock"
	rm -rf "$lock"
	mkdir "$lock" || exit 75
fi
echo $$ > "$lock/pid"
trap 'rm -rf "$lock"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The memos not done yet, in name order. A memo is known by its absolute
# path and its size, so one that is recorded over is done again, and MEMOS
# may be given as a relative or an absolute path.
abs=$(cd "$memos" && pwd -P) || exit 66
key() { printf '%s/%s %s' "$abs" "${1##*/}" "$(wc -c < "$1" | tr -d ' ')"; }
todo=()
while IFS= read -r -d '' f; do
	key=$(key "$f")
	if ! grep -qxF -- "$key" "$done_list"; then
		todo+=("$f")
	fi
done < <(find "$memos" -maxdepth 1 -type f \( -iname '*.m4a' -o -iname '*.mp3' -o -iname '*.wav' \
	-o -iname '*.ogg' -o -iname '*.opus' -o -iname '*.flac' -o -iname '*.webm' \) -print0 | sort -z)

if [ ${#todo[@]} -eq 0 ]; then
	log info "no new memos" dir "$memos"
	exit 0
fi
log info "new memos" count "${#todo[@]}" dir "$memos"

transcribe -- "${todo[@]}" |
	summarize |
	tasks --append "$vault/todo.txt" |
	"$filer" --vault "$vault" --init |
	remember
status=("${PIPESTATUS[@]}")

# The tool to blame: the first that failed of itself. A tool that died of
# SIGPIPE (141) only lost the reader after it.
tools=(transcribe summarize tasks "$filer" remember)
failed=
for i in "${!status[@]}"; do
	case ${status[$i]} in
	0) ;;
	141) [ -n "$failed" ] || failed=$i ;;
	*) if [ -z "$failed" ] || [ "${status[$failed]}" -eq 141 ]; then failed=$i; fi ;;
	esac
done
if [ -n "$failed" ]; then
	log error "the pipeline failed; no memo is marked done, the next run tries them again" \
		tool "${tools[$failed]}" status "${status[$failed]}"
	exit "${status[$failed]}"
fi

for f in "${todo[@]}"; do
	printf '%s\n' "$(key "$f")" >> "$done_list"
done
log info "done" count "${#todo[@]}" vault "$vault"
