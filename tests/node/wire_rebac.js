// The ReBAC calls of the official Node SDK (npm `permitio`), one after the other, against a
// permit-emulator started with `--request-log` and `--seed wire_rebac_seed.json`, for
// wire_compare.js to set the requests beside the ones permit-cpp sends for the same calls
// (wire_rebac.cpp, which makes the same calls in the same order under the same labels).
//
//   node wire_rebac.js API_URL
//
// wire_calls.js makes the calls, each after its marker, and reports the ones that fail.
'use strict';
const { Permit } = require('permitio');
const { main } = require('./wire_calls.js');

// The calls, in order: [label, function of `permit.api`]. Where the Node SDK names a call
// differently, the label is permit-cpp's name (wire_rebac.cpp uses the same labels).
const calls = [
  // The schema of a resource type: relations, roles, derivation rules, attributes, action groups.
  ['resource_relations.create(document,parent)',
   (api) => api.resourceRelations.create('document', {
     key: 'parent', name: 'Parent', subject_resource: 'folder', description: 'The folder it is in',
   })],
  ['resource_relations.get(document,parent)',
   (api) => api.resourceRelations.get('document', 'parent')],
  ['resource_relations.list(document)',
   (api) => api.resourceRelations.list({ resourceKey: 'document' })],
  ['resource_roles.create(folder,editor)',
   (api) => api.resourceRoles.create('folder', {
     key: 'editor', name: 'Editor', permissions: ['read', 'write'],
   })],
  ['resource_roles.create(document,editor)',
   (api) => api.resourceRoles.create('document', {
     key: 'editor', name: 'Editor', description: 'Edits documents', permissions: ['read'],
   })],
  ['resource_roles.get(document,editor)', (api) => api.resourceRoles.get('document', 'editor')],
  ['resource_roles.list(document)', (api) => api.resourceRoles.list({ resourceKey: 'document' })],
  ['resource_roles.update(document,editor)',
   (api) => api.resourceRoles.update('document', 'editor', { description: 'Edits and reads' })],
  ['resource_roles.assign_permissions(document,editor)',
   (api) => api.resourceRoles.assignPermissions('document', 'editor', ['write', 'share'])],
  ['resource_roles.remove_permissions(document,editor)',
   (api) => api.resourceRoles.removePermissions('document', 'editor', ['share'])],
  ['implicit_grants.create(document,editor)',
   (api) => api.resourceRoles.createRoleDerivation('document', 'editor', {
     role: 'editor', on_resource: 'folder', linked_by_relation: 'parent',
   })],
  ['implicit_grants.set_conditions(document,editor)',
   (api) => api.resourceRoles.updateRoleDerivationConditions('document', 'editor', {
     no_direct_roles_on_object: true,
   })],
  ['implicit_grants.remove(document,editor)',
   (api) => api.resourceRoles.deleteRoleDerivation('document', 'editor', {
     role: 'editor', on_resource: 'folder', linked_by_relation: 'parent',
   })],
  ...['document', '__user'].flatMap((resource) => {
    const key = resource === 'document' ? 'classification' : 'department';
    return [
      [`resource_attributes.create(${resource})`,
       (api) => api.resourceAttributes.create(resource, {
         key, type: 'string', description: `The ${key}`,
       })],
      [`resource_attributes.get(${resource},${key})`,
       (api) => api.resourceAttributes.get(resource, key)],
      [`resource_attributes.list(${resource})`,
       (api) => api.resourceAttributes.list({ resourceKey: resource })],
      [`resource_attributes.update(${resource},${key})`,
       (api) => api.resourceAttributes.update(resource, key, { description: `Its ${key}` })],
      [`resource_attributes.remove(${resource},${key})`,
       (api) => api.resourceAttributes.delete(resource, key)],
    ];
  }),
  ['action_groups.create(document)',
   (api) => api.actionGroups.create('document', {
     key: 'editing', name: 'Editing', actions: ['read', 'write'],
   })],
  ['action_groups.get(document,editing)', (api) => api.actionGroups.get('document', 'editing')],
  ['action_groups.list(document)', (api) => api.actionGroups.list({ resourceKey: 'document' })],
  ['action_groups.update(document,editing)',
   (api) => api.actionGroups.update('document', 'editing', { name: 'Editing documents' })],
  ['action_groups.remove(document,editing)',
   (api) => api.actionGroups.delete('document', 'editing')],

  // The facts: instances, tuples, instance roles, a tenant's user.
  ['resource_instances.create(folder:finance)',
   (api) => api.resourceInstances.create({
     key: 'finance', tenant: 'default', resource: 'folder',
   })],
  ['resource_instances.create(document:report)',
   (api) => api.resourceInstances.create({
     key: 'report', tenant: 'default', resource: 'document',
     attributes: { classification: 'internal', pages: 12 },
   })],
  ['resource_instances.get(document:report)',
   (api) => api.resourceInstances.get('document:report')],
  ['resource_instances.list(document)',
   (api) => api.resourceInstances.list({ tenant: 'default', resource: 'document' })],
  ['resource_instances.update(document:report)',
   (api) => api.resourceInstances.update('document:report', {
     attributes: { classification: 'secret' },
   })],
  ['relationship_tuples.create',
   (api) => api.relationshipTuples.create({
     subject: 'folder:finance', relation: 'parent', object: 'document:report', tenant: 'default',
   })],
  ['relationship_tuples.list',
   (api) => api.relationshipTuples.list({
     tenant: 'default', subject: 'folder:finance', relation: 'parent', objectType: 'document',
   })],
  ['relationship_tuples.remove',
   (api) => api.relationshipTuples.delete({
     subject: 'folder:finance', relation: 'parent', object: 'document:report',
   })],
  ['relationship_tuples.bulk_create',
   (api) => api.relationshipTuples.bulkRelationshipTuples([
     {
       subject: 'folder:finance', relation: 'parent', object: 'document:report', tenant: 'default',
     },
     { subject: 'folder:finance', relation: 'parent', object: 'document:plan', tenant: 'default' },
   ])],
  ['relationship_tuples.bulk_remove',
   (api) => api.relationshipTuples.bulkUnRelationshipTuples([
     { subject: 'folder:finance', relation: 'parent', object: 'document:report' },
     { subject: 'folder:finance', relation: 'parent', object: 'document:plan' },
   ])],
  ['role_assignments.assign(resource_instance)',
   (api) => api.roleAssignments.assign({
     user: 'alice', role: 'editor', resource_instance: 'folder:finance', tenant: 'default',
   })],
  ['role_assignments.unassign(resource_instance)',
   (api) => api.roleAssignments.unassign({
     user: 'alice', role: 'editor', resource_instance: 'folder:finance', tenant: 'default',
   })],
  ['tenants.remove_user(default,bob)', (api) => api.tenants.deleteTenantUser('default', 'bob')],

  // Removals, the instance first: what depends on the schema goes before it.
  ['resource_instances.remove(document:report)',
   (api) => api.resourceInstances.delete('document:report')],
  ['resource_roles.remove(document,editor)',
   (api) => api.resourceRoles.delete('document', 'editor')],
  ['resource_relations.remove(document,parent)',
   (api) => api.resourceRelations.delete('document', 'parent')],
];

main('wire_rebac.js', calls, (apiUrl) => [
  // The SDK's debug log prints its configuration, the API key included.
  new Permit({ token: 'permit_key_emulator', apiUrl, log: { level: 'error' } }).api,
]);
