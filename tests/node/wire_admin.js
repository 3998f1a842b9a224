// The organization's calls of the official Node SDK (npm `permitio`): projects, environments, API
// keys and an Elements login, one after the other, against a permit-emulator started with
// `--request-log`, `--seed wire_admin_seed.json` and `--org-api-key permit_key_org_emulator`, for
// wire_compare.js to set the requests beside the ones permit-cpp sends for the same calls
// (wire_admin.cpp, which makes the same calls in the same order under the same labels).
//
//   node wire_admin.js API_URL
//
// The SDK has no public group for API keys: their calls go through the generated client it
// makes for them (`permit.api.environments.apiKeys`, an `APIKeysApi` of
// `src/openapi/api/apikeys-api.ts`, which its `environments.getApiKey` uses). Elements logins
// take the environment's key, the other calls the organization's.
//
// wire_calls.js makes the calls, each after its marker, and reports the ones that fail. No key or
// secret is ever printed: errors are reported by their message and HTTP status only, without the
// reply's body.
'use strict';
const { Permit } = require('permitio');
const { main } = require('./wire_calls.js');

// What later calls take from earlier replies: the organization's id, the ids of the copy's
// environment and of its project, the id of the key made.
const got = {};

// The calls, in order: [label, function of (org api, environment api)]. The labels are
// permit-cpp's names (wire_admin.cpp uses the same labels).
const calls = [
  ['projects.create(shop)', async (org) => {
    const made = await org.projects.create({
      key: 'shop', name: 'Shop', description: 'The shop',
      initial_environments: [{ key: 'dev', name: 'Development' }],
    });
    got.organization = made.organization_id;
  }],
  ['projects.get(shop)', (org) => org.projects.get('shop')],
  ['projects.list', (org) => org.projects.list()],
  ['projects.update(shop)',
   (org) => org.projects.update('shop', { name: 'The shop', settings: { theme: 'dark' } })],
  ['environments.create(shop,staging)',
   (org) => org.environments.create('shop', {
     key: 'staging', name: 'Staging', description: 'Before production',
   })],
  ['environments.get(shop,staging)', (org) => org.environments.get('shop', 'staging')],
  ['environments.list(shop)', (org) => org.environments.list({ projectKey: 'shop' })],
  ['environments.update(shop,staging)',
   (org) => org.environments.update('shop', 'staging', {
     jwks: { ttl: 60, url: 'https://example.com/jwks' },
   })],
  ['environments.copy(default,production,new)', async (org) => {
    const copied = await org.environments.copy('default', 'production', {
      target_env: { new: { key: 'qa', name: 'QA' } },
      scope: { roles: { exclude: ['test_*'] } },
    });
    got.project = copied.project_id;
    got.environment = copied.id;
  }],
  ['environments.copy(default,production,existing)',
   (org) => org.environments.copy('default', 'production', {
     target_env: { existing: 'qa' },
     conflict_strategy: 'overwrite',
     scope: { resources: { include: ['document'] }, roles: { include: ['reader'] } },
   })],
  ['environments.api_key(default,qa)', (org) => org.environments.getApiKey('default', 'qa')],
  ['api_keys.create', async (org) => {
    const made = await org.environments.apiKeys.createApiKey({
      aPIKeyCreate: {
        organization_id: got.organization, project_id: got.project,
        environment_id: got.environment, object_type: 'env', access_level: 'read',
        owner_type: 'member', name: 'CI',
      },
    });
    got.key = made.data.id;
  }],
  ['api_keys.list(env)', (org) => org.environments.apiKeys.listApiKeys({ objectType: 'env' })],
  ['api_keys.get', (org) => org.environments.apiKeys.getApiKey({ apiKeyId: got.key })],
  ['api_keys.rotate_secret', (org) => org.environments.apiKeys.rotateApiKey({ apiKeyId: got.key })],
  ['api_keys.remove', (org) => org.environments.apiKeys.deleteApiKey({ apiKeyId: got.key })],
  ['elements.login_as(ann,acme)',
   (org, env) => env.elements.loginAs({ userId: 'ann', tenantId: 'acme' })],
  ['environments.remove(shop,staging)', (org) => org.environments.delete('shop', 'staging')],
  ['projects.remove(shop)', (org) => org.projects.delete('shop')],
];

main('wire_admin.js', calls, (apiUrl) => {
  // The SDK's debug log prints its configuration, the API key included.
  const permit = (token) => new Permit({ token, apiUrl, log: { level: 'error' } });
  return [permit('permit_key_org_emulator').api, permit('permit_key_emulator')];
}, { replies: false });
