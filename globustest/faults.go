package globustest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes matching requests fail, stall or answer a chosen body.
// Faults apply on both listeners, after counting and before normal
// handling; the first matching fault (in Inject order) is used.
type Fault struct {
	// Method to match; "" matches any method except OPTIONS, so a fault
	// does not break the CORS preflight of the request it targets (use
	// "OPTIONS" to fault preflights).
	Method string
	// Path is the exact URL path, e.g. "/v2/groups/my_groups" or
	// "/v2/oauth2/token".
	Path string
	// Status to answer; 0 means 200, or, with Body also empty, "handle the
	// request normally" (after Delay and with Retry-After set).
	Status int
	// RetryAfter is the Retry-After header value, if non-empty.
	RetryAfter string
	// Delay is slept before answering; a cancelled request stops waiting
	// and gets no answer.
	Delay time.Duration
	// Body is sent instead of the normal answer (e.g. malformed JSON). ""
	// means a reference-shaped error body for Status: Groups
	// {"code","detail"}, Auth {"errors":[{status,id,code,detail,title}],
	// "error","error_description"} with a fresh request id.
	Body string
	// ContentType of Body; "" means application/json.
	ContentType string
	// Times is how many matching requests the fault applies to; 0 means 1,
	// negative means every matching request until ClearFaults.
	Times int
	// AfterHandling handles the request normally first — a code is used
	// up, tokens are issued, a refresh token is rotated — and only then
	// applies Delay, Drop or Truncate to the answer: the response is lost
	// (or late) on the way back, as when a connection breaks after the
	// server committed. Status, RetryAfter, Body and ContentType are ignored.
	AfterHandling bool
	// Drop closes the connection instead of answering (after Delay).
	Drop bool
	// Truncate sends the status, the headers with the Content-Length of
	// the whole body, and only the first half of the body, then closes the
	// connection. It cuts the fault's own answer (Status/Body), or with
	// AfterHandling the normal one.
	Truncate bool
	// Optional says the fault may legitimately not be used up (a load
	// test's burst that a run may end before, say): it is never reported
	// as unused. Say why where you set it; prefer observing the fault
	// (Injected.Used).
	Optional bool
}

// applyFault carries out f and reports whether normal handling should
// follow.
func (s *Server) applyFault(sd side, w http.ResponseWriter, r *http.Request, f Fault) bool {
	if !sleepCtx(r, f.Delay) {
		return false
	}
	if f.Drop {
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Status == 0 && f.Body == "" {
		return true
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	body := f.Body
	if body == "" {
		body = defaultFaultBody(sd, status)
	}
	ct := f.ContentType
	if ct == "" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	if strings.HasPrefix(r.URL.Path, "/v2/oauth2/token") {
		w.Header().Set("Cache-Control", "no-store")
	}
	if f.Truncate {
		writeTruncated(w, status, []byte(body))
	}
	w.WriteHeader(status)
	w.Write([]byte(body))
	return false
}

// sleepCtx waits d, or until the client gives up (then it reports false).
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return false
	case <-t.C:
		return true
	}
}

// writeTruncated promises the whole body in Content-Length, sends half of it
// and breaks the connection. It does not return.
func writeTruncated(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body[:len(body)/2])
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}

// recorder keeps a normal answer so an AfterHandling fault can deliver it
// late, cut or not at all.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rc *recorder) Header() http.Header { return rc.header }

func (rc *recorder) WriteHeader(status int) {
	if rc.status == 0 {
		rc.status = status
	}
}

func (rc *recorder) Write(b []byte) (int, error) {
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	return rc.body.Write(b)
}

// deliverLate answers with what the normal handler recorded in rc, after
// f's Delay, or drops or truncates it.
func deliverLate(w http.ResponseWriter, r *http.Request, rc *recorder, f Fault) {
	if !sleepCtx(r, f.Delay) {
		return
	}
	if f.Drop {
		panic(http.ErrAbortHandler)
	}
	for k, v := range rc.header {
		w.Header()[k] = v
	}
	if rc.status == 0 {
		rc.status = http.StatusOK
	}
	if f.Truncate {
		writeTruncated(w, rc.status, rc.body.Bytes())
	}
	w.WriteHeader(rc.status)
	w.Write(rc.body.Bytes())
}

// defaultFaultBody is the reference-shaped error document for status.
func defaultFaultBody(sd side, status int) string {
	if status < 300 {
		return "{}"
	}
	code := errorCode(status)
	detail := "injected fault: " + http.StatusText(status)
	var v map[string]any
	if sd == sideAuth {
		v = authAPIErrorBody(status, code, detail)
	} else {
		v = groupsErrorBody(code, detail)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
