package doctest

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDocsAreMarked: every block with a language in the READMEs is marked, every marker names
// a known app or a reason, and every app still has its blocks.
func TestDocsAreMarked(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := All(root)
	if err != nil {
		t.Fatal(err)
	}
	run, skipped := 0, 0
	for _, b := range blocks {
		switch {
		case b.Skip != "":
			skipped++
			t.Logf("not run: %s: %s", b, b.Skip)
		case len(b.Apps) > 0:
			run++
		}
	}
	for app := range Apps {
		if _, err := App(root, app); err != nil {
			t.Error(err)
		}
	}
	t.Logf("%d blocks run by their apps, %d not run (reasons above)", run, skipped)
}

// TestPending lists the apps that cannot run yet, loudly: `./build.sh test` prints this
// test's log.
func TestPending(t *testing.T) {
	for _, app := range slices.Sorted(maps.Keys(Pending)) {
		t.Logf("PENDING doc app %s (%s): %s", app, Apps[app], Pending[app])
	}
	if len(Pending) == 0 {
		t.Log("doc apps pending: none")
	}
}

func parseString(t *testing.T, doc string) ([]Block, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "DOC.md"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return Parse(dir, "DOC.md")
}

func TestParse(t *testing.T) {
	bs, err := parseString(t, "text\n\n<!-- doctest: node main.mjs -->\n```js\nlet a;\n```\n\n"+
		"1. step\n   <!-- doctest: skip deploys -->\n   ```sh\n   npx wrangler deploy\n     indented\n   ```\n\n"+
		"```\noutput needs no marker\n```\n"+
		"<!-- doctest: vite,esbuild index.html -->\n````html\n```\n<p>\n````\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 4 {
		t.Fatalf("got %d blocks: %+v", len(bs), bs)
	}
	if b := bs[0]; b.Lang != "js" || b.Name != "main.mjs" || !slices.Equal(b.Apps, []string{"node"}) || b.Text != "let a;\n" || b.Line != 4 {
		t.Errorf("block 0: %+v", b)
	}
	if b := bs[1]; b.Skip != "deploys" || b.Text != "npx wrangler deploy\n  indented\n" {
		t.Errorf("block 1 (indented, skipped): %+v", b)
	}
	if b := bs[2]; b.Lang != "" || b.Apps != nil {
		t.Errorf("block 2 (output): %+v", b)
	}
	if b := bs[3]; !slices.Equal(b.Apps, []string{"vite", "esbuild"}) || b.Text != "```\n<p>\n" {
		t.Errorf("block 3 (two apps, a longer fence): %+v", b)
	}
}

func TestParseRefuses(t *testing.T) {
	for doc, want := range map[string]string{
		"```js\nx\n```\n":                                          "without a <!-- doctest",
		"```toml\nx\n```\n":                                        "a toml block without",
		"<!-- doctest: skip -->\n```sh\nx\n```\n":                  "skip needs a reason",
		"<!-- doctest: nosuchapp a.js -->\n```js\nx\n```\n":        `unknown app "nosuchapp"`,
		"<!-- doctest: node -->\n```js\nx\n```\n":                  "want APP FILE",
		"<!-- doctest: node a.mjs -->\ntext\n```js\nx\n```\n":      "right before its code block",
		"<!-- doctest: node a.mjs -->\n\n":                         "no code block after it",
		"<!-- doctest: node a.mjs -->\n```js\nnever closed\n":      "never closed",
		"<!-- doctest: skip why -->\n```go\nx\n```\n```sh\ny\n```": "a sh block without",
	} {
		_, err := parseString(t, doc)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to say %q", doc, err, want)
		}
	}
}
