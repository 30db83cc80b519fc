package service

import (
	"io"
	"net/http"
)

// Codes of the refusals of a request's shape or of the worker being busy. The worker's JS
// entry answers the last three itself, before a Go instance is taken (README, Security).
const (
	// CodeBodyTooLarge: a body on a route that takes none (none of the routes takes one), or
	// one over the entry's cap; 413.
	CodeBodyTooLarge = "body_too_large"
	// CodeBodyTimeout: the body did not arrive within the entry's deadline; 408.
	CodeBodyTimeout = "body_timeout"
	// CodeBusy: no Go instance became free in time, or too many requests were waiting for
	// one; 503 with Retry-After.
	CodeBusy = "busy"
)

// entryRefusals are the answers worker/entry.mjs gives itself, before any Go instance is
// taken, by the name the entry uses: their statuses and codes, handed to it in the generated
// worker/lastresort.mjs.
var entryRefusals = []struct {
	name   string
	status int
	code   string
}{
	{"bodyTooLarge", http.StatusRequestEntityTooLarge, CodeBodyTooLarge},
	{"bodyTimeout", http.StatusRequestTimeout, CodeBodyTimeout},
	{"busy", http.StatusServiceUnavailable, CodeBusy},
}

// BadURL answers a request whose URL net/url cannot parse (the worker runtime's parser
// accepts more, e.g. "/%zz"): 400 bad_request with the usual headers and error body. r carries
// the method and the URL's path only (the log line names it); its query may hold a code.
func BadURL(w http.ResponseWriter, r *http.Request) {
	x := &reply{h: &Handler{}, w: w, r: r, id: newRequestID()}
	x.setCommonHeaders()
	x.fail(http.StatusBadRequest, CodeBadRequest, "the request URL is malformed", nil)
}

// refuseBody answers 413 and reports true when the request carries a body: no route takes
// one, so nothing a client sends is read further.
func (x *reply) refuseBody() bool {
	if x.r.ContentLength == 0 || x.r.Body == nil {
		return false
	}
	if x.r.ContentLength < 0 { // unknown length (chunked): look for one byte
		var b [1]byte
		if n, _ := io.ReadFull(x.r.Body, b[:]); n == 0 {
			return false
		}
	}
	x.fail(http.StatusRequestEntityTooLarge, CodeBodyTooLarge, x.r.URL.Path+" takes no request body", nil)
	return true
}
