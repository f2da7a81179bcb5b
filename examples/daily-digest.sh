#!/usr/bin/env bash
# daily-digest.sh: yesterday's memories, summarized into one note.
#
#   daily-digest.sh VAULT
#
# Everything remember took in yesterday (voice memos, notes, tasks) is
# listed, summarized as bullets and filed as a note in VAULT/digests:
#
#   remember recall --since yesterday --until today --raw | summarize | shelf-file
#
# Run it once a day, after midnight (cron: 30 6 * * * ...). A second run
# on the same day with the same memories files the same note again (its id
# comes from its text), so nothing is doubled; a day without memories makes
# no note. A memory counts for the day it was made (a voice memo: when it
# was recorded; plain text, which has no date: when remember stored it), so
# a memo of yesterday that arrives after the digest is in none: run the
# digest again, which files a second note for that day with it. The note's record comes out on standard output.
#
# Environment: as for the tools (SHELF_BASE_URL, SHELF_MODEL, SHELF_DB,
# SOURCE_DATE_EPOCH to fix the clock, ...); SHELF_DIGEST_MAX, the most memories a digest takes (default 200).
set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: daily-digest.sh VAULT" >&2
	exit 64
fi
# The note filer: make install names it shelf-file, so as not to shadow
# file(1); a build folder (bin/) has it as file.
filer=shelf-file
if ! command -v shelf-file >/dev/null 2>&1; then
	filer=file
	case $(file --help 2>/dev/null) in
	*--vault*) ;;
	*)
		echo "daily-digest: error: shelf's note filer is not on PATH (make install puts it in ~/.local/bin as shelf-file)" >&2
		exit 69
		;;
	esac
fi

vault=$1
# Yesterday by the tools' clock: SOURCE_DATE_EPOCH (seconds since 1970)
# when set, as the tools read it, else now.
now=${SOURCE_DATE_EPOCH:-$(date +%s)}
day=$(date -d "@$((now - 86400))" +%Y-%m-%d 2>/dev/null || date -r "$((now - 86400))" +%Y-%m-%d)

max=${SHELF_DIGEST_MAX:-200}
memories=$(remember recall --since yesterday --until today -k "$max" --raw)
if [ -z "$memories" ]; then
	echo "daily-digest: no memories from $day; no digest" >&2
	exit 0
fi
if [ "$(printf '%s\n' "$memories" | grep -c '^[0-9][0-9]*\. ')" -ge "$max" ]; then
	echo "daily-digest: warning: $day has more than $max memories; the digest takes the newest $max (raise SHELF_DIGEST_MAX)" >&2
fi
mkdir -p "$vault"
printf 'Digest of %s: what I noted, recorded and planned that day.\n\n%s\n' "$day" "$memories" |
	summarize --style bullets |
	"$filer" --vault "$vault" --folder digests
