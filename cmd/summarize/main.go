// Command summarize adds a summary, and a title and tags when absent, to
// each record of a JSON Lines stream, using any OpenAI-compatible model.
//
//	transcribe memos/*.m4a | summarize | tasks | shelf-file --vault ~/Notes
//	summarize --raw < notes.txt
//
// See summarize(1) and shelf(7).
package main

import (
	"os"

	"github.com/shelfai/shelf/lib/summarize"
	"github.com/shelfai/shelf/lib/tool"
)

func main() {
	os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func spec() tool.Spec {
	return tool.Spec{
		Name:      "summarize",
		Usage:     "add a summary, title and tags to each record",
		UsageText: "summarize [-r] [--style STYLE] [--check MODE] [--field PATH] [-m MODEL] [-j N] [FILE...]\nsummarize --print-prompt\n\ntranscribe memo.m4a | summarize | shelf-file --vault ~/Notes\nsummarize --raw --style bullets < notes.txt",
		Description: `summarize reads JSON Lines records (from the files named, or standard input) and
writes each record back with a "summary" of its "text" (or --field), and a "title" and
"tags" when the record has none. Every other field passes through byte for byte. Input that
does not start with "{" is one plain-text record, so "summarize --raw < notes.txt" works, and
with --raw the summary streams out as it is generated (for editor filters).

Text longer than the model's window is split at paragraph and sentence boundaries, its parts
summarized in parallel and their notes combined: nothing is truncated. The parts are those
tasks cuts the same text into, so that a server's prompt cache reuses them (see PROMPTS in
shelf(7)). The window is the
smaller of --context-length and what the server reports (Ollama: the model's num_ctx, else
its default; llama.cpp: n_ctx; vLLM: max_model_len; LM Studio: the loaded context length);
-v says which. Every answer's usage is checked: a server that cut a request all the same
makes the text split smaller and sent once more, and a record it still cuts fails.
A record's "context" (related memories from remember) is shown to the model as background,
after the text.

The summary, and a title summarize made, are checked against the whole text (split or not):
every number (any notation: "$8,000", "8000 dollars", "8k", "eight thousand"), time, ISO
date, e-mail address, link and name they hold must be in it. What is not is listed, as
written, in "checks": {"summary": {"unsupported": [...]}, "title": {"unsupported": [...]}},
and each field that has any gets a warning in "errors" and on standard error; the summary is
kept and the exit status stays 0. "checks.summary" is written whenever the checks ran, its
list empty when everything held, so "checked, all fine" differs from "not checked";
"checks.title" only when the title is new (a record's own title is kept and not checked).
--check MODE (config key "check") says what to do: "warn" (the default) lists and warns;
"retry" does the same after one repair round, in which the model gets its summary (and new
title) with what is not in the text and is asked to write them again without it, and the
answer with fewer unsupported claims is kept (the first on a tie), what it still claims
listed (the repair answer is cached like any other, so a second run gives the same record;
a repair answer that is no summary at all keeps the first, with a warning that says the
repair round failed, and changes nothing in how the records after it are asked; with --raw
on plain text the summary kept is printed whole at the end instead of streaming);
"off" checks nothing, and a summary made anew drops the checks of the old one.

With --raw the warnings go to standard error only. See shelf(7), CHECKS, for what the checks
read and what they cannot know.

The prompt is a text/template: --print-prompt shows the built-in one; put your own in
$XDG_CONFIG_HOME/shelf/prompts/summarize.tmpl or pass --prompt FILE. It starts with the part
it shares with tasks (the system message, then the text and its related memories), and asks
for the summary after the text: see PROMPTS in shelf(7) for how a template of your own keeps
a server's prompt cache of use.

Environment: SHELF_BASE_URL (then OPENAI_BASE_URL), SHELF_MODEL, SHELF_API_KEY (then
OPENAI_API_KEY), SHELF_CONFIG, SHELF_JOBS, SHELF_TIMEOUT, SHELF_RETRIES, SHELF_TEMPERATURE,
SHELF_CONTEXT_LENGTH, SHELF_NO_CACHE, SHELF_LOG_FORMAT, SHELF_SUMMARIZE_STYLE, SHELF_SUMMARIZE_CHECK, XDG_CONFIG_HOME, XDG_CACHE_HOME, NO_COLOR.

Exit status: 0 all records done (warnings, such as unsupported claims, included); 64 usage; 65 some input lines were not JSON; 69 the endpoint
could not be reached; 75 some records failed with temporary errors; 78 bad configuration;
1 anything else; 130 and 143 interrupted. Failed records are still written, with an "errors" entry.`,
		UsesModel: true,
		Flags:     flags(),
		Prompt:    summarize.Prompt,
		Choices:   map[string][]string{"style": summarize.Styles, "check": summarize.CheckModes},
		Action:    run,
	}
}
