//go:build js && wasm && !workertest

package main

import "net/http"

// withTestRoutes returns h: production builds have no test routes (see testroutes.go).
func withTestRoutes(h http.Handler) http.Handler { return h }
