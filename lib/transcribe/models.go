package transcribe

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/shelfai/shelf/lib/sysexits"
)

// DefaultModelsURL is upstream whisper.cpp's model host; ModelURL adds
// "/ggml-NAME.bin". A mirror can stand in for it (--models-url).
const DefaultModelsURL = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main"

// KnownModel is a model upstream publishes, with the SHA-1 it lists.
type KnownModel struct {
	Name string
	Size string // as upstream gives it
	SHA1 string
}

// Known are upstream's ggml whisper models (whisper.cpp models/README.md).
var Known = []KnownModel{
	{"tiny", "75 MiB", "bd577a113a864445d4c299885e0cb97d4ba92b5f"},
	{"tiny.en", "75 MiB", "c78c86eb1a8faa21b369bcd33207cc90d64ae9df"},
	{"base", "142 MiB", "465707469ff3a37a2b9b8d8f89f2f99de7299dac"},
	{"base.en", "142 MiB", "137c40403d78fd54d454da0f9bd998f78703390c"},
	{"small", "466 MiB", "55356645c2b361a969dfd0ef2c5a50d530afd8d5"},
	{"small.en", "466 MiB", "db8a495a91d927739e50b3fc1cc4c6b8f6c2d022"},
	{"small.en-tdrz", "465 MiB", "b6c6e7e89af1a35c08e6de56b66ca6a02a2fdfa1"},
	{"medium", "1.5 GiB", "fd9727b6e1217c2f614f9b698455c4ffd82463b4"},
	{"medium.en", "1.5 GiB", "8c30f0e44ce9560643ebd10bbe50cd20eafd3723"},
	{"large-v1", "2.9 GiB", "b1caaf735c4cc1429223d5a74f0f4d0b9b59a299"},
	{"large-v2", "2.9 GiB", "0f4c8e34f21cf1a914c59d8b3ce882345ad349d6"},
	{"large-v2-q5_0", "1.1 GiB", "00e39f2196344e901b3a2bd5814807a769bd1630"},
	{"large-v3", "2.9 GiB", "ad82bf6a9043ceed055076d0fd39f5f186ff8062"},
	{"large-v3-q5_0", "1.1 GiB", "e6e2ed78495d403bef4b7cff42ef4aaadcfea8de"},
	{"large-v3-turbo", "1.5 GiB", "4af2b29d7ec73d781377bfd1758ca957a807e941"},
	{"large-v3-turbo-q5_0", "547 MiB", "e050f7970618a659205450ad97eb95a18d69c9ee"},
}

// Lookup finds a known model by name.
func Lookup(name string) (KnownModel, bool) {
	for _, m := range Known {
		if m.Name == name {
			return m, true
		}
	}
	return KnownModel{}, false
}

// ModelPath resolves --model: a path (with a / or ending in .bin) as it is,
// else a name in dir as ggml-NAME.bin.
func ModelPath(dir, model string) string {
	if strings.ContainsRune(model, os.PathSeparator) || strings.HasSuffix(model, ".bin") {
		return model
	}
	return filepath.Join(dir, "ggml-"+model+".bin")
}

// EnglishOnly reports whether a model name is an English-only model.
func EnglishOnly(model string) bool {
	base := strings.TrimSuffix(filepath.Base(model), ".bin")
	return strings.Contains(base, ".en")
}

const ggmlMagic = 0x67676d6c

// typeSize gives bytes per block and elements per block of ggml types.
var typeSize = map[int32][2]int64{
	0: {4, 1}, 1: {2, 1}, 2: {18, 32}, 3: {20, 32}, 6: {22, 32}, 7: {24, 32}, 8: {34, 32}, 9: {36, 32},
	10: {84, 256}, 11: {110, 256}, 12: {144, 256}, 13: {176, 256}, 14: {210, 256}, 15: {292, 256}, 30: {2, 1},
}

// CheckModel reads a whisper.cpp ggml model file's structure without
// loading it: the magic, the hyperparameters, the mel filters, the
// vocabulary, and every tensor's header and data size, to the last byte. A
// missing, unreadable, truncated or foreign file is an error here, before
// the C library could abort the process on it.
func CheckModel(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.IsDir() {
		return fmt.Errorf("%s is a folder, not a model file", path)
	}
	r := &countReader{r: bufio.NewReaderSize(f, 1<<16)}
	i32 := func() (int32, error) {
		var v int32
		err := binary.Read(r, binary.LittleEndian, &v)
		return v, err
	}
	bad := func(what string) error {
		return fmt.Errorf("%s is not a whole whisper.cpp model: %s (%d bytes)", path, what, st.Size())
	}
	magic, err := i32()
	if err != nil || uint32(magic) != ggmlMagic {
		return bad("it does not start with the ggml magic")
	}
	var hp [11]int32
	if err := binary.Read(r, binary.LittleEndian, &hp); err != nil {
		return bad("the header is cut off")
	}
	nMel, err1 := i32()
	nFFT, err2 := i32()
	if err1 != nil || err2 != nil || nMel <= 0 || nFFT <= 0 || int64(nMel)*int64(nFFT) > 1<<24 {
		return bad("the mel filters are missing or malformed")
	}
	if err := r.skip(int64(nMel) * int64(nFFT) * 4); err != nil {
		return bad("the mel filters are cut off")
	}
	nVocab, err := i32()
	if err != nil || nVocab < 0 || nVocab > 1<<20 {
		return bad("the vocabulary is missing or malformed")
	}
	for range nVocab {
		n, err := i32()
		if err != nil || n < 0 || n > 1<<16 {
			return bad("the vocabulary is cut off")
		}
		if err := r.skip(int64(n)); err != nil {
			return bad("the vocabulary is cut off")
		}
	}
	for {
		nDims, err := i32()
		if errors.Is(err, io.EOF) {
			return nil // the tensors end where the file ends
		}
		length, err1 := i32()
		ttype, err2 := i32()
		if err != nil || err1 != nil || err2 != nil || nDims < 0 || nDims > 4 || length <= 0 || length > 1024 {
			return bad("a tensor header is cut off or malformed")
		}
		n := int64(1)
		for range nDims {
			d, err := i32()
			if err != nil || d < 0 {
				return bad("a tensor header is cut off")
			}
			n *= int64(d)
		}
		if err := r.skip(int64(length)); err != nil {
			return bad("a tensor name is cut off")
		}
		ts, ok := typeSize[ttype]
		if !ok {
			return nil // a type this check does not know: the library decides
		}
		if err := r.skip(n / ts[1] * ts[0]); err != nil {
			return bad("tensor data is cut off")
		}
	}
}

// CheckVADModel checks a Silero VAD model file for whisper.cpp: readable,
// the ggml magic, and the model type string "silero" after it.
func CheckVADModel(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if len(head) < 12 || binary.LittleEndian.Uint32(head) != ggmlMagic || !strings.Contains(string(head), "silero") {
		return fmt.Errorf("%s is not a Silero VAD model for whisper.cpp", path)
	}
	return nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countReader) skip(n int64) error {
	got, err := io.CopyN(io.Discard, c, n)
	if got < n {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}

// ModelStatus is a known model and whether it is in the models folder.
type ModelStatus struct {
	KnownModel
	Path    string
	Present bool
}

// List returns the known models with their state in dir.
func List(dir string) []ModelStatus {
	var out []ModelStatus
	for _, m := range Known {
		p := ModelPath(dir, m.Name)
		_, err := os.Stat(p)
		out = append(out, ModelStatus{KnownModel: m, Path: p, Present: err == nil})
	}
	return out
}

// Pull downloads a model from baseURL into dir: to a temporary file,
// checked against the SHA-1 (the table's, or sum when given), then renamed
// into place. An interrupted or wrong download leaves nothing behind; one
// stopped by ctx returns context.Cause(ctx).
// progress, if set, hears the bytes so far and the total (-1 if unknown).
// A file larger than limit bytes is refused (when the server says its size)
// or cut off there, so a wrong or hostile server cannot fill the disk.
func Pull(ctx context.Context, client *http.Client, baseURL, dir, name, sum string, limit int64, progress func(done, total int64)) (string, error) {
	m, known := Lookup(name)
	if sum == "" {
		if !known {
			return "", sysexits.New(sysexits.Usage, "", &PullError{Reason: UnknownModel, Name: name})
		}
		sum = m.SHA1
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", sysexits.New(sysexits.CantCreate, "", err)
	}
	dest := ModelPath(dir, name)
	url := strings.TrimRight(baseURL, "/") + "/ggml-" + name + ".bin"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if ctx.Err() != nil {
		return "", context.Cause(ctx)
	}
	if err != nil {
		return "", sysexits.New(sysexits.Unavailable, "", &PullError{Reason: Unreachable, Name: name, URL: url, Dir: dir, Err: err})
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", sysexits.New(sysexits.Unavailable, "", &PullError{Reason: NotServed, Name: name, URL: url, Dir: dir, Status: resp.Status})
	}
	tooLarge := func() error {
		return sysexits.New(sysexits.Failure, "", &PullError{Reason: TooLarge, Name: name, URL: url, Dir: dir, Limit: limit})
	}
	if resp.ContentLength > limit {
		return "", tooLarge()
	}
	tmp, err := os.CreateTemp(dir, ".ggml-"+name+".part-*")
	if err != nil {
		return "", sysexits.New(sysexits.CantCreate, "", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha1.New()
	var got int64
	buf := make([]byte, 1<<20)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, err := tmp.Write(buf[:n]); err != nil {
				return "", sysexits.New(sysexits.CantCreate, "", err)
			}
			h.Write(buf[:n])
			got += int64(n)
			if got > limit {
				return "", tooLarge()
			}
			if progress != nil {
				progress(got, resp.ContentLength)
			}
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if ctx.Err() != nil {
			return "", context.Cause(ctx) // stopped: the deferred clean-up removes the part
		}
		if rerr != nil {
			return "", sysexits.New(sysexits.TempFail, "run it again; nothing was kept", fmt.Errorf("download %s: %w (after %d bytes)", url, rerr, got))
		}
	}
	if resp.ContentLength > 0 && got != resp.ContentLength {
		return "", sysexits.Errorf(sysexits.TempFail, "run it again; nothing was kept", "download %s: %d of %d bytes", url, got, resp.ContentLength)
	}
	if have := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(have, sum) {
		return "", sysexits.Errorf(sysexits.Failure, "the file on the server is not the one published; nothing was kept", "download %s: SHA-1 %s, want %s", url, have, sum)
	}
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return "", sysexits.New(sysexits.CantCreate, "", err)
	}
	done = true
	return dest, nil
}
