# shelf: build, test, install. GNU make.
#
#   make demo               build, then summarize a sample memo with your local model
#   make test               gofmt, vet, and every test (with the race detector)
#   make build              the tools into bin/ (static, no cgo)
#   make install            into $(PREFIX): binaries, man pages, bash/zsh/fish completions
#   make man                regenerate man/man1 from the apps, man/man7 from its source
#   make bench              the benchmarks, printed as ratios against their goals
#   make bench-compare OLD=REV   the benchmarks of REV and of this tree, run
#                           alternately BENCH_COUNT times, side by side as ratios
#   make test-integration   every tool against a real Ollama with a generated model
#                           (builds Ollama once into $XDG_CACHE_HOME/shelf: 2 to 9 minutes),
#                           and a table of the prompt tokens it evaluated per memo
#   make check-model MODELS="llama3.2 qwen2.5:3b"
#                           which model is good enough: the whole pipeline over
#                           40 memos with each, a table, and a report in fitness-report/
#                           (FITNESS_FLAGS=--transcribe: transcribe's word error rate too)
#   make test-postgres      remember's tests with its shared store on a throwaway
#                           PostgreSQL server, directly and through PgBouncer,
#                           which must be installed (make test skips those tests
#                           without them)
#
# Install names: PROGRAM_PREFIX is put before every tool's name, GNU style
# (make install PROGRAM_PREFIX=shelf- gives shelf-summarize, shelf-tasks, ...).
# The file tool is never installed as plain "file", which would shadow
# file(1): without a prefix it is installed as shelf-file; the model check
# likewise as shelf-fitness. The check's memos go to $(DATADIR)/shelf/fitness.

PREFIX ?= $(HOME)/.local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
PROGRAM_PREFIX ?=
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
# urfave_cli_no_docs drops the man page generator (and its Markdown parser)
# from the tools: it is only needed by make man, and costs start-up time.
TAGS := urfave_cli_no_docs
LDFLAGS := -s -w -X github.com/shelfai/shelf/lib/tool.version=$(VERSION)
TOOLS := $(notdir $(wildcard cmd/*))
CACHE_HOME := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)
OLLAMA_VERSION := 0.6.8
OLLAMA_DIR := $(CACHE_HOME)/shelf/ollama-$(OLLAMA_VERSION)
OLLAMA := $(OLLAMA_DIR)/bin/ollama
SHELL := /bin/bash


.PHONY: all build build-whisper demo check-model test test-integration test-postgres test-whisper check-format vet man bench bench-compare bench-whisper install uninstall clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o bin/ ./cmd/...

# The whisper engine: transcribe with whisper.cpp in the process (cgo).
# Build libwhisper first, as whisper.cpp's own instructions say (a static
# build: cmake -B build -DBUILD_SHARED_LIBS=OFF, then cmake --build build
# --target whisper), then either point WHISPER_DIR at that checkout, or give
# CGO_CFLAGS and CGO_LDFLAGS, or let pkg-config find whisper.
WHISPER_DIR ?=
WHISPER_CFLAGS := $(if $(WHISPER_DIR),-I$(WHISPER_DIR)/include -I$(WHISPER_DIR)/ggml/include,$(shell pkg-config --cflags whisper 2>/dev/null))
WHISPER_LDFLAGS := $(if $(WHISPER_DIR),-L$(WHISPER_DIR)/build/src -L$(WHISPER_DIR)/build/ggml/src,$(shell pkg-config --libs-only-L whisper 2>/dev/null))
WHISPER_ENV = CGO_ENABLED=1 CGO_CFLAGS="$(CGO_CFLAGS) $(WHISPER_CFLAGS)" CGO_LDFLAGS="$(CGO_LDFLAGS) $(WHISPER_LDFLAGS)"

build-whisper:
	$(WHISPER_ENV) $(GO) build -trimpath -tags 'whisper $(TAGS)' -ldflags '$(LDFLAGS)' -o bin/ ./cmd/transcribe

# With SHELF_WHISPER_MODEL set to a model file (any whisper.cpp model;
# a tiny random-weight one does for these).
test-whisper:
	$(WHISPER_ENV) $(GO) test -tags whisper -count=1 ./lib/transcribe ./cmd/transcribe

bench-whisper:
	$(WHISPER_ENV) $(GO) test -tags whisper -run '^$$' -bench WhisperBatch -benchtime 1x ./cmd/transcribe

demo: build
	@bash ./examples/demo.sh

MODELS ?=
FITNESS_REPORT ?= fitness-report
FITNESS_FLAGS ?=
check-model: build
	@if [ -z '$(MODELS)' ]; then echo 'usage: make check-model MODELS="llama3.2 qwen2.5:3b" [FITNESS_REPORT=DIR] [FITNESS_FLAGS=--transcribe]' >&2; exit 64; fi
	bin/fitness --fixtures testdata/fitness --report '$(FITNESS_REPORT)' $(FITNESS_FLAGS) $(MODELS)

check-format:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test: check-format vet
	$(GO) test -race -count=1 ./...

# Ollama builds from the Go module proxy with cgo (gcc, no cmake), with a
# build cache of its own so that nothing else trims it mid-build.
$(OLLAMA):
	@echo "building Ollama v$(OLLAMA_VERSION) into $(OLLAMA_DIR) (once; 2 to 9 minutes)"
	mkdir -p '$(OLLAMA_DIR)'
	GOCACHE='$(OLLAMA_DIR)/gocache' GOBIN='$(OLLAMA_DIR)/bin' CGO_ENABLED=1 GOFLAGS=-buildvcs=false \
	  $(GO) install -ldflags=-X=github.com/ollama/ollama/version.Version=$(OLLAMA_VERSION) \
	  github.com/ollama/ollama@v$(OLLAMA_VERSION)

# The prompt-cache measurement (lib/integration/cache_test.go) writes its
# table to a file, printed after the tests, passed or failed.
test-integration: $(OLLAMA)
	@report=$$(mktemp); trap 'rm -f "$$report"' EXIT; \
	echo "SHELF_OLLAMA='$(OLLAMA)' $(GO) test -tags integration -count=1 -timeout 30m ./lib/integration/"; \
	SHELF_OLLAMA='$(OLLAMA)' SHELF_CACHE_REPORT="$$report" $(GO) test -tags integration -count=1 -timeout 30m ./lib/integration/; \
	status=$$?; cat "$$report"; exit $$status

test-postgres:
	SHELF_NEED_POSTGRES=1 $(GO) test -count=1 ./lib/memory/... ./cmd/remember

man:
	$(GO) test ./cmd/... ./lib/tool -run 'TestManPage|TestShelf7' -update

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./cmd/... ./lib/...

# Old and new take turns on the same machine in one run, so that load and
# temperature fall on both alike; benchstat prints each figure old against
# new with the change as a ratio. The pkg: lines are dropped so that a
# benchmark that moved to another package is still paired with its old self.
BENCH ?= .
BENCH_COUNT ?= 5
BENCHSTAT := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
bench-compare:
	@if [ -z '$(OLD)' ]; then echo 'usage: make bench-compare OLD=REV [BENCH=REGEXP] [BENCH_COUNT=N]' >&2; exit 64; fi
	@set -eo pipefail; dir=$$(mktemp -d); \
	trap 'git worktree remove --force "$$dir/old" >/dev/null 2>&1; rm -rf "$$dir"' EXIT; \
	git worktree add --detach -q "$$dir/old" '$(OLD)'; \
	for i in $$(seq $(BENCH_COUNT)); do \
	  echo "round $$i of $(BENCH_COUNT)" >&2; \
	  (cd "$$dir/old" && $(GO) test -run '^$$' -bench '$(BENCH)' -benchtime 1x -count 1 ./cmd/... ./lib/...) | grep -v '^pkg:' >> "$$dir/old.txt"; \
	  $(GO) test -run '^$$' -bench '$(BENCH)' -benchtime 1x -count 1 ./cmd/... ./lib/... | grep -v '^pkg:' >> "$$dir/new.txt"; \
	done; \
	$(GO) run $(BENCHSTAT) '$(OLD)'="$$dir/old.txt" this="$$dir/new.txt"

install: build
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(MANDIR)/man7' \
	  '$(DESTDIR)$(DATADIR)/bash-completion/completions' '$(DESTDIR)$(DATADIR)/zsh/site-functions' \
	  '$(DESTDIR)$(DATADIR)/fish/vendor_completions.d'
	@set -e; for t in $(TOOLS); do \
	  name='$(PROGRAM_PREFIX)'$$t; \
	  if { [ "$$t" = file ] || [ "$$t" = fitness ]; } && [ -z '$(PROGRAM_PREFIX)' ]; then name=shelf-$$t; fi; \
	  install -m 755 bin/$$t '$(DESTDIR)$(BINDIR)'/$$name; \
	  page=$$t; if [ "$$t" = file ] || [ "$$t" = fitness ]; then page=shelf-$$t; fi; \
	  epage=$$(printf '%s' "$$page" | sed 's/-/\\\\-/g'); ename=$$(printf '%s' "$$name" | sed 's/-/\\\\-/g'); \
	  sed -e "s/^\.TH $$page 1/.TH $$name 1/" -e "s/^$$page \\\\-/$$name \\\\-/" -e "s/^$$epage /$$ename /" \
	    man/man1/$$t.1 > '$(DESTDIR)$(MANDIR)/man1'/$$name.1; \
	  chmod 644 '$(DESTDIR)$(MANDIR)/man1'/$$name.1; \
	  '$(DESTDIR)$(BINDIR)'/$$name --completion bash > '$(DESTDIR)$(DATADIR)/bash-completion/completions'/$$name; \
	  '$(DESTDIR)$(BINDIR)'/$$name --completion zsh > '$(DESTDIR)$(DATADIR)/zsh/site-functions'/_$$name; \
	  '$(DESTDIR)$(BINDIR)'/$$name --completion fish > '$(DESTDIR)$(DATADIR)/fish/vendor_completions.d'/$$name.fish; \
	  echo "installed $$name"; \
	done
	install -m 644 man/man7/shelf.7 '$(DESTDIR)$(MANDIR)/man7/shelf.7'
	install -d '$(DESTDIR)$(DATADIR)/shelf/fitness'
	install -m 644 testdata/fitness/memos.yaml '$(DESTDIR)$(DATADIR)/shelf/fitness/memos.yaml'
	@case ":$$PATH:" in *":$(BINDIR):"*) ;; *) echo "note: $(BINDIR) is not on your PATH";; esac

uninstall:
	@for t in $(TOOLS); do \
	  name='$(PROGRAM_PREFIX)'$$t; \
	  if { [ "$$t" = file ] || [ "$$t" = fitness ]; } && [ -z '$(PROGRAM_PREFIX)' ]; then name=shelf-$$t; fi; \
	  rm -f '$(DESTDIR)$(BINDIR)'/$$name '$(DESTDIR)$(MANDIR)/man1'/$$name.1 \
	    '$(DESTDIR)$(DATADIR)/bash-completion/completions'/$$name '$(DESTDIR)$(DATADIR)/zsh/site-functions'/_$$name \
	    '$(DESTDIR)$(DATADIR)/fish/vendor_completions.d'/$$name.fish; \
	done
	rm -f '$(DESTDIR)$(MANDIR)/man7/shelf.7'
	rm -rf '$(DESTDIR)$(DATADIR)/shelf/fitness'

clean:
	rm -rf bin
