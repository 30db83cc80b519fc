package config

import (
	"errors"
	"strings"
)

// ErrInvalid marks a missing or malformed setting, whatever the host that found it: every
// configuration error of this project is an *Error, which matches it with errors.Is.
var ErrInvalid = errors.New("invalid configuration")

// Error is the one configuration error of every host: the settings that are missing and those
// that are set but malformed, all at once. It names settings, never their values (a value may
// be a secret or carry credentials), so its message may be shown to anyone.
type Error struct {
	// Missing lists required settings that are unset, by name (with a hint where one helps).
	Missing []string
	// Problems lists settings that are set but malformed.
	Problems []Problem
}

// Problem is one malformed setting.
type Problem struct {
	// Setting is the name the user set: GLOBUS_SDK_HTTP_TIMEOUT, or a host's own name for it
	// (the JS package's config.httpTimeout). Empty when the problem is no single setting's.
	Setting string
	// Rule says what is wrong, as it reads after the name: "must be an https URL ...".
	Rule string
}

// Error lists the missing settings, then each problem as "<setting> <rule>".
func (e *Error) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "missing "+strings.Join(e.Missing, ", "))
	}
	for _, p := range e.Problems {
		parts = append(parts, strings.TrimSpace(p.Setting+" "+p.Rule))
	}
	if len(parts) == 0 {
		return ErrInvalid.Error()
	}
	return strings.Join(parts, "; ")
}

// Is makes every *Error match ErrInvalid, the mark app.KindOf looks for.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Invalid is the *Error of one malformed setting: rule says how.
func Invalid(setting, rule string) *Error {
	return &Error{Problems: []Problem{{Setting: setting, Rule: rule}}}
}

// Add records that setting is malformed: rule says how.
func (e *Error) Add(setting, rule string) { e.Problems = append(e.Problems, Problem{setting, rule}) }

// Merge adds the missing settings and problems of err when it is an *Error, or err's message
// as a problem of no single setting otherwise.
func (e *Error) Merge(err error) {
	if err == nil {
		return
	}
	if other, ok := errors.AsType[*Error](err); ok {
		e.Missing = append(e.Missing, other.Missing...)
		e.Problems = append(e.Problems, other.Problems...)
		return
	}
	e.Add("", err.Error())
}

// Err returns e when it holds anything, else nil (so a check can end with `return e.Err()`).
func (e *Error) Err() error {
	if len(e.Missing) == 0 && len(e.Problems) == 0 {
		return nil
	}
	return e
}
