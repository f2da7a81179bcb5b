// Command tasks finds the action items in each record of a JSON Lines
// stream and writes them into the record, or as Taskwarrior, todo.txt,
// Markdown or iCalendar.
//
//	transcribe memo.m4a | tasks --format taskwarrior | task import
//	tasks --append ~/todo.txt < notes.jsonl
//
// See tasks(1) and shelf(7).
package main

import (
	"os"
	_ "time/tzdata" // --tz works on systems without a zoneinfo database

	"github.com/shelfai/shelf/lib/tasks"
	"github.com/shelfai/shelf/lib/tool"
)

func main() {
	os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func spec() tool.Spec {
	return tool.Spec{
		Name:      "tasks",
		Usage:     "find the action items in each record",
		UsageText: "tasks [-f FORMAT] [--each] [--grounded] [--append FILE] [--tz ZONE] [-m MODEL] [-j N] [FILE...]\ntasks --print-prompt\n\ntranscribe memo.m4a | tasks --format taskwarrior | task import\ntasks --append ~/todo.txt < notes.jsonl | shelf-file --vault ~/Notes",
		Description: `tasks reads JSON Lines records (from the files named, or standard input) and asks the model
for the action items in each record's "text" (or --field), with its "summary" when present.
Each record goes on with a "tasks" array of {id, title, due, when, priority, project, tags,
for, source_id, evidence, grounded}, and an "id" when it had none. An empty list is a normal
answer. Plain text in is one record.

Evidence: for each task the model also gives its quote, the words of the text that ask for
it, and these are looked for in the whole text (also when it was split into parts). Words are
compared normalized: Unicode NFKC, case folded, punctuation, quotes and dashes dropped,
fillers (um, äh, euh) skipped, numbers read as their value (8,000 or eight thousand). The
tolerance is one word changed, left out or added in every five words of the quote; a quote of
fewer than five words must be exact, and one of a single word proves nothing. A quote found
gives the task "evidence": {quote, start, end} (the text's own words and their offsets in
characters), plus "at", the start in seconds of the segment that holds them, when the record
has "segments" that can be found in its text in order; and "grounded": true. A task whose
quote is not found is kept with "grounded": false and a warning in "errors" that names it and
its quote; --grounded (config key grounded) keeps only grounded tasks and names each other
in "errors" instead, so none silently vanishes. A quote that is true but not the text's
words is flagged as well; a task the text asks for but the model puts wrongly is not.

Due dates: the model gives "when", the text's own words for the due date ("by Friday", ""
when none), besides the ISO date it computed. The date is worked out here: the words must be
in the text (exactly, after normalization; without a leading by, on, due, until or before if
need be), and are resolved against the reference moment (the record's "created", else now) in
the person's time zone (--tz, else TZ, else the system's): "tomorrow", "friday", "next
friday", "end of month", "in 3 days", ISO dates. The model's own date is taken only when the
words are in the text but cannot be resolved ("the 1st of December"), and a model that gives
no words has its date taken as them (an ISO date the text states stands); "when" keeps the
text's words. A date whose words are not in the text, or that is not a date, is dropped from
its task with a warning in the record's "errors", never invented. A time that the zone's
clock change skips moves forward by the gap (02:30 on the night clocks spring from 02:00 to
03:00 is 03:30), and a time it repeats is its first occurrence, as RFC 5545 and Taskwarrior
read them.

Identity: a task's id is a UUID v5 of its source's id and its normalized title, so running
the same records again gives the same ids, and "task import" and --append update instead of
duplicating.

Output (--format): jsonl (the records, the default); taskwarrior (lines for "task import":
uuid, description, status, entry, due, priority H/M/L, project, tags, and an annotation with
the evidence, "Said at 12:05: “call the dentist tomorrow”", and nothing else); todotxt ("(A)
2026-11-26 Call the dentist +health @sam due:2026-11-27 at:12m05s uuid:..."; priority high,
medium, low is A, B, C; project and tags are +words, whom it is for an @context; at: is where
in the recording the task was said, as 12m05s or 1h02m05s, since a value holds no colon);
markdown ("- [ ] Call the dentist — “call the dentist tomorrow” (at 12:05) ⏫ 📅 2026-11-27
#health", the Obsidian Tasks style, the evidence before the fields); ics (one VCALENDAR of
VTODOs: UID is the task id, PRIORITY 1/5/9, the evidence in DESCRIPTION). --each writes one record per
task instead ({"kind":"task", ...}). --append FILE adds the tasks not yet in the todo.txt
FILE (by their uuid: field), in one append that never touches the file's other lines; an
append that fails part way (a full disk) is taken back, the file cut to its length before, so
it never keeps half a line; when the file cannot be written, every record still goes on, those with tasks carrying the reason
in their "errors" (with --each, every task record), and the run exits 73.

Text from the model is data in every format, never structure: each title, project, tag and
name is one line without control or bidi formatting characters, in NFC. In todo.txt a colon
inside a word (not in a time or a URL) gets a space after it (no forged due: or uuid: field),
as does a + or @ that starts a word, and a leading "x " or "(A) " is written "X " or "(a) "; in Markdown a
backslash, #, [ and < are escaped and the Obsidian Tasks signifiers are dropped from the text
(no forged "- [x]" line, tag or date); in iCalendar TEXT is escaped; Taskwarrior tags hold no
space or comma. See TEXT FROM A MODEL in shelf(7).

Text longer than the model's window is worked on in parts, those summarize cuts the same
text into, so that a server's prompt cache reuses them (see PROMPTS in shelf(7)). The window
is the smaller of
--context-length and what the server reports (Ollama: the model's num_ctx, else its default;
llama.cpp: n_ctx; vLLM: max_model_len; LM Studio: the loaded context length); -v says which.
Every answer's usage is checked: a server that cut a request all the same makes the text
split smaller and sent once more, and a record it still cuts fails.

A record's "context" (related memories from remember) tells the model which tasks are
already recorded.

The prompt is a text/template: --print-prompt shows the built-in one; put your own in
$XDG_CONFIG_HOME/shelf/prompts/tasks.tmpl or pass --prompt FILE. It starts with the part it
shares with summarize (the system message, then the text and its related memories), and asks
for the tasks after the text, with the fields of the answer and today's date: see
PROMPTS in shelf(7) for how a template of your own keeps a server's prompt cache of use.

Environment: SHELF_BASE_URL (then OPENAI_BASE_URL), SHELF_MODEL, SHELF_API_KEY (then
OPENAI_API_KEY), SHELF_CONFIG, SHELF_JOBS, SHELF_TIMEOUT, SHELF_RETRIES, SHELF_TEMPERATURE,
SHELF_CONTEXT_LENGTH, SHELF_NO_CACHE, SHELF_LOG_FORMAT, TZ, XDG_CONFIG_HOME, XDG_CACHE_HOME.

Exit status: 0 all records done; 64 usage; 65 some input lines were not JSON; 69 the endpoint
could not be reached; 73 the --append file cannot be written; 75 some records failed with
temporary errors; 78 bad configuration; 1 anything else; 130 and 143 interrupted.`,
		UsesModel: true,
		Flags:     flags(),
		Prompt:    tasks.Prompt,
		Choices:   map[string][]string{"format": formats},
		Action:    run,
	}
}
