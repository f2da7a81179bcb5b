// Command remember keeps a lasting, local memory of the records that pass
// through it, and recalls them: by keywords and by meaning, fused.
//
//	transcribe memos/*.m4a | summarize | remember | shelf-file --vault ~/Notes
//	remember recall "what did the roofer quote"
//	... | remember context | summarize | shelf-file --vault ~/Notes
//
// See remember(1) and shelf(7).
package main

import (
	"os"

	"github.com/shelfai/shelf/lib/tool"
)

func main() {
	os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func spec() tool.Spec {
	return tool.Spec{
		Name:      "remember",
		Usage:     "keep a lasting memory of records, and recall it",
		UsageText: "remember [--db FILE] [--embed-model MODEL] [FILE...]\nremember recall [-k N] [--since WHEN] [--until WHEN] [--raw] [QUERY...]\nremember context | forget ID... | forget --query WORDS [--yes] | export | import [FILE] | stats | reindex\n\nsummarize < memo.txt | remember | shelf-file --vault ~/Notes\nremember recall --since 2026-11-01 roof quote",
		Description: `Without a subcommand, remember stores every record that passes through it and passes it on
unchanged: a new id is a new memory; a changed record supersedes the old version, which
stays in history; the same content again is not stored twice. What is searched is the
record's title with its summary or text.

Embeddings come from the endpoint's /v1/embeddings with --embed-model (SHELF_EMBED_MODEL),
in batches; the model and dimension are stored with each vector. A run given no model embeds
with that of the store's vectors (of most of them, while a reindex is under way). Vectors of
two models do not mix: a run given a model that the store's vectors are not of warns and
embeds nothing (recall and context go by keywords, --mode vector fails, records are stored
without vectors) until 'remember reindex --embed-model MODEL' embeds the store again with
it. (recall from a collective's store, given a model, asks for the query's embedding while it
connects to the server, and drops it if the store's vectors are of another model.) Without
any model, recall is by keywords only (with one warning); 'remember reindex'
embeds what is missing or was embedded by another model (without --embed-model, the model
of most of the store's vectors); 'remember reindex --all' embeds every memory again, for a
model that changed under the same name (its embeddings of another size now).

When the endpoint fails (a model it does not serve, 503, not running), nothing is lost: the
records are stored all the same, found by keywords at once, with one warning that says why,
and the run exits 0. The next run that can embed fills in the vectors of up to 256 such
memories after its own records; 'remember reindex' does all.

A store that cannot be written (its folder missing or read-only, the disk full) still passes
every record on, each that had something to remember with the reason in its "errors", and
the run exits 73.

recall QUERY prints the top -k memories as records {id, title, snippet, score, created,
source, path, member}: BM25 over SQLite FTS5 and vector similarity, fused by reciprocal rank;
--since and --until (a date, an RFC 3339 time, today, yesterday, or 7d / 2w / 12h ago),
--tag, --kind, --member, --recency HALF-LIFE (30d: a month-old memory counts half), --raw
for people.
Without a QUERY, recall lists the -k newest memories the filters let through (score 0):
'remember recall --since yesterday --until today -k 100 --raw' is yesterday. A memory's
time, for --since, --until, --recency and the newest listing, is its record's "created"
(an RFC 3339 time, or a date: from midnight) or, without one (plain text, say), when it
was stored, by the tools' clock (SOURCE_DATE_EPOCH when set). When the embedding endpoint
fails, recall and context go on by keywords, with one warning; --mode vector fails instead.

recall, context, stats and export only read: they work on a store the user may not write
(opened read-only; in a folder the user may not write, read as the file holds it), change
nothing in it, and read a store that is not there as an empty one, without making it.

context adds to each passing record a "context" array of its related memories (itself left
out), so that "... | remember context | summarize | shelf-file" grounds the later tools.

forget ID... removes every version of those memories so that their text is physically gone
from the database file, and says on standard error how many it forgot. forget --query QUERY
takes every memory that has all the words of QUERY, as keyword recall reads them (--since,
--until, --tag and --kind narrow it; no -k: it is not a ranking): without --yes it lists
them and forgets none, with --yes it forgets them all. A QUERY without words is refused
(exit 64); one that no memory matches forgets nothing and exits 65, with or without --yes,
as ids that the store does not hold do (the ids it does hold are forgotten all the same).

export writes every memory, with its history and vectors, as JSON Lines; import reads that
back (export, import into an empty store, export again: identical). stats describes the
store.

The store is SQLite (pure Go) at $XDG_DATA_HOME/shelf/memory.db, or --db (SHELF_DB): WAL and
a busy timeout, so two runs at once (overlapping cron jobs) both succeed.
A collective shares one memory on PostgreSQL: --db postgres://ROLE@HOST/DATABASE (libpq's
conventions: the password in the URL, PGPASSWORD or ~/.pgpass; sslmode), and every
subcommand works as on the file, with the same records out. Each memory records the role
that stored it ("member" in recall's records; --member filters by it; a SQLite store has
none), and the database lets every member read every memory but change or forget only their
own: forgetting another member's memory, storing a record under its id, or importing a new
version of it fails (exit 65), and the error names whose memory it is. Keyword search there is PostgreSQL's full text search
(tsvector, GIN, ts_rank; words as they are, without the SQLite store's folding of accents),
vectors the same int8 vectors and sign codes. A member reindexes and fills in only their own
memories. The first run that writes makes the tables (the collective's keeper's, see
examples/collective); a read of a database without them reads an empty store. forget there
rewrites the tables so that the text leaves their files (others wait meanwhile: about a
second per 100,000 memories); PostgreSQL's write-ahead log keeps it until its segments are
recycled, and backups as long as they are kept. The URL's password is masked in every
message, record and stats. The URL may name a connection pooler in transaction mode
(PgBouncer; examples/collective/pgbouncer.ini): remember prepares no statement and keeps no
setting between statements. A run that only reads asks the server for read-only
transactions; through a pooler that refuses that setting, it connects without it (and
notes so in its cache folder, so that the next run does not ask) and refuses to write by
itself.

Environment: SHELF_DB, SHELF_EMBED_MODEL, SHELF_BASE_URL (then OPENAI_BASE_URL),
SHELF_API_KEY (then OPENAI_API_KEY), SHELF_CONFIG, SHELF_JOBS, SHELF_TIMEOUT, SHELF_RETRIES,
SHELF_NO_CACHE, SHELF_LOG_FORMAT, XDG_DATA_HOME; for a PostgreSQL store, libpq's PGPASSWORD,
PGPASSFILE, PGSSLMODE and the like.

Exit status: 0 done (also when embeddings failed: the memories are stored); 64 usage; 65
some input lines were not JSON, or forget found no memory to forget (ids the store does not
hold, a --query that no memory matches), or another member's memory was to be forgotten or
changed; 66 the store cannot be read; 69 the endpoint could
not be reached; 73 the store cannot be written; 75 temporary failures; 78 bad configuration
(also --mode vector with a model that the store's vectors are not of); 1 anything else; 130 and 143 interrupted.`,
		UsesModel: true,
		OwnModel:  true,
		Flags:     flags(),
		Choices:   map[string][]string{"mode": {"hybrid", "keyword", "vector"}},
		Action:    func(env *tool.Env) error { return store(env.CLI, env) },
		Commands:  commands,
	}
}
