package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/shelfai/shelf/lib/fitness"
	"github.com/shelfai/shelf/lib/tool"
)

// transcribe checks transcribe on the English memos spoken by espeak-ng
// (made at run time, not kept): their word error rate. Without espeak-ng,
// or without transcribe, it is skipped, and said.
func transcribe(env *tool.Env, r *fitness.Runner, fx *fitness.Fixtures, work string) *fitness.Transcribe {
	skip := func(why string) *fitness.Transcribe {
		env.Log.Warn("transcribe not checked: " + why)
		return &fitness.Transcribe{Skipped: why}
	}
	espeak, err := exec.LookPath("espeak-ng")
	if err != nil {
		return skip("espeak-ng is not installed")
	}
	if r.Programs.Transcribe == "" {
		return skip("transcribe not found next to this program or on PATH")
	}
	dir, err := os.MkdirTemp(work, "speech-")
	if err != nil {
		return skip(err.Error())
	}
	texts := map[string]string{}
	var files []string
	for _, m := range fx.Stored() {
		if m.Lang != "en" {
			continue
		}
		wav := filepath.Join(dir, m.ID+".wav")
		if err := exec.CommandContext(env.CLI.Context, espeak, "-w", wav, m.Text).Run(); err != nil {
			return skip("espeak-ng failed: " + err.Error())
		}
		texts[filepath.Base(wav)] = m.Text
		files = append(files, wav)
	}
	cmd := exec.CommandContext(env.CLI.Context, r.Programs.Transcribe, append([]string{"--no-cache", "--language", "en"}, files...)...)
	cmd.Env = r.Env
	var out bytes.Buffer
	cmd.Stdout = &out
	if r.Log != nil {
		cmd.Stderr = r.Log
	}
	if err := cmd.Run(); err != nil && out.Len() == 0 {
		return skip("transcribe failed: " + err.Error())
	}
	var sum float64
	n := 0
	for _, line := range bytes.Split(out.Bytes(), []byte("\n")) {
		var rec struct{ Source, Text string }
		if json.Unmarshal(line, &rec) != nil {
			continue
		}
		if ref, ok := texts[filepath.Base(rec.Source)]; ok {
			sum += fitness.WER(ref, rec.Text)
			n++
		}
	}
	if n < len(files) {
		sum += float64(len(files) - n) // a memo not transcribed is all wrong
	}
	wer := sum / float64(max(len(files), 1))
	return &fitness.Transcribe{WER: &wer}
}
