# memos.mk: each voice memo in memos/ into a record in notes/, summarized
# and with its tasks, rebuilding only what changed. GNU make.
#
#   make -f memos.mk            every memo not yet turned into a note
#   make -f memos.mk -j4        four at a time
#   make -f memos.mk clean      remove notes/
#
# memos/standup.m4a becomes notes/standup.jsonl; a memo newer than its
# note (recorded over, or touched) is done again; a memo that fails leaves
# no note behind, so the next make tries it again. Copy the rules into a
# Makefile of your own as they are, or change the pipeline in the recipe.
#
# make splits names at spaces, so memo names must have none (nor quotes);
# rename "New Recording 3.m4a" to New-Recording-3.m4a. Extensions are matched
# in lower case, as written below.

SHELL := bash
.DELETE_ON_ERROR:
.SUFFIXES:

MEMOS := $(wildcard memos/*.m4a memos/*.mp3 memos/*.wav memos/*.ogg memos/*.opus memos/*.flac)
NOTES := $(addprefix notes/,$(addsuffix .jsonl,$(basename $(notdir $(MEMOS)))))

all: $(NOTES)

# A recipe that fails or is interrupted leaves no note behind
# (.DELETE_ON_ERROR; make removes it on a signal too).
# set -o pipefail: a failure anywhere in the pipeline fails the recipe, not
# only the last tool's (in the recipe, so that make 3.81, macOS's, does it
# too).
define memo-to-note
	set -o pipefail; transcribe -- '$<' | summarize | tasks > '$@'
endef

notes/%.jsonl: memos/%.m4a | notes ; $(memo-to-note)
notes/%.jsonl: memos/%.mp3 | notes ; $(memo-to-note)
notes/%.jsonl: memos/%.wav | notes ; $(memo-to-note)
notes/%.jsonl: memos/%.ogg | notes ; $(memo-to-note)
notes/%.jsonl: memos/%.opus | notes ; $(memo-to-note)
notes/%.jsonl: memos/%.flac | notes ; $(memo-to-note)

notes:
	mkdir -p $@

clean:
	rm -rf notes

.PHONY: all clean
