// Program clientprog uses http.Get, which links net/http.Transport: the check must see it.
package main

import "net/http"

func main() { http.Get("http://127.0.0.1:1/") }
