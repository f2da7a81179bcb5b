// Command fitness (installed as shelf-fitness) answers "which local model
// is good enough?": it runs the real tools over hand-written memos with
// each model named, scores what they wrote against the memos' truth, and
// prints one table, a column per model, with a recommendation line each.
//
//	shelf-fitness --models llama3.2,qwen2.5:3b --report fitness-report
//
// See shelf-fitness(1) and shelf(7).
package main

import (
	"os"

	"github.com/shelfai/shelf/lib/tool"
	"github.com/urfave/cli/v2"
)

func main() {
	os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func spec() tool.Spec {
	return tool.Spec{
		Name:      "fitness",
		Usage:     "check which local model is good enough for the shelf pipeline",
		UsageText: "shelf-fitness [--models A,B,...] [--report DIR] [--fixtures DIR] [--transcribe] [MODEL...]\n\nshelf-fitness --models llama3.2,qwen2.5:3b,gemma3:4b --report fitness-report",
		Description: `shelf-fitness runs the real tools (summarize, tasks, shelf-file and remember, found next to
it or on PATH) as a user would, with the response cache off, over 40 hand-written memos (clients,
quotes, invoices, appointments, errands, ideas; in English, German, Spanish and French; some
read like raw speech recognition; two longer than a 4,096-token window), once per model named
(--models, or the arguments; without either, SHELF_MODEL). The tools talk to the endpoint the
pipeline uses (--base-url, SHELF_BASE_URL; SHELF_TRANSCRIBE_BASE_URL and SHELF_EMBED_MODEL pass
through), through a meter on 127.0.0.1 that reads the usage of each answer.

It scores what the tools wrote against each memo's truth, by fixed rules (see lib/fitness):
tasks found (recall) and true (precision), due dates and "for" right, tasks grounded (when the
records say), repair rounds and answers off the schema; summary facts kept, summaries whose
checks find invented facts, titles and tags well formed, summaries within the brief style;
notes filed in the right folder of a fixed vault layout; recall@5 and MRR of 35 questions over
the memories (keyword search only unless SHELF_EMBED_MODEL names an embedding model); and
seconds, tokens and tokens per second per memo (usage a server gives out of bounds, negative or
over 1e9 tokens an answer, is left out, with a warning).

With --transcribe, also transcribe's word error rate on the memos in English, spoken by
espeak-ng into WAV files at run time: its errors over all their words, where case, punctuation
and numbers in words or in digits make no error; a transcript of more than 4n+20 words for a
memo of n counts as all wrong (4n+21 errors) without being aligned. The speech model is
transcribe's own (SHELF_TRANSCRIBE_MODEL, SHELF_TRANSCRIBE_ENGINE; its server
SHELF_TRANSCRIBE_BASE_URL, else the check's), one for all the models checked. Without
espeak-ng that is skipped, and said; when transcribe cannot work at all, its error is said and
its exit status is the check's.

It prints one table to standard output, a column per model, then a recommendation line per
model from fixed thresholds: tasks need recall, precision and due dates right of 0.80 or more
and at most 1 memo in 40 off the schema; summaries need facts kept 0.80, invented facts in at
most 4 memos in 40, titles and tags and length 0.90; filing needs 0.80 right; memory needs
recall@5 of 0.80. Progress goes to standard error when it is a terminal.

With --report DIR it writes table.md, results.json (for comparing runs over time), wrong.md
(every wrong answer with what was expected, an answer cut at 1,000 characters, control
characters shown as escapes) and quality-vs-seconds.svg (one point per model). The folder is
made before the models run; each file is replaced whole, a link in its place too.

The memos are looked for in --fixtures DIR, then in ../share/shelf/fitness next to the
program (make install puts them there), then in testdata/fitness of the source tree the
working folder is in, then in shelf/fitness of $XDG_DATA_HOME and of each of $XDG_DATA_DIRS
(/usr/local/share and /usr/share when unset), for a check installed with BINDIR apart from
DATADIR.

Environment: SHELF_BASE_URL (then OPENAI_BASE_URL), SHELF_MODEL, SHELF_API_KEY (then
OPENAI_API_KEY), SHELF_CONFIG, SHELF_TIMEOUT, SHELF_RETRIES, SHELF_TEMPERATURE,
SHELF_CONTEXT_LENGTH, SHELF_TRANSCRIBE_BASE_URL, SHELF_TRANSCRIBE_MODEL, SHELF_TRANSCRIBE_ENGINE,
SHELF_EMBED_MODEL, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_DATA_DIRS, NO_COLOR.

Exit status: 0 every model measured; 64 usage; 65 fixtures that do not read (a memo id or folder
that is not a single name); 66 no fixtures; 69 the endpoint could not be reached or a tool is
missing; 73 the report folder cannot be made or written; 78 bad configuration or an unknown
model; 1 anything else; 130 and 143 interrupted.`,
		UsesModel: true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "models", Usage: "check the models `A,B,...` (also as arguments)"},
			&cli.StringFlag{Name: "report", Usage: "write the report into `DIR`: table.md, results.json, wrong.md, quality-vs-seconds.svg"},
			&cli.StringFlag{Name: "fixtures", Usage: "read the memos and their truth from `DIR`"},
			&cli.BoolFlag{Name: "transcribe", Usage: "also check transcribe, on the memos spoken by espeak-ng"},
		},
		Action: run,
	}
}
