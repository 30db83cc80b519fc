#!/usr/bin/env node
// The Globus SDK tutorial ("list my groups") as a Node script on @globus-edge/client: the first
// run prints the login URL and asks for the code Globus shows after login; later runs use the
// token file (the Python SDK's v2 format, shared with the globus-edge CLI and Python), refresh
// it when needed, and print the groups as CSV (ID,Name,Roles), byte for byte the CLI's output.
//
//   node list-my-groups.mjs [--logout]
//
// Settings, as for the CLI: GLOBUS_CLIENT_ID, GLOBUS_SDK_ENVIRONMENT,
// GLOBUS_SDK_SERVICE_URL_AUTH, GLOBUS_SDK_SERVICE_URL_GROUPS, GLOBUS_SDK_HTTP_TIMEOUT, and
// GLOBUS_TOKEN_FILE (default ~/.list-my-globus-groups-tokens.json).
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { createGlobusClient } from "@globus-edge/client";
import { createFileStorage } from "@globus-edge/client/node-file-storage";

const env = process.env;
const clientId = env.GLOBUS_CLIENT_ID || undefined;
const tokenFile = env.GLOBUS_TOKEN_FILE || join(homedir(), ".list-my-globus-groups-tokens.json");

const client = await createGlobusClient({
  clientId,
  environment: env.GLOBUS_SDK_ENVIRONMENT,
  authUrl: env.GLOBUS_SDK_SERVICE_URL_AUTH,
  groupsUrl: env.GLOBUS_SDK_SERVICE_URL_GROUPS,
  httpTimeout: env.GLOBUS_SDK_HTTP_TIMEOUT,
  storage: createFileStorage(tokenFile), // told its keys by the client, whatever clientId is
  namespace: "DEFAULT", // the token file's namespace, as the CLI and Python use it (required with a storage object)
});

try {
  if (process.argv.includes("--logout")) {
    await client.logout();
  } else {
    if (!(await client.isLoggedIn())) {
      const url = await client.startPasteCodeLogin();
      process.stdout.write(`Please go to this URL and login:\n\n${url}\n\n`);
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const code = await rl.question("Please enter the code here: ");
      rl.close();
      await client.finishPasteCodeLogin(code.trim());
    }
    process.stdout.write(await client.groupsCSV());
  }
} catch (err) {
  // The message never contains a token; the request id helps Globus support.
  process.stderr.write(`${err.name}: ${err.message}${err.requestId ? ` (request id ${err.requestId})` : ""}\n`);
  process.exitCode = 1;
} finally {
  client.close();
}
