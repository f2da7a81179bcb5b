package tool

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/cpuguy83/go-md2man/v2/md2man"
)

var update = flag.Bool("update", false, "rewrite man/man7/shelf.7")

// TestShelf7 keeps man/man7/shelf.7 in step with its Markdown source;
// make man rewrites it.
func TestShelf7(t *testing.T) {
	dir := filepath.Join("..", "..", "man", "man7")
	src, err := os.ReadFile(filepath.Join(dir, "shelf.7.md"))
	if err != nil {
		t.Fatal(err)
	}
	got := md2man.Render(src)
	path := filepath.Join(dir, "shelf.7")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != string(got) {
		t.Fatalf("%s is stale: run 'make man'", path)
	}
}
