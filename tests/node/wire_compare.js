// Compares, call by call, the requests of two permit-emulator request logs (`--request-log`, one
// JSON object a line): the official Node SDK's (wire_rebac.js, wire_abac.js) and permit-cpp's
// (wire_rebac.cpp, wire_abac.cpp) for the same calls. A call's requests are the ones after its
// marker, `GET /wire-call/<label>`, and before the next one.
//
//   node wire_compare.js NODE_LOG CPP_LOG [RULES]
//
// RULES, a module (e.g. wire_admin_rules.js or wire_abac.js), replaces what it exports of `known`
// (the deliberate differences of its comparison, in the shape of the list below), `compared` and
// `bodiless` (the requests whose POST, PUT or PATCH has no body by design); without it, the ReBAC
// calls' rules below are used.
//
// Each request is compared on its method, its path as sent, its query as a multiset of decoded
// parameters, its body as parsed JSON (key order does not count) and, as a check on the calls
// themselves, the status the emulator answered. A difference must be one of the listed ones, each
// with its reason; any other fails, and so does a listed difference that no longer occurs in a
// call it names. Prints the table of the comparison. Exits 0 when all is as listed, 1 otherwise.
'use strict';
const fs = require('fs');
const path = require('path');
const { isDeepStrictEqual } = require('util');

// The deliberate differences of the ReBAC calls: the calls they apply to (by label), the
// difference as this script words it (a string, or a pattern over that wording, `shown` in the
// output), and why. Each must occur in every call its `calls` names.
let known = [
  {
    calls: /^resource_attributes\.\w+\(__user\b/,
    diff: /^path: node (\S*)\/resources\/__user\/attributes(\S*), cpp \1\/users\/attributes\2$/,
    shown: 'path: node .../resources/__user/attributes..., cpp .../users/attributes...',
    reason: "the users' attributes have routes of their own in the API reference " +
            '(#tag/User-Attributes); the SDK reaches them as the resource type `__user`, which ' +
            'the API answers too',
  },
  {
    calls: /^(resource_instances|relationship_tuples)\.list\b/,
    diff: 'query: cpp only include_total_count=true',
    reason: 'permit-cpp asks for the envelope, to read `total_count`; without it the API ' +
            'answers a bare array, which the SDK returns',
  },
  {
    calls: /^(resource_instances|relationship_tuples)\.list\b/,
    diff: 'query: cpp only page=1',
    reason: 'permit-cpp always sends the page it reads (default 1, the API\'s default); the SDK ' +
            'only when given one',
  },
  {
    calls: /^(resource_instances|relationship_tuples)\.list\b/,
    diff: 'query: cpp only per_page=100',
    reason: 'permit-cpp always sends its page size (default 100, the API\'s largest; the API\'s ' +
            'own default is 30); the SDK only when given one',
  },
];

// Requests that are part of no compared call, left out: every route outside `/v2/facts/...`,
// `/v2/schema/...` and the PDP's `/allowed...` (the routes of the compared calls). The only one
// either client sends is `GET /v2/api-key/scope`, with which each learns the project and
// environment of its key before the first call that needs them. The output counts what was left
// out.
let compared = (record) => /^\/v2\/(facts|schema)\/|^\/allowed(\/|\?|$)/.test(record.target);
let bodiless = () => false;

const markerPrefix = '/wire-call/';

// The log as [{label, requests, ignored}], one entry a call, in order.
function calls(file) {
  const out = [];
  // What comes before the first marker counts only if there is something.
  let current = { label: '(before the first call)', requests: [], ignored: [], marked: false };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const record = JSON.parse(line);
    if (record.target.startsWith(markerPrefix)) {
      if (current.marked || current.requests.length || current.ignored.length) out.push(current);
      current = {
        label: decodeURIComponent(record.target.slice(markerPrefix.length)),
        requests: [],
        ignored: [],
        marked: true,
      };
    } else if (compared(record)) {
      current.requests.push(record);
    } else {
      current.ignored.push(record);
    }
  }
  out.push(current);
  return out;
}

function split(target) {
  const q = target.indexOf('?');
  return q < 0 ? [target, ''] : [target.slice(0, q), target.slice(q + 1)];
}

// `/v2/facts/{proj}/{env}/...` for display; the comparison itself uses the path as sent.
function short(path) {
  return path.replace(/^\/v2\/(facts|schema)\/[^/]+\/[^/]+/, '/v2/$1/{proj}/{env}');
}

function body(record) {
  if (!record.body) return undefined;
  try {
    return JSON.parse(record.body);
  } catch {
    return { 'not JSON': record.body };
  }
}

const show = (v) => JSON.stringify(v);

// The differences between two JSON values, as "where: ..." strings.
function bodyDiffs(n, c, where, out) {
  if (isDeepStrictEqual(n, c)) return out;
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(n) && isObject(c)) {
    for (const k of new Set([...Object.keys(n), ...Object.keys(c)])) {
      const at = `${where}.${k}`;
      if (!(k in c)) out.push(`body: node only ${at} = ${show(n[k])}`);
      else if (!(k in n)) out.push(`body: cpp only ${at} = ${show(c[k])}`);
      else bodyDiffs(n[k], c[k], at, out);
    }
  } else if (Array.isArray(n) && Array.isArray(c) && n.length === c.length) {
    n.forEach((item, i) => bodyDiffs(item, c[i], `${where}[${i}]`, out));
  } else {
    out.push(`body: ${where || '(whole)'}: node ${show(n)}, cpp ${show(c)}`);
  }
  return out;
}

// The differences between the Node SDK's request `n` and permit-cpp's `c`, by aspect.
function diffs(n, c) {
  const out = { method: [], path: [], query: [], body: [], status: [] };
  if (n.method !== c.method) out.method.push(`method: node ${n.method}, cpp ${c.method}`);
  const [nPath, nQuery] = split(n.target);
  const [cPath, cQuery] = split(c.target);
  if (nPath !== cPath) {
    // Shortened when both name the same project and environment, whole otherwise.
    const scope = (path) => path.split('/').slice(0, 5).join('/');
    const same = scope(nPath) === scope(cPath);
    out.path.push(same ? `path: node ${short(nPath)}, cpp ${short(cPath)}`
                       : `path: node ${nPath}, cpp ${cPath}`);
  }
  const params = (q) => [...new URLSearchParams(q)].map(([k, v]) => `${k}=${v}`);
  const cLeft = params(cQuery);
  for (const p of params(nQuery)) {
    const i = cLeft.indexOf(p);
    if (i < 0) out.query.push(`query: node only ${p}`);
    else cLeft.splice(i, 1);
  }
  for (const p of cLeft) out.query.push(`query: cpp only ${p}`);
  const nBody = body(n);
  const cBody = body(c);
  if (nBody === undefined || cBody === undefined) {
    if (nBody !== cBody) out.body.push(`body: node ${show(nBody)}, cpp ${show(cBody)}`);
  } else {
    bodyDiffs(nBody, cBody, '', out.body);
  }
  if (n.status !== c.status) out.status.push(`status: node ${n.status}, cpp ${c.status}`);
  return out;
}

function pad(text, width) {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function main() {
  const [nodeLog, cppLog, rules] = process.argv.slice(2);
  if (!nodeLog || !cppLog) {
    console.error('usage: node wire_compare.js NODE_LOG CPP_LOG [RULES]');
    process.exit(2);
  }
  if (rules) {
    const given = require(path.resolve(rules));
    known = given.known || known;
    compared = given.compared || compared;
    bodiless = given.bodiless || bodiless;
  }
  const nodeCalls = calls(nodeLog);
  const cppCalls = calls(cppLog);
  const labels = (list) => list.map((x) => x.label);
  if (!isDeepStrictEqual(labels(nodeCalls), labels(cppCalls))) {
    console.error('wire_compare.js: the two runs made different calls:\n' +
                  `  node: ${labels(nodeCalls).join(', ')}\n` +
                  `  cpp:  ${labels(cppCalls).join(', ')}`);
    process.exit(1);
  }

  const aspects = ['method', 'path', 'query', 'body', 'status'];
  const problems = [];
  const used = known.map(() => new Set());  // the calls in which each listed difference occurred
  const rows = [];
  let bodies = 0;  // the requests compared with a body
  nodeCalls.forEach((nodeCall, index) => {
    const cppCall = cppCalls[index];
    const label = nodeCall.label;
    const count = Math.max(nodeCall.requests.length, cppCall.requests.length);
    if (nodeCall.requests.length !== cppCall.requests.length) {
      const sent = (call) => call.requests.map((r) => `${r.method} ${r.target}`);
      problems.push(`${label}: node sent ${nodeCall.requests.length} request(s), cpp ` +
                    `${cppCall.requests.length}: ` +
                    JSON.stringify({ node: sent(nodeCall), cpp: sent(cppCall) }));
    }
    if (count === 0) {
      problems.push(`${label}: neither client sent a request for it`);
      rows.push({ label, request: '(none)', cells: aspects.map(() => '-') });
      return;
    }
    for (let i = 0; i < count; ++i) {
      const n = nodeCall.requests[i];
      const c = cppCall.requests[i];
      const shown = n || c;
      const [path, query] = split(shown.target);
      const request = `${shown.method} ${short(path)}${query ? `?${query}` : ''}`;
      if (!n || !c) {
        rows.push({ label, request, cells: aspects.map(() => (n ? 'node only' : 'cpp only')) });
        continue;
      }
      // Equal because both are missing would prove nothing: a log without bodies is refused.
      if (['POST', 'PUT', 'PATCH'].includes(n.method) && !n.body && !c.body && !bodiless(n)) {
        problems.push(`${label}: neither ${n.method} has a body in the logs: was the emulator ` +
                      'started with --request-log?');
      }
      if (n.body || c.body) ++bodies;
      const found = diffs(n, c);
      const cells = aspects.map((aspect) => {
        if (!found[aspect].length) return '=';
        let explained = true;
        for (const d of found[aspect]) {
          const k = known.findIndex((entry) => entry.calls.test(label) &&
              (typeof entry.diff === 'string' ? entry.diff === d : entry.diff.test(d)));
          if (k < 0) {
            explained = false;
            problems.push(`${label}: ${d}`);
          } else {
            used[k].add(label);
          }
        }
        return explained ? 'listed' : 'DIFFERS';
      });
      rows.push({ label, request, cells });
    }
  });
  const allLabels = labels(nodeCalls);
  known.forEach((entry, k) => {
    for (const label of allLabels.filter((l) => entry.calls.test(l))) {
      if (!used[k].has(label)) {
        problems.push(`${label}: the listed difference "${entry.diff}" did not occur: drop it ` +
                      'from the list or narrow its calls');
      }
    }
  });

  // The table.
  const widths = [3, Math.max(4, ...rows.map((r) => r.label.length)),
                  Math.min(70, Math.max(...rows.map((r) => r.request.length)))];
  const header = [pad('#', widths[0]), pad('call', widths[1]), pad('request (Node SDK)', widths[2]),
                  ...aspects.map((a) => pad(a, 7))].join('  ');
  console.log(header);
  console.log('-'.repeat(header.length));
  rows.forEach((r, i) => {
    const request = r.request.length > widths[2] ? `${r.request.slice(0, widths[2] - 1)}…`
                                                  : r.request;
    console.log([pad(String(i + 1), widths[0]), pad(r.label, widths[1]), pad(request, widths[2]),
                 ...r.cells.map((c) => pad(c, 7))].join('  '));
  });
  console.log("\n= the same; listed: differs only as listed below; DIFFERS: see the failures\n");

  console.log(`Listed differences (${rules ? path.basename(rules) : 'wire_compare.js'}` +
              ', `known`):');
  known.forEach((entry, k) => {
    console.log(`- ${entry.shown || entry.diff}\n    in: ${[...used[k]].join(', ') || '(none)'}\n` +
                `    why: ${entry.reason}`);
  });
  const ignored = (list) => {
    const counts = {};
    for (const call of list) {
      for (const r of call.ignored) counts[r.route] = (counts[r.route] || 0) + 1;
    }
    return Object.entries(counts).map(([route, n]) => `${route} x${n}`).join(', ') || 'none';
  };
  console.log(`\nLeft out (not part of a compared call): node: ${ignored(nodeCalls)}; ` +
              `cpp: ${ignored(cppCalls)}`);

  if (problems.length) {
    console.log(`\nFAILED: ${problems.length} unlisted difference(s):`);
    for (const p of problems) console.log(`- ${p}`);
    process.exit(1);
  }
  console.log(`\n${rows.length} requests of ${allLabels.length} calls compared (${bodies} with a ` +
              'body): all as listed.');
}

main();
