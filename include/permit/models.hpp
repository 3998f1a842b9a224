#pragma once

// All request/response models of the Permit.io REST API and PDP, with Boost.JSON conversions.

#include <permit/models/action_group.hpp>
#include <permit/models/bulk.hpp>
#include <permit/models/condition_set.hpp>
#include <permit/models/condition_set_rule.hpp>
#include <permit/models/error_body.hpp>
#include <permit/models/model_error.hpp>
#include <permit/models/page.hpp>
#include <permit/models/pdp.hpp>
#include <permit/models/relationship_tuple.hpp>
#include <permit/models/resource.hpp>
#include <permit/models/resource_attribute.hpp>
#include <permit/models/resource_instance.hpp>
#include <permit/models/resource_relation.hpp>
#include <permit/models/resource_role.hpp>
#include <permit/models/role.hpp>
#include <permit/models/role_assignment.hpp>
#include <permit/models/scope.hpp>
#include <permit/models/tenant.hpp>
#include <permit/models/user.hpp>
