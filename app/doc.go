// Package app is the tutorial's whole job in one place, shared by every host: start a login,
// finish it and store the tokens, list my groups with a refresh-token authorizer that writes
// renewed tokens back, and log out. Hosts supply only a Doer and a token Storage.
//
// Start here to use globus-edge as a Go library. New takes a config.Config (config.FromEnv
// reads the Python SDK's GLOBUS_SDK_* variables), a transport.Doer (http.Client's Do method is
// one: http.DefaultClient.Do) and a tokens.Storage (tokens.NewFileStore for the Python SDK's
// token file). Then:
//
//   - LoggedIn says whether usable tokens are stored (no network call);
//   - StartLogin returns the flow whose AuthorizeURL the user opens; FinishLogin exchanges the
//     code the user pastes (FinishRedirect takes the query of a redirect back instead);
//   - MyGroups lists the user's groups, refreshing the tokens when needed and storing the
//     renewed ones first; groups.WriteCSV prints them as the tutorial's CSV;
//   - Logout revokes and removes the tokens.
//
// Errors are classified by KindOf (login_required, timeout, globus_error, ...), the words
// every host reports. The other packages (auth, tokens, authorizer, groups, transport) are the
// layers App is built from; globustest is a fake Globus to test against.
package app
