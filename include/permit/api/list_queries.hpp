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
    bool include_resource_instance_roles = false;
    int page = 1;
    int per_page = 100;
};

/// Filters of `tenants.list`.
struct tenant_list_query {
    std::optional<std::string> search;  ///< on the name or the key
    int page = 1;
    int per_page = 100;
};

/// Filters of `role_assignments.list`. Each list filter matches any of its values.
struct role_assignment_list_query {
    std::vector<std::string> users;
    std::vector<std::string> roles;
    std::vector<std::string> tenants;
    std::optional<std::string> resource;           ///< a resource type
    std::optional<std::string> resource_instance;  ///< `"type:key"` or an id
    int page = 1;
    int per_page = 100;
};

/// Filters of `roles.list` and `resources.list`.
struct schema_list_query {
    std::optional<std::string> search;
    int page = 1;
    int per_page = 100;
};

}  // namespace permit
