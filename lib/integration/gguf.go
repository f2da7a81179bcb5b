// Package integration runs the shelf tools against a real Ollama server
// with a generated model (go test -tags integration; make test-integration
// sets it up). This file writes that model: a tiny llama-architecture GGUF
// with random weights. Its answers are gibberish, but everything around them
// is real: the server loads it, tokenizes with it, samples, streams,
// constrains output with JSON-schema grammars and computes embeddings.
package integration

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
)

// ModelOptions shape the generated model.
type ModelOptions struct {
	Embd    int     // width of the residual stream
	Layers  int     // transformer blocks
	Heads   int     // attention heads
	FF      int     // feed-forward width
	Context int     // training context written into the file
	Seed    uint64  // same seed, same bytes
	EOSBias float64 // logit bias of </s>: higher, shorter answers
	// QuoteBias is the logit bias of the '"' token. Under a JSON grammar a
	// string ends only when the model picks '"'; without a push, greedy
	// decoding fills every string to its limit.
	QuoteBias float64
	// Words are more whole-word tokens, after the built-in vocabulary
	// (vocabWords), each with the word-start mark and without: a text made
	// of them takes about one token a word wherever they stand, as English
	// does with a real model's vocabulary.
	Words []string
}

// DefaultModel is small enough to load in a quarter second. Its seed and
// biases were chosen by trying: with them, greedy answers (temperature 0)
// end after a few tokens, and JSON strings under a grammar after a few words.
var DefaultModel = ModelOptions{Embd: 64, Layers: 2, Heads: 4, FF: 128, Context: 2048, Seed: 11, EOSBias: 6, QuoteBias: 9}

// Vocabulary: whole words are single tokens, so text made of them has a
// known token count; anything else falls back to single characters and bytes.
var vocabWords = strings.Fields(`
a an the and or but if so of to in on at by for from with about into over
after before under again is are was were be been am do does did have has had
will would can could should may might must not no yes this that these those
it its he she they we you i me my your our their them his her who what when
where why how which there here all any each few more most some such only own
same than too very just now then also well back still even new old good bad
big small long short high low first last next early late day week month year
time today tomorrow morning evening monday tuesday wednesday thursday friday
call email write send read meet plan book buy pay fix ship check ask tell
remind finish start stop make take give get go come see look find keep need
want work home office team project budget report meeting note task memo idea
roof garden kitchen car bank doctor dentist school shop print photo catalogue
price quote paper file list date money water fire tree sun moon light dark
red green blue cat dog bird fish book music film summary title tags text
`)

const (
	ggufString  = 8
	ggufArray   = 9
	ggufUint32  = 4
	ggufInt32   = 5
	ggufFloat32 = 6
	ggufBool    = 7

	tokNormal  = 1
	tokUnknown = 2
	tokControl = 3
	tokByte    = 6

	alignment = 32
)

// chatML is the chat template for servers that read it from the file.
const chatML = `{% for m in messages %}{{'<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n'}}{% endfor %}{% if add_generation_prompt %}{{'<|im_start|>assistant\n'}}{% endif %}`

// Modelfile is Ollama's recipe for the generated model, to be written next
// to it as "model.gguf".
const Modelfile = `FROM ./model.gguf
TEMPLATE """{{- range .Messages }}<|im_start|>{{ .Role }}
{{ .Content }}<|im_end|>
{{ end }}<|im_start|>assistant
"""
PARAMETER stop <|im_end|>
PARAMETER stop <|im_start|>
PARAMETER num_ctx 512
PARAMETER num_thread 1
`

// ModelfileWith is Modelfile with the model's window set to numCtx tokens
// (PARAMETER num_ctx), or, for 0, not set: Ollama's default applies.
func ModelfileWith(numCtx int) string {
	line := ""
	if numCtx > 0 {
		line = fmt.Sprintf("PARAMETER num_ctx %d\n", numCtx)
	}
	return strings.Replace(Modelfile, "PARAMETER num_ctx 512\n", line, 1)
}

type metaValue struct {
	key string
	val any
}

type weights struct {
	name string
	dims []uint64 // innermost first
	data []float32
}

// WriteModel writes the GGUF file to w.
func WriteModel(w io.Writer, o ModelOptions) error {
	if o.Embd%o.Heads != 0 {
		return fmt.Errorf("embd %d is not a multiple of heads %d", o.Embd, o.Heads)
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed))

	// The vocabulary: control tokens, byte fallbacks, single characters,
	// then every prefix of each word with the word-start mark, so the
	// tokenizer can merge its way up to whole words.
	var tokens []string
	var scores []float32
	var kinds []int32
	have := map[string]bool{}
	add := func(tok string, score float32, kind int32) {
		if !have[tok] {
			have[tok] = true
			tokens = append(tokens, tok)
			scores = append(scores, score)
			kinds = append(kinds, kind)
		}
	}
	const unk, bos, eos, imStart, imEnd = 0, 1, 2, 3, 4
	for _, c := range []string{"<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"} {
		kind := int32(tokControl)
		if c == "<unk>" {
			kind = tokUnknown
		}
		add(c, 0, kind)
	}
	for b := range 256 {
		add(fmt.Sprintf("<0x%02X>", b), 0, tokByte)
	}
	add("▁", -1000, tokNormal)
	for c := byte('!'); c <= '~'; c++ {
		add(string(c), -1000, tokNormal)
	}
	whole := map[string]bool{}
	for i, word := range vocabWords {
		runes := []rune("▁" + word)
		whole[string(runes)] = true
		for n := 2; n <= len(runes); n++ {
			add(string(runes[:n]), -float32(i)-float32(n)/100, tokNormal)
		}
	}
	// The model's own tokens come first and get the same weights whatever
	// Words holds; those Words add are read, never written, so that the
	// model answers as it does without them.
	base := len(tokens)
	for i, word := range o.Words {
		runes := []rune("▁" + word)
		for n := 2; n <= len(runes); n++ {
			add(string(runes[:n]), -float32(len(vocabWords)+i)-float32(n)/100, tokNormal)
		}
	}
	// And each word without the word-start mark, as a real vocabulary has
	// it too: a word after a quote, a bracket or a line break (no space
	// before it) is one token, not spelled a letter at a time. These come
	// last: what they can merge, the words with the mark merge first.
	for i, word := range o.Words {
		runes := []rune(word)
		for n := 2; n <= len(runes); n++ {
			add(string(runes[:n]), -float32(len(vocabWords)+len(o.Words)+i)-float32(n)/100, tokNormal)
		}
	}
	vocab := len(tokens)
	extra := rand.New(rand.NewPCG(o.Seed^0x3042d5, o.Seed))

	gaussFrom := func(rng *rand.Rand, n int, std float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * std)
		}
		return v
	}
	gauss := func(n int, std float64) []float32 { return gaussFrom(rng, n, std) }
	ones := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	E, F := o.Embd, o.FF
	var ws []weights
	matrix := func(name string, cols, rows int, data []float32) {
		ws = append(ws, weights{name, []uint64{uint64(cols), uint64(rows)}, data})
	}
	vector := func(name string, data []float32) {
		ws = append(ws, weights{name, []uint64{uint64(len(data))}, data})
	}

	// Dimension 0 of the residual stream is 1 in every embedding and no
	// layer writes to it, so a token's weight there in the output matrix
	// is a fixed logit bias.
	const embStd = 0.1
	emb := append(gauss(base*E, embStd), gaussFrom(extra, (vocab-base)*E, embStd)...)
	for t := range vocab {
		emb[t*E] = 1
	}
	matrix("token_embd.weight", E, vocab, emb)
	for l := range o.Layers {
		p := fmt.Sprintf("blk.%d.", l)
		vector(p+"attn_norm.weight", ones(E))
		for _, n := range []string{"attn_q", "attn_k", "attn_v"} {
			matrix(p+n+".weight", E, E, gauss(E*E, 1/math.Sqrt(float64(E))))
		}
		out := gauss(E*E, 0.2/math.Sqrt(float64(E)))
		clear(out[:E]) // row 0 writes residual dimension 0
		matrix(p+"attn_output.weight", E, E, out)
		vector(p+"ffn_norm.weight", ones(E))
		matrix(p+"ffn_gate.weight", E, F, gauss(E*F, 1/math.Sqrt(float64(E))))
		matrix(p+"ffn_up.weight", E, F, gauss(E*F, 1/math.Sqrt(float64(E))))
		down := gauss(F*E, 0.2/math.Sqrt(float64(F)))
		clear(down[:F])
		matrix(p+"ffn_down.weight", F, E, down)
	}
	vector("output_norm.weight", ones(E))
	// After RMS norm, residual dimension 0 is about sqrt(E/(1+(E-1)*std²)).
	h0 := math.Sqrt(float64(E) / (1 + float64(E-1)*embStd*embStd))
	outW := append(gauss(base*E, 0.3), gaussFrom(extra, (vocab-base)*E, 0.3)...)
	for t := range vocab {
		var bias float64
		switch {
		case t == eos:
			bias = o.EOSBias
		case tokens[t] == `"`:
			bias = o.QuoteBias
		case kinds[t] != tokNormal:
			bias = -30 // bytes and control tokens: never
		case t >= base:
			bias = -30 // Words' tokens: read, never written
		case strings.HasPrefix(tokens[t], "▁") && len(tokens[t]) > len("▁") && !whole[tokens[t]]:
			bias = -30 // word prefixes only help the tokenizer build words
		}
		outW[t*E] = float32(bias / h0)
	}
	matrix("output.weight", E, vocab, outW)

	meta := []metaValue{
		{"general.architecture", "llama"},
		{"general.name", "shelf-test-tiny"},
		{"general.file_type", uint32(0)},
		{"general.alignment", uint32(alignment)},
		{"llama.context_length", uint32(o.Context)},
		{"llama.embedding_length", uint32(E)},
		{"llama.block_count", uint32(o.Layers)},
		{"llama.feed_forward_length", uint32(F)},
		{"llama.attention.head_count", uint32(o.Heads)},
		{"llama.attention.head_count_kv", uint32(o.Heads)},
		{"llama.rope.dimension_count", uint32(E / o.Heads)},
		{"llama.rope.freq_base", float32(10000)},
		{"llama.attention.layer_norm_rms_epsilon", float32(1e-5)},
		{"llama.vocab_size", uint32(vocab)},
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", tokens},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", kinds},
		{"tokenizer.ggml.unknown_token_id", uint32(unk)},
		{"tokenizer.ggml.bos_token_id", uint32(bos)},
		{"tokenizer.ggml.eos_token_id", uint32(eos)},
		{"tokenizer.ggml.eot_token_id", uint32(imEnd)},
		{"tokenizer.ggml.padding_token_id", uint32(unk)},
		{"tokenizer.ggml.add_bos_token", true},
		{"tokenizer.ggml.add_eos_token", false},
		{"tokenizer.ggml.add_space_prefix", true},
		{"tokenizer.chat_template", chatML},
	}
	_ = imStart
	return encodeGGUF(w, meta, ws)
}

// ggufWriter writes little-endian values and counts the bytes.
type ggufWriter struct {
	w   *bufio.Writer
	n   uint64
	err error
}

func (g *ggufWriter) bytes(b []byte) {
	if g.err == nil {
		_, g.err = g.w.Write(b)
		g.n += uint64(len(b))
	}
}
func (g *ggufWriter) u32(v uint32) { g.bytes(binary.LittleEndian.AppendUint32(nil, v)) }
func (g *ggufWriter) u64(v uint64) { g.bytes(binary.LittleEndian.AppendUint64(nil, v)) }
func (g *ggufWriter) str(s string) { g.u64(uint64(len(s))); g.bytes([]byte(s)) }
func (g *ggufWriter) padTo(n uint64) {
	if r := g.n % n; r != 0 {
		g.bytes(make([]byte, n-r))
	}
}

func encodeGGUF(out io.Writer, meta []metaValue, ws []weights) error {
	g := &ggufWriter{w: bufio.NewWriter(out)}
	g.bytes([]byte("GGUF"))
	g.u32(3)
	g.u64(uint64(len(ws)))
	g.u64(uint64(len(meta)))
	for _, m := range meta {
		g.str(m.key)
		switch v := m.val.(type) {
		case string:
			g.u32(ggufString)
			g.str(v)
		case uint32:
			g.u32(ggufUint32)
			g.u32(v)
		case float32:
			g.u32(ggufFloat32)
			g.u32(math.Float32bits(v))
		case bool:
			g.u32(ggufBool)
			if v {
				g.bytes([]byte{1})
			} else {
				g.bytes([]byte{0})
			}
		case []string:
			g.u32(ggufArray)
			g.u32(ggufString)
			g.u64(uint64(len(v)))
			for _, s := range v {
				g.str(s)
			}
		case []float32:
			g.u32(ggufArray)
			g.u32(ggufFloat32)
			g.u64(uint64(len(v)))
			for _, x := range v {
				g.u32(math.Float32bits(x))
			}
		case []int32:
			g.u32(ggufArray)
			g.u32(ggufInt32)
			g.u64(uint64(len(v)))
			for _, x := range v {
				g.u32(uint32(x))
			}
		default:
			return fmt.Errorf("gguf: no encoding for %T (%s)", v, m.key)
		}
	}
	// Tensor infos, then the data, each tensor aligned; all f32.
	var offset uint64
	for _, t := range ws {
		g.str(t.name)
		g.u32(uint32(len(t.dims)))
		for _, d := range t.dims {
			g.u64(d)
		}
		g.u32(0) // GGML_TYPE_F32
		g.u64(offset)
		size := uint64(4 * len(t.data))
		offset += (size + alignment - 1) / alignment * alignment
	}
	g.padTo(alignment)
	buf := make([]byte, 4)
	for _, t := range ws {
		for _, x := range t.data {
			binary.LittleEndian.PutUint32(buf, math.Float32bits(x))
			g.bytes(buf)
		}
		g.padTo(alignment)
	}
	if g.err != nil {
		return g.err
	}
	return g.w.Flush()
}
