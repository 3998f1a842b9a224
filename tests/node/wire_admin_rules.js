// What wire_compare.js compares for the organization's calls (wire_admin.js, wire_admin.cpp):
//
//   node wire_compare.js NODE_LOG CPP_LOG wire_admin_rules.js
//
// `compared`: the routes of the compared calls, `/v2/projects/...`, `/v2/api-key...` and
// `/v2/auth/...`, but `GET /v2/api-key/scope`, with which the Node SDK learns the level of its
// key before its first call (permit-node `src/api/base.ts`, `ensureAccessLevel`); permit-cpp's
// calls of the organization need no scope. `bodiless`: the POSTs without a body. `known`: the
// deliberate differences, as in wire_compare.js.
'use strict';

exports.compared = (record) =>
  /^\/v2\/(projects|api-key|auth)(\/|\?|$)/.test(record.target) &&
  !/^\/v2\/api-key\/scope(\?|$)/.test(record.target);

// `POST /v2/api-key/{id}/rotate-secret` takes no body (https://api.permit.io/v2/redoc#tag/API-Keys).
exports.bodiless = (record) => /^\/v2\/api-key\/[^/]+\/rotate-secret$/.test(record.target);

exports.known = [
  {
    calls: /^api_keys\.list\b/,
    diff: 'query: cpp only page=1',
    reason: "permit-cpp always sends the page it reads (default 1, the API's default); the " +
            "Node SDK's generated client only when given one",
  },
  {
    calls: /^api_keys\.list\b/,
    diff: 'query: cpp only per_page=100',
    reason: "permit-cpp always sends its page size (default 100, the API's largest; the API's " +
            "own default is 30); the Node SDK's generated client only when given one",
  },
];
