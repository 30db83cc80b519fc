//go:build js && wasm

package webstorage

// TokenKey is the key of one client's token document (the Python SDK's JSONTokenStorage v2
// format) for one namespace: "globus-edge:<clientID>:<namespace>". One key per client and
// namespace lets several apps and logins share an origin without touching each other.
func TokenKey(clientID, namespace string) string {
	return "globus-edge:" + clientID + ":" + namespace
}

// FlowKey is the sessionStorage key of a client's login in progress (the auth.Flow JSON):
// "globus-edge-flow:<clientID>". sessionStorage is per tab, so a login started in one tab can
// be finished only in that tab. The prefix differs from TokenKey's so no namespace collides.
func FlowKey(clientID string) string {
	return "globus-edge-flow:" + clientID
}
