// The official Node SDK's bulk user replace (PUT /bulk/users) for N generated users, in batches of
// B users with up to F batches in flight (the permit-cpp batcher's defaults: 3,000 and 4), against
// the same emulator. Prints one JSON object: users, seconds, users/s, requests and peak RSS.
//
//   node bulk_replace.js URL USERS [PREFIX] [BATCH] [IN_FLIGHT]
//
// The users are those bench-bulk generates (key, email, both names). Batches are built as they are
// sent, so memory holds only the batches in flight. A failed batch stops the run.
'use strict';
const { Permit } = require('permitio');

function generatedUser(prefix, n) {
  return {
    key: `${prefix}-${n}`,
    email: `user${n}@example.com`,
    first_name: `First${n}`,
    last_name: `Last${n}`,
  };
}

async function main() {
  const [url, usersText, prefix = 'node-bulk', batchText = '3000', inFlightText = '4'] =
    process.argv.slice(2);
  if (!url || !usersText) {
    console.error('usage: node bulk_replace.js URL USERS [PREFIX] [BATCH] [IN_FLIGHT]');
    process.exit(2);
  }
  const users = Number(usersText);
  const batch = Number(batchText);
  const permit = new Permit({
    token: 'permit_key_emulator', pdp: url, apiUrl: url, log: { level: 'error' },
  });
  let next = 0;
  let requests = 0;
  const started = process.hrtime.bigint();

  async function sender() {
    while (next < users) {
      const first = next;
      next = Math.min(users, next + batch);
      const operations = [];
      for (let n = first; n < next; ++n) operations.push(generatedUser(prefix, n));
      ++requests;
      await permit.api.users.bulkUserReplace(operations);
    }
  }
  await Promise.all(Array.from({ length: Number(inFlightText) }, sender));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({
    users,
    seconds,
    users_per_second: users / seconds,
    requests,
    max_rss_kb: process.resourceUsage().maxRSS,
  }));
}

main().catch((e) => {
  console.error('bulk_replace.js:', e.message);
  process.exit(1);
});
