// A second handler file for `./dev bench`'s compile-time rows: benchmarks/compile_time.cpp's three
// calls plus ten more operations, so that the cost of each further operation in a user's file can
// be read off the difference.
#include "compile_time.cpp"

// Arguments are built before each co_await: g++ 12 mishandles aggregate temporaries in a co_await
// expression.
asio::awaitable<std::size_t> on_admin_page(permit::client& permit, std::string id) {
    std::size_t seen = 0;
    const auto found = co_await permit.users.get(id);
    seen += found.roles.size();
    const auto users = co_await permit.users.list();
    seen += users.data.size();
    const permit::tenant_create acme{.key = "acme", .name = "Acme"};
    const auto tenant = co_await permit.tenants.create(acme);
    seen += tenant.key.size();
    const permit::role_assignment_create viewer{.user = id, .role = "viewer", .tenant = "acme"};
    const auto assignment = co_await permit.role_assignments.assign(viewer);
    seen += assignment.role.size();
    const auto role = co_await permit.roles.get("viewer");
    seen += role.permissions.size();
    const auto resource = co_await permit.resources.get("document");
    seen += resource.actions.size();
    const permit::role_assignment_create editor{.user = id, .role = "editor", .tenant = "acme"};
    co_await permit.bulk.assign_role(editor);
    std::vector<permit::check_query> questions(1);
    questions[0].user.key = id;
    questions[0].action = "read";
    questions[0].resource.type = "document";
    const auto answers = co_await permit.bulk_check(questions);
    seen += answers.size();
    permit::user_permissions_query query;
    query.user.key = id;
    const auto permissions = co_await permit.get_user_permissions(query);
    seen += permissions.size();
    co_await permit.users.remove(id);
    co_return seen;
}
