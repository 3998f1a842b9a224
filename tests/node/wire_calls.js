// The plumbing of the Node SDK's sides of the wire comparisons with permit-cpp (wire_rebac.js,
// wire_abac.js, wire_admin.js; see wire.sh): the program's argument, the marker before each call,
// the run that reports the calls that fail, and the exit status. Each side keeps only its own
// calls and clients.
//
// Before each call a side sends `GET /wire-call/<label>` (a path the emulator does not serve, so
// it changes nothing): the marker that tells wire_compare.js which requests belong to which call.
// A call that fails is reported and the next one made; the exit status is then 1. The API key is
// never printed: errors are reported by their message and HTTP status only.
'use strict';
const http = require('http');

// Sends the marker of the call `label` and waits for its answer, so that the emulator logs it
// before the call's own requests.
function marker(apiUrl, label) {
  return new Promise((resolve, reject) => {
    const request = http.get(`${apiUrl}/wire-call/${encodeURIComponent(label)}`, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
  });
}

// Runs the program `script` (its name in messages): makes `calls`, [label, function], in order,
// each after its marker, with the arguments `clients(apiUrl)` returns, API_URL being the
// program's one argument; exits 0 when every call succeeded, 1 otherwise, 2 on a wrong usage.
// `replies: false` leaves out of the report the body of a failed call's reply (which may hold a
// secret), giving only its status.
function main(script, calls, clients, { replies = true } = {}) {
  const run = async () => {
    const [apiUrl] = process.argv.slice(2);
    if (!apiUrl) {
      console.error(`usage: node ${script} API_URL`);
      process.exit(2);
    }
    const args = clients(apiUrl);
    let failed = 0;
    for (const [label, call] of calls) {
      await marker(apiUrl, label);
      try {
        await call(...args);
      } catch (e) {
        failed += 1;
        // The message and status only: the request an error carries holds the API key.
        const response = e.response || (e.originalError && e.originalError.response);
        const data = replies && response ? `: ${JSON.stringify(response.data)}` : '';
        const status = response ? ` (HTTP ${response.status}${data})` : '';
        console.error(`${script}: ${label} failed: ${e.name}: ${e.message}${status}`);
      }
    }
    console.log(`${script}: ${calls.length} calls, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  };
  run().catch((e) => {
    console.error(`${script}: ${e.name}: ${e.message}`);
    process.exit(1);
  });
}

module.exports = { main };
