// Command transcribe turns audio files into timestamped text records, with
// whisper.cpp in the process (a build with the whisper tag) or any
// OpenAI-compatible speech-to-text endpoint.
//
//	transcribe memos/*.m4a | summarize | tasks | shelf-file --vault ~/Notes
//
// See transcribe(1) and shelf(7).
package main

import (
	"os"

	"github.com/shelfai/shelf/lib/tool"
	"github.com/shelfai/shelf/lib/transcribe"
)

func main() {
	os.Exit(tool.Main(spec(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

func spec() tool.Spec {
	return tool.Spec{
		Name:      "transcribe",
		Usage:     "turn audio files into timestamped text records",
		UsageText: "transcribe [--engine ENGINE] [-m MODEL] [-l LANGUAGE] [--segments] [-f FORMAT] FILE...\ntranscribe [options] < records.jsonl\ntranscribe models list\ntranscribe models pull [--models-url URL] [--sha1 HEX] NAME\n\ntranscribe memos/*.m4a | summarize | shelf-file --vault ~/Notes\ntranscribe --format srt talk.mp3 > talk.srt",
		Description: `transcribe writes one record per audio file: {"id", "source", "created", "duration",
"language", "text", "segments": [{start, end, text}], "provenance"}. The id is a hash of the
audio bytes (the same audio, the same id), created is the file's modification time, times are
in seconds. The files are the operands ("-" is audio on standard input); without operands,
JSON Lines records come on standard input and each one's "source" names its audio file (its
other fields pass through). A file that is missing, empty, corrupt or unreadable gives a record
with an error, and the batch goes on.

Audio is read from files and named pipes (a FIFO is read as a file is, and a run waiting on one,
or on standard input, ends at SIGINT or SIGTERM with every record written). A device (/dev/zero,
/dev/null, a terminal) or a socket is refused unopened: its record carries the error, exit 66.
At most --max-audio (default 2GiB) of one file is read, from a file, a pipe or standard input;
a larger one fails its record, exit 65.

Engines (--engine): "whisper" runs whisper.cpp in the process, one file at a time, the model
loaded once; it is in builds made with 'make build-whisper'. "api" posts each file, as it is,
to the endpoint's /v1/audio/transcriptions (whisper.cpp's server, speaches, LocalAI, vLLM),
asking for verbose_json and taking json or text from servers that give no more. The default
is whisper when it is built in and a model is given, else api.

Audio: WAV (8, 16, 24 and 32-bit integer, 32 and 64-bit float, 4000 to 768000 Hz, 1 to 1024
channels) is read here, mixed to mono and resampled to 16 kHz; other formats (mp3, m4a, ogg,
opus, flac, webm, video) go through ffmpeg when it is on PATH. A WAV's header is checked before
the file is sent or decoded: a field out of range, a block align or byte rate at odds with the
other fields, or a chunk larger than the file gives an error record that names the field (a
data size of 0 or 0xFFFFFFFF, left by a writer streaming to a pipe, means "to the end"). At
most 12 hours of audio are decoded from one file.

Models (whisper): --model base.en is $XDG_DATA_HOME/shelf/models/ggml-base.en.bin, or give a
path. 'transcribe models list' shows the known models and which are here; 'transcribe models
pull NAME' downloads one (checked against upstream's SHA-1; an interrupted download leaves
nothing). For the api engine, --model is the server's model name (default whisper-1).

Output: --segments writes one record per segment ({"kind":"segment", "id", "source_id",
"source", "start", "end", "text"}); --format srt, vtt or txt writes subtitles or text
instead of records (several files one after another, each under a header).

Environment: SHELF_TRANSCRIBE_ENGINE, SHELF_TRANSCRIBE_MODEL, SHELF_MODELS_URL,
SHELF_TRANSCRIBE_BASE_URL (the speech server, when it is not the chat server at SHELF_BASE_URL;
then SHELF_BASE_URL, then OPENAI_BASE_URL), SHELF_API_KEY (then OPENAI_API_KEY), SHELF_CONFIG, SHELF_JOBS,
SHELF_MAX_AUDIO, SHELF_TIMEOUT, SHELF_RETRIES, SHELF_NO_CACHE, SHELF_LOG_FORMAT, XDG_DATA_HOME,
XDG_CACHE_HOME.

Exit status: 0 all files done; 64 usage; 65 some input lines were not JSON, or a WAV header
did not hold, or a file was over 12 hours or --max-audio; 66 a file could not be read, or was a
device; 69 the endpoint could
not be reached; 75 some files failed with temporary errors; 78 bad configuration (a missing or
broken model, a server without speech-to-text); 1 anything else; 130 and 143 interrupted.`,
		UsesModel:  true,
		OwnModel:   true,
		BaseURLEnv: "SHELF_TRANSCRIBE_BASE_URL",
		Flags:      flags(),
		Choices:    map[string][]string{"format": formats, "engine": {"auto", "api", "whisper"}, "language": append([]string{"auto"}, transcribe.Languages...)},
		Action:     run,
		Commands:   commands,
	}
}
