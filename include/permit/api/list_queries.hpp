// Filters and paging of the list operations.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace permit {

/// Filters of `users.list` and `tenants.list_users`. `per_page` is 1..100 (the API's limit).
struct user_list_query {
    std::optional<std::string> search;  ///< text search on the email
    std::optional<std::string> role;    ///< only users holding this role
    /// Include each user's roles on resource instances.
    bool include_resource_instance_roles = false;
    /// The page to read, from 1.
    int page = 1;
    /// Items per page.
    int per_page = 100;
};

/// Filters of `tenants.list`.
struct tenant_list_query {
    std::optional<std::string> search;  ///< on the name or the key
    /// The page to read, from 1.
    int page = 1;
    /// Items per page, 1 to 100.
    int per_page = 100;
};

/// Filters of `role_assignments.list`. Each list filter matches any of its values.
struct role_assignment_list_query {
    /// Only assignments of these users.
    std::vector<std::string> users;
    /// Only assignments of these roles.
    std::vector<std::string> roles;
    /// Only assignments in these tenants.
    std::vector<std::string> tenants;
    std::optional<std::string> resource;           ///< a resource type
    std::optional<std::string> resource_instance;  ///< `"type:key"` or an id
    /// The page to read, from 1.
    int page = 1;
    /// Items per page, 1 to 100.
    int per_page = 100;
};

/// The page of a list that has no filters (the objects of a resource type: its relations, roles,
/// attributes and action groups).
struct page_query {
    /// The page to read, from 1.
    int page = 1;
    /// Items per page, 1 to 100.
    int per_page = 100;
};

/// Filters of `roles.list` and `resources.list`.
struct schema_list_query {
    /// A text to search for, sent to the API as `search`.
    std::optional<std::string> search;
    /// The page to read, from 1.
    int page = 1;
    /// Items per page, 1 to 100.
    int per_page = 100;
};

}  // namespace permit
