// The official Node SDK doing what bench-single-ops does, against the same emulator: users.sync
// (PUT), users.create (POST) or check, from C concurrent loops for D seconds. Prints one JSON
// object: operations/s, p50 and p99 latency, and the process's CPU time per operation over the
// measured window.
//
//   node single_ops.js URL sync|create|check CONCURRENCY SECONDS [PREFIX]
//
// Users get keys `PREFIX-<worker>-<n>`. Every operation is checked (an error, or a check that is
// not allowed, stops the run), so that a fast wrong answer cannot count.
'use strict';
const { Permit } = require('permitio');

async function main() {
  const [url, operation, concurrencyText, secondsText, prefix = 'node'] = process.argv.slice(2);
  if (!url || !operation || !concurrencyText || !secondsText) {
    console.error('usage: node single_ops.js URL sync|create|check CONCURRENCY SECONDS [PREFIX]');
    process.exit(2);
  }
  const concurrency = Number(concurrencyText);
  const seconds = Number(secondsText);
  const permit = new Permit({
    token: 'permit_key_emulator', pdp: url, apiUrl: url, log: { level: 'error' },
  });
  const latencies = [];
  let nextKey = 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));

  async function worker(id) {
    while (process.hrtime.bigint() < deadline) {
      const n = nextKey++;
      const t0 = process.hrtime.bigint();
      if (operation === 'sync') {
        await permit.api.users.sync({ key: `${prefix}-${id}-${n}`, email: `bench${n}@example.com` });
      } else if (operation === 'create') {
        await permit.api.users.create({ key: `${prefix}-${id}-${n}`, email: `bench${n}@example.com` });
      } else {
        if (!(await permit.check('bench-user', 'read', 'document'))) {
          throw new Error('check: bench-user was denied reading a document');
        }
      }
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e3);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (p) => (latencies.length ? latencies[Math.floor(p * (latencies.length - 1))] : 0);
  console.log(JSON.stringify({
    operation,
    concurrency,
    operations: latencies.length,
    ops_per_second: latencies.length / elapsed,
    p50_us: at(0.5),
    p99_us: at(0.99),
    cpu_us_per_op: latencies.length ? (cpu.user + cpu.system) / latencies.length : 0,
  }));
}

main().catch((e) => {
  console.error('single_ops.js:', e.message);
  process.exit(1);
});
