// Package doctest finds the code blocks of the READMEs a user copies from and says what each
// one is, so that tests run them and a snippet cannot drift from the code it shows.
//
// Every fenced block that names a language (js, go, toml, sh, html, diff, ...) is marked by an
// HTML comment on the line before its fence; a block without a language is output, not code:
//
//	<!-- doctest: APP FILE -->        the block is the file FILE of the app APP
//	<!-- doctest: APP,APP2 FILE -->   the same file in two apps
//	<!-- doctest: skip REASON -->     not run, for the reason given (a deploy, a command that
//	                                  runs until Ctrl-C, what a test already runs another way)
//
// An app is a folder the harness makes from its blocks and runs in its host; Apps lists them,
// with the test that runs each. What the harness supplies is fixed, so snippets stay copyable:
//
//   - "YOUR-CLIENT-ID" is used as it is: the harness registers a client of that id with the
//     fake Globus, with the redirect URI the app uses.
//   - "https://app.example.org/" (a page's address) becomes the address the harness serves
//     the page at.
//   - In node and browser apps, the harness adds the fake Globus's authUrl and groupsUrl at the
//     start of the object passed to createGlobusClient({ (keys the snippet sets win); the worker
//     app reads them from env (its [vars], as a deployed worker would) and the go app from
//     GLOBUS_SDK_SERVICE_URL_AUTH and _GROUPS, which the harness sets.
//   - The person at the keyboard (open the login URL, paste the code) is played by the harness.
//
// A block that cannot run yet (it needs work not done) is listed in Pending with the reason;
// its runner skips it with "PENDING" in the log, and `./build.sh test` prints the list.
package doctest

import (
	"bufio"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Files are the documents whose blocks are checked, relative to the repository root.
var Files = []string{"README.md", "js/README.md"}

// Apps are the apps blocks may belong to, and the test that runs each.
var Apps = map[string]string{
	"node":    "js/e2e TestDocsNode: node main.mjs with the package installed from its tarball, twice (login, then the stored token)",
	"worker":  "js/e2e TestDocsWorker: wrangler deploy --dry-run, then workerd through Miniflare; /login, /callback, /groups as a browser would",
	"vite":    "js/e2e TestDocsBrowser: the build block in the app folder (vite), its dist/ served and logged into in headless Chromium",
	"esbuild": "js/e2e TestDocsBrowser: the build block in the app folder (esbuild), its dist/ served and logged into in headless Chromium",
	"go":      "internal/doctest TestGoProgram: go vet and go run in a module that requires this one; login by pasted code, then the stored token",
}

// Pending are apps that cannot run yet, with the reason (and what they wait for). Their
// runners skip them loudly; empty when every snippet runs.
var Pending = map[string]string{}

// Block is one fenced code block of a document.
type Block struct {
	Doc  string // the document, relative to the repository root
	Line int    // the line of the opening fence (1-based)
	Lang string // the fence's language ("" for output)
	Apps []string
	Name string // the file the block becomes in its apps
	Skip string // why it is not run; "" when it belongs to apps
	Text string // the content, without the fence's indentation
}

func (b Block) String() string { return fmt.Sprintf("%s:%d (%s)", b.Doc, b.Line, b.Lang) }

var (
	markerRE = regexp.MustCompile(`^\s*<!--\s*doctest:\s*(.*?)\s*-->\s*$`)
	fenceRE  = regexp.MustCompile("^(\\s*)(```+)\\s*([A-Za-z0-9_+-]*)\\s*$")
)

// Parse reads the document at root/doc and returns its blocks. It fails for a block with a
// language and no marker, a marker with no block after it, and a malformed marker.
func Parse(root, doc string) ([]Block, error) {
	f, err := os.Open(filepath.Join(root, doc))
	if err != nil {
		return nil, fmt.Errorf("doctest: %w", err)
	}
	defer f.Close()
	var (
		blocks  []Block
		errs    []string
		marker  string // the marker waiting for its block
		markAt  int
		open    *Block
		indent  string
		fence   string
		body    []string
		lineNum int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lineNum++
		line := sc.Text()
		if open != nil {
			if m := fenceRE.FindStringSubmatch(line); m != nil && m[3] == "" && strings.HasPrefix(m[2], fence) {
				open.Text = strings.Join(body, "\n") + "\n"
				blocks = append(blocks, *open)
				open = nil
				continue
			}
			body = append(body, strings.TrimPrefix(line, indent))
			continue
		}
		if m := markerRE.FindStringSubmatch(line); m != nil {
			if marker != "" {
				errs = append(errs, fmt.Sprintf("%s:%d: a doctest marker with no code block after it", doc, markAt))
			}
			marker, markAt = m[1], lineNum
			continue
		}
		m := fenceRE.FindStringSubmatch(line)
		if m == nil {
			if strings.TrimSpace(line) != "" && marker != "" {
				errs = append(errs, fmt.Sprintf("%s:%d: a doctest marker must be right before its code block", doc, markAt))
				marker = ""
			}
			continue
		}
		b := Block{Doc: doc, Line: lineNum, Lang: m[3]}
		if marker != "" {
			if err := b.mark(marker); err != nil {
				errs = append(errs, fmt.Sprintf("%s:%d: %v", doc, markAt, err))
			}
		} else if b.Lang != "" {
			errs = append(errs, fmt.Sprintf("%s:%d: a %s block without a <!-- doctest: APP FILE --> or <!-- doctest: skip REASON --> marker (see internal/doctest)", doc, lineNum, b.Lang))
		}
		marker = ""
		open, indent, fence, body = &b, m[1], m[2], nil
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("doctest: %s: %w", doc, err)
	}
	if open != nil {
		errs = append(errs, fmt.Sprintf("%s:%d: a code block that is never closed", doc, open.Line))
	}
	if marker != "" {
		errs = append(errs, fmt.Sprintf("%s:%d: a doctest marker with no code block after it", doc, markAt))
	}
	if len(errs) > 0 {
		return blocks, fmt.Errorf("doctest: %s", strings.Join(errs, "\n"))
	}
	return blocks, nil
}

// mark fills in the block's apps and name, or its skip reason, from a marker's text.
func (b *Block) mark(text string) error {
	if reason, ok := strings.CutPrefix(text, "skip"); ok {
		if b.Skip = strings.TrimSpace(reason); b.Skip == "" {
			return fmt.Errorf("doctest: skip needs a reason")
		}
		return nil
	}
	fields := strings.Fields(text)
	if len(fields) != 2 {
		return fmt.Errorf("doctest marker %q: want APP FILE or skip REASON", text)
	}
	b.Apps, b.Name = strings.Split(fields[0], ","), fields[1]
	for _, a := range b.Apps {
		if _, ok := Apps[a]; !ok {
			return fmt.Errorf("doctest marker %q: unknown app %q (known: %s)", text, a, strings.Join(slices.Sorted(maps.Keys(Apps)), ", "))
		}
	}
	return nil
}

// All parses every document of Files.
func All(root string) ([]Block, error) {
	var all []Block
	var errs []string
	for _, doc := range Files {
		bs, err := Parse(root, doc)
		if err != nil {
			errs = append(errs, err.Error())
		}
		all = append(all, bs...)
	}
	if len(errs) > 0 {
		return all, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return all, nil
}

// App returns the files of app: file name → content. It fails when the documents do not
// parse, when the app has no blocks (a snippet was removed or its marker lost) or two blocks
// give the same file.
func App(root, app string) (map[string]string, error) {
	all, err := All(root)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for _, b := range all {
		if !slices.Contains(b.Apps, app) {
			continue
		}
		if _, dup := files[b.Name]; dup {
			return nil, fmt.Errorf("doctest: app %s: two blocks give %s (the second at %s)", app, b.Name, b)
		}
		files[b.Name] = b.Text
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("doctest: no block of the documents belongs to app %s", app)
	}
	return files, nil
}

// Root is the repository root: the nearest directory above the working directory holding
// go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("doctest: no go.mod above the working directory")
		}
		dir = parent
	}
}
