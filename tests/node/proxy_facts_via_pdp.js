// Read-your-writes with the official Node SDK (npm `permitio`) against permit-emulator, whose PDP
// has its own port and sees every write only PROPAGATION_DELAY_MS after the API applied it:
//
// - a user synced with `proxyFactsViaPdp` (PUT {pdp}/v2/facts/{proj}/{env}/users/{key}, which the
//   PDP answers only once its decisions see the write) is allowed on the very next check;
// - the control: a user synced straight to the API is denied by a check made at once (the PDP
//   lags), then allowed once the delay has passed. This is what proves that the first check could
//   have failed, and that the denial comes from the delay, not from a wrong role or permission.
//
//   node proxy_facts_via_pdp.js API_URL PDP_URL PROPAGATION_DELAY_MS
//
// Exits with 0 when every expectation holds, 1 with the reason otherwise. The API key is never
// printed: errors are reported by their message and HTTP status only.
'use strict';
const fs = require('fs');
const path = require('path');
const { Permit } = require('permitio');

const key = 'permit_key_emulator';

class Failure extends Error {}

function expect(condition, message) {
  if (!condition) throw new Failure(message);
}

// A client whose REST calls (`permit.api.*`) are recorded as "METHOD URL", to show where each one
// went: a proxied write must reach the PDP's port, not the API's.
function client(apiUrl, pdpUrl, proxyFactsViaPdp) {
  const permit = new Permit({
    token: key,
    apiUrl,
    pdp: pdpUrl,
    proxyFactsViaPdp,
    // Seconds the PDP may take to see a proxied write before answering (X-Wait-Timeout): far
    // above the propagation delay, so that the PDP answers once it has the write.
    factsSyncTimeout: 10,
    // The PDP answers 424 rather than the API's response if it has not seen the write in time, so
    // that a timeout shows as an error instead of a check that races the propagation.
    factsSyncTimeoutPolicy: 'fail',
    // The SDK's debug log prints its configuration, the API key included.
    log: { level: 'error' },
  });
  const requests = [];
  permit.config.axiosInstance.interceptors.request.use((request) => {
    requests.push(`${request.method.toUpperCase()} ${request.url}`);
    return request;
  });
  return { permit, requests };
}

// The one recorded request that syncs USER (PUT .../users/USER), to check where it was sent.
function syncRequest(requests, user) {
  const found = requests.filter((r) => r.startsWith('PUT ') && r.endsWith(`/users/${user}`));
  expect(found.length === 1, `expected one PUT of user ${user}, recorded: ${JSON.stringify(requests)}`);
  return found[0].slice('PUT '.length);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const since = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

async function main() {
  const [apiUrl, pdpUrl, delayText] = process.argv.slice(2);
  const delayMs = Number(delayText);
  if (!apiUrl || !pdpUrl || !(delayMs > 0)) {
    console.error('usage: node proxy_facts_via_pdp.js API_URL PDP_URL PROPAGATION_DELAY_MS');
    process.exit(2);
  }
  // The package's exports leave out its package.json: it is read from next to its entry point.
  const sdk = JSON.parse(fs.readFileSync(
    path.join(path.dirname(require.resolve('permitio')), '..', 'package.json'), 'utf8'));
  console.log(`permitio ${sdk.version}, api ${apiUrl}, pdp ${pdpUrl}, ` +
              `pdp propagation delay ${delayMs} ms`);

  const proxied = client(apiUrl, pdpUrl, true);
  const direct = client(apiUrl, pdpUrl, false);

  // The schema goes to the API in both modes. `viewer` may read documents in every tenant.
  await proxied.permit.api.resources.create({
    key: 'document', name: 'Document', actions: { read: {} },
  });
  await proxied.permit.api.roles.create({
    key: 'viewer', name: 'Viewer', permissions: ['document:read'],
  });
  // Both clients learn their project and environment from the API key before the timed part, so
  // that nothing else runs between a sync and the check after it.
  await direct.permit.api.users.list({ perPage: 1 });

  // Read-your-writes: the sync returns once the PDP has the user and its role.
  let t0 = process.hrtime.bigint();
  await proxied.permit.api.users.sync({
    key: 'alice', email: 'alice@example.com',
    role_assignments: [{ role: 'viewer', tenant: 'default' }],
  });
  const syncMs = since(t0);
  const allowed = await proxied.permit.check('alice', 'read', 'document');
  const aliceUrl = syncRequest(proxied.requests, 'alice');
  console.log(`proxied sync: PUT ${aliceUrl} answered in ${syncMs.toFixed(0)} ms; ` +
              `check right after: ${allowed ? 'allowed' : 'denied'}`);
  expect(aliceUrl.startsWith(`${pdpUrl}/`),
         `with proxyFactsViaPdp the sync went to ${aliceUrl}, not to the PDP at ${pdpUrl}`);
  expect(allowed === true,
         'alice, synced through the PDP with the viewer role, was denied reading a document on ' +
         'the next check: the facts proxy answered before the PDP had the write');

  // The control: the same write straight to the API, and a check at once.
  t0 = process.hrtime.bigint();
  await direct.permit.api.users.sync({
    key: 'bob', email: 'bob@example.com',
    role_assignments: [{ role: 'viewer', tenant: 'default' }],
  });
  const firstCheck = await direct.permit.check('bob', 'read', 'document');
  const checkedAfterMs = since(t0);
  const bobUrl = syncRequest(direct.requests, 'bob');
  console.log(`direct sync: PUT ${bobUrl}; check ${checkedAfterMs.toFixed(0)} ms after the ` +
              `sync started: ${firstCheck ? 'allowed' : 'denied'}`);
  expect(bobUrl.startsWith(`${apiUrl}/`),
         `without proxyFactsViaPdp the sync went to ${bobUrl}, not to the API at ${apiUrl}`);
  // A check that only came after the delay proves nothing either way.
  expect(checkedAfterMs < delayMs,
         `the control's check came ${checkedAfterMs.toFixed(0)} ms after its sync, past the ` +
         `${delayMs} ms delay: the machine is too slow for this test to tell anything`);
  expect(firstCheck === false,
         'bob, synced straight to the API, was allowed at once although the PDP lags by ' +
         `${delayMs} ms: the PDP is not delayed, so alice's allowed check proved nothing`);

  // ...and bob is allowed once the PDP has caught up: the denial came from the delay alone.
  let laterMs = null;
  while (since(t0) < delayMs + 5000) {
    await sleep(50);
    if (await direct.permit.check('bob', 'read', 'document')) {
      laterMs = since(t0);
      break;
    }
  }
  expect(laterMs !== null,
         `bob was still denied ${delayMs + 5000} ms after his sync: the role or its permission ` +
         'is wrong, so the denial proved nothing about the delay');
  console.log(`direct sync: bob allowed ${laterMs.toFixed(0)} ms after the sync started`);
  console.log('ok: a write through the PDP facts proxy is read by the next check');
}

main().catch((e) => {
  if (e instanceof Failure) {
    console.error(`proxy_facts_via_pdp.js: FAILED: ${e.message}`);
  } else {
    // The message and status only: the request an error carries holds the API key.
    const response = e.response || (e.originalError && e.originalError.response);
    const status = response ? ` (HTTP ${response.status}: ${JSON.stringify(response.data)})` : '';
    console.error(`proxy_facts_via_pdp.js: ${e.name}: ${e.message}${status}`);
  }
  process.exit(1);
});
