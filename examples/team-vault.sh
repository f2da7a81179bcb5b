#!/usr/bin/env bash
# team-vault.sh: file records into a vault that a small team shares as a
# git repository, without conflicts.
#
#   ... | team-vault.sh VAULT [MEMBER]
#
# VAULT is each member's clone of the team's repository. Every member files
# only into a folder of their own, VAULT/people/MEMBER (MEMBER defaults to
# $USER), so two members never write the same file: git merges their work
# without conflicts, whoever pushes first. Everyone reads everything.
#
# The script pulls (rebasing), files the records from standard input with
# shelf-file --folder people/MEMBER, commits what file wrote and pushes; when a
# teammate pushed in between, it pulls again and retries. file's records
# come out on standard output.
#
# A note a teammate edited in your folder is not overwritten: file sees that
# it changed since shelf wrote it and leaves it (with an error on the
# record), as for your own edits. The index file keeps is in your cache,
# not in the repository, so it never conflicts either.
#
#   transcribe memo.m4a | summarize | tasks | team-vault.sh ~/team-notes
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: team-vault.sh VAULT [MEMBER]" >&2
	exit 64
fi
vault=$1
member=${2:-${USER:-$(id -un)}}
case $member in
'' | . | .. | */* | -*)
	echo "team-vault: error: member name '$member' cannot be a folder name" >&2
	exit 64
	;;
esac
if ! git -C "$vault" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "team-vault: error: $vault is not a git clone; clone the team's repository first" >&2
	exit 66
fi
# The note filer: make install names it shelf-file, so as not to shadow
# file(1); a build folder (bin/) has it as file.
filer=shelf-file
if ! command -v shelf-file >/dev/null 2>&1; then
	filer=file
	case $(file --help 2>/dev/null) in
	*--vault*) ;;
	*)
		echo "team-vault: error: shelf's note filer is not on PATH (make install puts it in ~/.local/bin as shelf-file)" >&2
		exit 69
		;;
	esac
fi

folder=people/$member

has_remote() { [ -n "$(git -C "$vault" remote)" ]; }

# Uncommitted edits elsewhere in the clone (a note being edited, the
# editor's settings) are set aside for the pull and put back (--autostash).
# When the pull fails (offline, say), the records are filed all the same
# and go out with a later run.
pull() { git -C "$vault" pull --rebase --autostash --quiet; }
if has_remote && ! pull; then
	echo "team-vault: warning: could not pull; filing into the clone as it is" >&2
fi

status=0
"$filer" --vault "$vault" --folder "$folder" || status=$?

# Commit what file wrote, even when some records failed: those notes are
# written, and the failures are on their records.
git -C "$vault" add -A -- "$folder" 2>/dev/null || true
if ! git -C "$vault" diff --cached --quiet -- "$folder"; then
	n=$(git -C "$vault" diff --cached --name-only -- "$folder" | wc -l | tr -d ' ')
	git -C "$vault" commit --quiet -m "shelf: $n note(s) from $member" -- "$folder"
	if has_remote; then
		for attempt in 1 2 3 4 5; do
			if err=$(git -C "$vault" push --quiet 2>&1); then
				break
			fi
			if [ "$attempt" -eq 5 ]; then
				printf '%s\n' "$err" >&2
				echo "team-vault: error: could not push after 5 tries; the notes are committed in $vault, push them later" >&2
				exit 75
			fi
			# A teammate pushed in between: take their work and try again.
			sleep "$attempt"
			if ! pull; then
				git -C "$vault" rebase --abort >/dev/null 2>&1 || true
				echo "team-vault: error: could not bring in the team's changes; the notes are committed in $vault, pull and push by hand" >&2
				exit 75
			fi
		done
	fi
fi
exit "$status"
