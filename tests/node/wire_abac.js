// The ABAC calls of the official Node SDK (npm `permitio`), one after the other, against a
// permit-emulator started with `--request-log` and `--seed wire_abac_seed.json`, for
// wire_compare.js to set the requests beside the ones permit-cpp sends for the same calls
// (wire_abac.cpp, which makes the same calls in the same order under the same labels). Its
// `known` lists the deliberate differences, for wire_compare.js (`node wire_compare.js NODE_LOG
// CPP_LOG wire_abac.js`).
//
//   node wire_abac.js API_URL
//
// wire_calls.js makes the calls, each after its marker, and reports the ones that fail. The PDP
// is the emulator's own, on the same port.
//
// The SDK's `conditionSets` has no filter by type or text and no ancestors or descendants; those
// calls go through the generated client it wraps (`conditionSets.conditionSets`, the SDK's own
// `ConditionSetsApi` of src/openapi/api/condition-sets-api.ts), with the project and environment
// the SDK resolved. That client has no `search` parameter either: the search is given as an
// axios query parameter of the request options the generated functions take.
'use strict';
const { main } = require('./wire_calls.js');

// The deliberate differences, for wire_compare.js: the calls they apply to (by label), the
// difference as wire_compare.js words it, and why. Each must occur in every call its `calls`
// names.
const known = [
  {
    calls: /^condition_sets\.list\b/,
    diff: 'query: cpp only include_total_count=true',
    reason: 'permit-cpp asks for the envelope, to read `total_count` (the API\'s reference ' +
            'gives the envelope, the SDKs\' types a bare array; permit-cpp reads both); the SDK ' +
            'does not ask',
  },
  {
    calls: /^check\(/,
    diff: /^body: cpp only \.resource\.context = \{"tenant":"[^"]*"\}$/,
    shown: 'body: cpp only .resource.context = {"tenant":"<the tenant checked>"}',
    reason: 'permit-cpp copies the tenant checked into the resource\'s context, as the Python ' +
            'SDK does (permit/enforcement/enforcer.py); the Node SDK sends the tenant only as ' +
            '`resource.tenant`',
  },
];

// The generated client behind `api.conditionSets`, and the project and environment its calls
// name (the SDK resolves them from the API key at its first call).
async function generated(api) {
  const ENVIRONMENT = 3;  // ApiContextLevel.ENVIRONMENT, which the SDK does not export
  await api.conditionSets.ensureContext(ENVIRONMENT);
  return {
    sets: api.conditionSets.conditionSets,
    scope: api.conditionSets.config.apiContext.environmentContext,
  };
}

const overThirty = { allOf: [{ allOf: [{ 'user.age': { 'greater-than': 30 } }] }] };
const overForty = { allOf: [{ 'user.age': { 'greater-than': 40 } }] };
const notPrivate = { allOf: [{ allOf: [{ 'resource.private': { equals: false } }] }] };
const isSigned = { allOf: [{ 'resource.signed': { equals: true } }] };
const fromTheOffice = { allOf: [{ 'context.network': { equals: 'office' } }] };

// The calls, in order: [label, function of the `Permit` object]. Where the Node SDK names a call
// differently, the label is permit-cpp's name (wire_abac.cpp uses the same labels).
const calls = [
  // Condition sets: a userset with the API's default type, one with its type given, a
  // resourceset naming its resource type by key, and a child of it.
  ['condition_sets.create(users_over_thirty)',
   (permit) => permit.api.conditionSets.create({
     key: 'users_over_thirty', name: 'Users over thirty', conditions: overThirty,
   })],
  ['condition_sets.create(from_the_office)',
   (permit) => permit.api.conditionSets.create({
     key: 'from_the_office', name: 'From the office', type: 'userset', conditions: fromTheOffice,
   })],
  ['condition_sets.create(public_docs)',
   (permit) => permit.api.conditionSets.create({
     key: 'public_docs', name: 'Public documents', type: 'resourceset', resource_id: 'document',
     description: 'Documents anyone may see', conditions: notPrivate,
   })],
  ['condition_sets.create(signed_public_docs)',
   (permit) => permit.api.conditionSets.create({
     key: 'signed_public_docs', name: 'Signed public documents', type: 'resourceset',
     resource_id: 'document', conditions: isSigned, parent_id: 'public_docs',
   })],
  ['condition_sets.get(public_docs)', (permit) => permit.api.conditionSets.get('public_docs')],
  ['condition_sets.list', (permit) => permit.api.conditionSets.list()],
  ['condition_sets.list(type=resourceset)',
   async (permit) => {
     const { sets, scope } = await generated(permit.api);
     await sets.listConditionSets({ ...scope, type: 'resourceset', page: 1, perPage: 100 });
   }],
  ['condition_sets.list(search=thirty)',
   async (permit) => {
     const { sets, scope } = await generated(permit.api);
     await sets.listConditionSets({ ...scope, page: 1, perPage: 100 },
                                  { params: { search: 'thirty' } });
   }],
  ['condition_sets.update(users_over_thirty)',
   (permit) => permit.api.conditionSets.update('users_over_thirty', {
     name: 'Users over forty', conditions: overForty,
   })],
  ['condition_sets.ancestors(signed_public_docs)',
   async (permit) => {
     const { sets, scope } = await generated(permit.api);
     await sets.getConditionSetAncestors({
       ...scope, conditionSetId: 'signed_public_docs', page: 1, perPage: 100,
     });
   }],
  ['condition_sets.descendants(public_docs)',
   async (permit) => {
     const { sets, scope } = await generated(permit.api);
     await sets.getConditionSetDescendants({
       ...scope, conditionSetId: 'public_docs', page: 1, perPage: 100,
     });
   }],

  // Condition set rules: between two sets, from a role's generated userset, on a resource
  // type's generated resourceset.
  ['condition_set_rules.create',
   (permit) => permit.api.conditionSetRules.create({
     user_set: 'users_over_thirty', permission: 'document:sign', resource_set: 'public_docs',
   })],
  ['condition_set_rules.create(is_role)',
   (permit) => permit.api.conditionSetRules.create({
     user_set: 'admin', permission: 'document:archive', resource_set: 'public_docs',
     is_role: true,
   })],
  ['condition_set_rules.create(is_resource)',
   (permit) => permit.api.conditionSetRules.create({
     user_set: 'from_the_office', permission: 'document:read', resource_set: 'document',
     is_resource: true,
   })],
  ['condition_set_rules.list(user_set,permission,resource_set)',
   (permit) => permit.api.conditionSetRules.list({
     userSetKey: 'users_over_thirty', permissionKey: 'document:sign',
     resourceSetKey: 'public_docs',
   })],
  ['condition_set_rules.list(permission)',
   (permit) => permit.api.conditionSetRules.list({ permissionKey: 'document:read' })],

  // Checks with attributes given with the request, and with the request's context.
  ['check(user and resource attributes)',
   (permit) => permit.check({ key: 'dave', attributes: { age: 35 } }, 'sign', {
     type: 'document', tenant: 'default', attributes: { private: false },
   })],
  ['check(stored user, instance attributes)',
   (permit) => permit.check('asaf', 'sign', {
     type: 'document', key: 'report', tenant: 'default', attributes: { private: false },
   })],
  ['check(context)',
   (permit) => permit.check('dave', 'read', { type: 'document', tenant: 'default' },
                            { network: 'office' })],

  // Removals.
  ['condition_set_rules.remove',
   (permit) => permit.api.conditionSetRules.delete({
     user_set: 'users_over_thirty', permission: 'document:sign', resource_set: 'public_docs',
   })],
  ['condition_set_rules.remove(is_role)',
   (permit) => permit.api.conditionSetRules.delete({
     user_set: 'admin', permission: 'document:archive', resource_set: 'public_docs',
     is_role: true,
   })],
  ['condition_sets.remove(signed_public_docs)',
   (permit) => permit.api.conditionSets.delete('signed_public_docs')],
  ['condition_sets.remove(from_the_office)',
   (permit) => permit.api.conditionSets.delete('from_the_office')],
];

module.exports = { known };

if (require.main === module) {
  main('wire_abac.js', calls, (apiUrl) => {
    // Required here: wire_compare.js requires this module for `known`, without the SDK's path.
    const { Permit } = require('permitio');
    return [
      new Permit({
        token: 'permit_key_emulator',
        apiUrl,
        pdp: apiUrl,
        // The SDK's debug log prints its configuration, the API key included.
        log: { level: 'error' },
      }),
    ];
  });
}
