// Command file files each record of a JSON Lines stream as a Markdown note
// in a vault (an Obsidian vault, or any folder of notes): in the folder the
// model chooses, updated in place when the record is filed again, and never
// over a note the person edited.
//
//	transcribe memo.m4a | summarize | tasks | shelf-file --vault ~/Notes
//
// It is installed as shelf-file, so as not to shadow file(1). See file(1)
// (installed as shelf-file(1)) and shelf(7).
package main

import (
	"os"

	"github.com/shelfai/shelf/lib/tool"
	"github.com/shelfai/shelf/lib/vault"
)

func main() {
	os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func spec() tool.Spec {
	return tool.Spec{
		Name:      "file",
		Usage:     "file each record as a Markdown note in a vault",
		UsageText: "shelf-file --vault DIR [--folder NAME | --allow-new] [-n] [--force] [--init] [-m MODEL] [FILE...]\nshelf-file --print-prompt\n\nsummarize < memo.txt | tasks | shelf-file --vault ~/Notes\nshelf-file --vault ~/Notes --folder meetings --dry-run notes.jsonl",
		Description: `The note filer reads JSON Lines records (from the files named, or standard input) and writes
each as a note in the vault: YAML front matter (id, title, created, source, tags, aliases,
and shelf-hash, a hash of what shelf wrote), then the summary, the tasks as a checklist and
the text (the transcript with timestamps when the record has segments, one line a
paragraph). Each record goes on with the "path" of its note (relative to the vault) and the
"folder", "title" and "tags" it was filed under. It is installed as shelf-file, so that file(1) stays file(1).

Where each task was said (shelf(7), CHECKS): a task whose "evidence" holds links to it.
With segments, the transcript line that holds the quote's start gets an Obsidian block id
at its end (^t1, ^t2, ...; tasks said on one line share it) and the task "— said at
[[#^t1|01:04]]", the line's time; without, the paragraph (or list item) of the text that
holds it gets the id and the task "— said in the text". A paragraph with a block id of its
own keeps it, and ids the text has already are not used again. The evidence holds when its
quote is exactly the text's characters between its start and end (characters, not bytes),
and the transcript's lines are the text's words in order; a quote in a code block, heading,
table, quote, callout, comment (Obsidian's or HTML's) or raw HTML that runs on to its end
tag (pre, script, style, textarea), where Obsidian reads no block id, or evidence that does
not hold, gets no link: never a wrong one. A task with "grounded": false says "— not found
in the transcript" (or text) and links nowhere. What the summary and the title claim that the text does not ("checks")
is listed below the summary in a callout, "Not found in the transcript" (or text); a part of
"checks" that is not of its type in shelf(7) (checks.summary not an object, an unsupported
claim not a string, ...) is left out of it, with a warning that names it. The ids follow
from the record, so filing it again writes the same note.

The vault: --vault DIR (or SHELF_VAULT, or vault = "..." in the config file). A vault that
does not exist is an error, never created by a typo; --init creates it. When the vault does
not exist or cannot be read, the records still go on, each with the reason in its "errors",
and the run exits 73.

The folder: --folder NAME files every note there. Otherwise the model chooses among the
vault's folders and "inbox", seeing the note's title, summary and tags and the folders of
related notes in the record's "context"; with --allow-new it may propose a new folder (one
level deep). A folder that differs from one of the vault's only in case ("Clients" where the
vault has "clients") is that folder, as the vault spells it. --dry-run prints the decisions as
records and writes nothing.

The file name is YYYY-MM-DD-slug.md from "created" and the title; when anything has that name
already (another note, a folder, a symlink, even one that leads nowhere), the note gets -2,
-3, ...: nothing is ever written through a symlink. A record whose id was filed before updates its note in place,
wherever the person has moved it (an index in $XDG_CACHE_HOME/shelf/vaults, rebuilt from the
notes' front matter when it is missing or stale, finds it). A note whose bytes no longer
match its shelf-hash was edited by the person: it is left as it is, the record gets a warning
in "errors", and nothing is written (--force overwrites it).

Safety: every piece of a path that comes from a record or a model is sanitized, and every
write goes through the vault's root so that nothing can land outside it, symlinks included.
Writes are atomic and durable (a temporary file in the same folder, fsync, then a link or
rename, then fsync of the folder): a crash or Ctrl-C leaves no partial note. Two runs on one
vault take turns. What a model wrote (title, summary, tags, tasks, transcript) is text in
the note, never structure: no control characters, one line where one is wanted, and Markdown
escaped so that it starts no task, tag, heading, quote, rule, table, link, comment or block
id (see TEXT FROM A MODEL in shelf(7)); block ids and the links to them are shelf's. A title, and so the file name, loses the characters that take up
no room (zero-width spaces and joiners, word joiners, byte order marks, bidirectional
controls). Tags are written as Obsidian takes them: a dot becomes -, empty levels of a
nested tag go, and a tag of dots or digits alone is left out, each change with a warning in
the record's "errors". Folder names are compared in Unicode NFC, so "Café" finds the vault's folder
however it is spelled on disk. A "created" that is neither an RFC 3339 time nor a date is not
written into the note: the record gets a warning and the note the time of filing (or keeps
its own).

The note and the folder request are text/templates: --print-prompt shows the built-in ones;
put your own in $XDG_CONFIG_HOME/shelf/prompts/file.tmpl or pass --prompt FILE.

Environment: SHELF_VAULT, SHELF_BASE_URL (then OPENAI_BASE_URL), SHELF_MODEL, SHELF_API_KEY
(then OPENAI_API_KEY), SHELF_CONFIG, SHELF_JOBS, SHELF_TIMEOUT, SHELF_RETRIES,
SHELF_TEMPERATURE, SHELF_CONTEXT_LENGTH, SHELF_NO_CACHE, SHELF_LOG_FORMAT, XDG_CONFIG_HOME,
XDG_CACHE_HOME.

Exit status: 0 all records done; 64 usage; 65 some input lines were not JSON; 69 the endpoint
could not be reached; 73 the vault cannot be written; 75 some records failed with temporary
errors; 78 bad configuration; 1 anything else; 130 and 143 interrupted.`,
		UsesModel: true,
		Flags:     flags(),
		Prompt:    vault.Template,
		Action:    run,
	}
}
