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
# taken it, filed its note, appended its tasks and remembered it, and is
# skipped after that (the list is in
# $SHELF_STATE). A memo that failed is tried again by the next run, the
# others are not held up by it; and a run that fails half-way costs little
# the next time: a record's id
# comes from its audio, so the transcription and the model's answers come
# from the cache (no second request), file updates the same note and
# remember the same memory, and tasks appends only the tasks not yet in
# todo.txt.
#
# Two runs never overlap: a run that finds another under way logs that and
# exits 0, so cron does not mail about it.
#
# Exit status: 0 when every memo went through (or there was nothing to do),
# else the status of the first tool that failed of itself (see shelf(7)),
# so that cron mails; the memos that did go through are marked done.
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

# The lock: flock(1) where there is one (the kernel lets go when a run
# dies); elsewhere a directory made atomically, holding the owner's pid,
# which is taken over once that pid is gone.
lock=$state/$me.lock
if command -v flock >/dev/null 2>&1; then
	exec 9>>"$lock"
	if ! flock -n 9; then
		log info "another run is under way; nothing to do" lock "$lock"
		exit 0
	fi
else
	lock=$lock.d
	if ! mkdir "$lock" 2>/dev/null; then
		owner=$(cat "$lock/pid" 2>/dev/null)
		if [ -z "$owner" ] || kill -0 "$owner" 2>/dev/null; then
			log info "another run is under way; nothing to do" lock "$lock" pid "$owner"
			exit 0
		fi
		log warn "taking over the lock of a run that ended without releasing it" lock "$lock"
		rm -rf "$lock"
		mkdir "$lock" 2>/dev/null || exit 0
	fi
	echo $$ > "$lock/pid"
	trap 'rm -rf "$lock"' EXIT
fi
trap 'exit 130' INT
trap 'exit 143' TERM

# The memos not done yet, in name order. A memo is known by its absolute
# path, size and modification time, so one that is recorded over is done
# again, and MEMOS may be given as a relative or an absolute path. A file
# changed in the last SHELF_MEMO_SETTLE minutes (default 1) may still be
# being written or synced, and waits for the next run.
abs=$(cd "$memos" && pwd -P) || exit 66
mtime() { stat -c %Y "$1" 2>/dev/null || stat -f %m "$1"; }
key() { printf '%s/%s %s %s' "$abs" "${1##*/}" "$(wc -c < "$1" | tr -d ' ')" "$(mtime "$1")"; }
settle=${SHELF_MEMO_SETTLE:-1}
recent=()
if [ "$settle" != 0 ]; then
	recent=(-mmin "+$settle")
fi
todo=()
while IFS= read -r -d '' f; do
	key=$(key "$f")
	if ! grep -qxF -- "$key" "$done_list"; then
		todo+=("$f")
	fi
done < <(find "$memos" -maxdepth 1 -type f \( -iname '*.m4a' -o -iname '*.mp3' -o -iname '*.wav' \
	-o -iname '*.ogg' -o -iname '*.opus' -o -iname '*.flac' -o -iname '*.webm' \) "${recent[@]}" -print0 | sort -z)

if [ ${#todo[@]} -eq 0 ]; then
	log info "no new memos" dir "$memos"
	exit 0
fi
log info "new memos" count "${#todo[@]}" dir "$memos"

out=$(mktemp "${TMPDIR:-/tmp}/$me.XXXXXX") || exit 73
trap 'rm -f "$out"' EXIT
[ "${lock%.d}" = "$lock" ] || trap 'rm -f "$out"; rm -rf "$lock"' EXIT

transcribe -- "${todo[@]}" |
	summarize |
	tasks --append "$vault/todo.txt" |
	"$filer" --vault "$vault" --init |
	remember |
	tee "$out"
status=("${PIPESTATUS[@]}")

# A memo is done when its record came through the whole pipeline, was
# filed (it has a path), and its tasks appended and its memory stored: a
# tool that cannot write its file passes the record on with the reason in
# its errors. The others are tried again next time, so one bad recording
# does not hold up the rest.
unwritten=(-e '{"tool":"tasks","message":"not appended to ' -e '{"tool":"remember","message":"not stored: ')
done_count=0
failed_memos=()
for f in "${todo[@]}"; do
	if grep -F -- "\"source\":\"$(json "$f")\"" "$out" | grep '"path":"' | grep -q -v -F "${unwritten[@]}"; then
		printf '%s\n' "$(key "$f")" >> "$done_list"
		done_count=$((done_count + 1))
	else
		failed_memos+=("$f")
	fi
done

# The tool to blame: the first that failed of itself. A tool that died of
# SIGPIPE (141) only lost the reader after it.
tools=(transcribe summarize tasks "$filer" remember tee)
failed=
for i in "${!status[@]}"; do
	case ${status[$i]} in
	0) ;;
	141) [ -n "$failed" ] || failed=$i ;;
	*) if [ -z "$failed" ] || [ "${status[$failed]}" -eq 141 ]; then failed=$i; fi ;;
	esac
done
if [ -n "$failed" ] || [ ${#failed_memos[@]} -gt 0 ]; then
	code=${failed:+${status[$failed]}}
	log error "some memos did not go through; they are tried again next run" \
		done "$done_count" failed "${#failed_memos[@]}" first "${failed_memos[0]:-}" \
		tool "${failed:+${tools[$failed]}}" status "${code:-1}"
	exit "${code:-1}"
fi
log info "done" count "$done_count" vault "$vault"
