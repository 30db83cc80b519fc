package tokens_test

import (
	"context"
	"fmt"
	"time"

	"github.com/globus-edge/globus-edge/globustest"
	"github.com/globus-edge/globus-edge/tokens"
)

// A token response as Globus Auth sends it (here the fake's shape, with made-up tokens),
// stored the Python SDK's way: the JSONTokenStorage v2 document, by resource server, with
// expires_at_seconds = receipt time + expires_in. tokens.NewFileStore(path) keeps the same
// document in a file (mode 0600, atomic writes), as the CLI does.
func ExampleDocumentStorage() {
	ctx := context.Background()
	body := []byte(`{"access_token": "AT", "refresh_token": "RT", "expires_in": 172800, "token_type": "Bearer",
		"resource_server": "` + globustest.GroupsResourceServer + `", "scope": "` + globustest.GroupsScope + `", "state": "_default", "other_tokens": []}`)
	r, err := tokens.ParseResponse(body, time.Unix(1700000000, 0))
	if err != nil {
		panic(err)
	}
	blob := &tokens.MemoryBlob{}
	store := tokens.NewDocumentStorage(blob)
	if err := store.StoreResponse(ctx, r); err != nil {
		panic(err)
	}
	d, err := store.Get(ctx, globustest.GroupsResourceServer)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.ExpiresAt().UTC(), d.NeedsRenewal(time.Unix(1700000000, 0)))
	doc, _, _ := blob.Load(ctx)
	fmt.Println(string(doc))
	// Output:
	// 2023-11-16 22:13:20 +0000 UTC false
	// {"data": {"DEFAULT": {"groups.api.globus.org": {"resource_server": "groups.api.globus.org", "scope": "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships", "access_token": "AT", "refresh_token": "RT", "expires_at_seconds": 1700172800, "token_type": "Bearer"}}}, "format_version": "2.0", "globus-sdk.version": "globus-edge-0.2.0"}
}
