//go:build js && wasm

// Package jsx is the JavaScript plumbing every js/wasm adapter of globus-edge shares: turning
// a Go function into a Promise, awaiting a Promise from a goroutine, and turning thrown
// JavaScript exceptions into Go errors. It knows nothing about Globus.
package jsx
