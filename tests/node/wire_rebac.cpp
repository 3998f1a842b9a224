// permit-cpp's side of the wire comparison with the official Node SDK: the ReBAC calls of
// wire_rebac.js, the same calls in the same order under the same labels, against a
// permit-emulator started with `--request-log` and `--seed wire_rebac_seed.json`; wire_compare.js
// then sets each call's requests beside the Node SDK's.
//
//   wire-rebac-cpp API_URL
//
// wire_calls.hpp makes the calls, each after its marker, and reports the ones that fail.
#include "wire_calls.hpp"

#include <permit/permit.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asio = boost::asio;

namespace {

using call_list = wire::call_list<permit::client>;

// The request bodies with nested braces, built outside the coroutines (g++ 12 rejects nested
// braced lists inside one).
permit::resource_instance_create report_instance() {
    permit::resource_instance_create out{
        .key = "report", .tenant = "default", .resource = "document"};
    out.attributes = boost::json::object{{"classification", "internal"}, {"pages", 12}};
    return out;
}
permit::resource_instance_update report_update() {
    permit::resource_instance_update out;
    out.attributes = boost::json::object{{"classification", "secret"}};
    return out;
}
permit::relationship_tuple_create tuple_create(const std::string& object) {
    return {
        .subject = "folder:finance", .relation = "parent", .object = object, .tenant = "default"};
}
permit::relationship_tuple_delete tuple_delete(const std::string& object) {
    return {.subject = "folder:finance", .relation = "parent", .object = object};
}
std::vector<std::string> strings(std::initializer_list<const char*> items) {
    return {items.begin(), items.end()};
}
std::vector<std::string> write_and_share() {
    return strings({"write", "share"});
}
std::vector<std::string> share_only() {
    return strings({"share"});
}
permit::resource_role_create folder_editor() {
    return {.key = "editor", .name = "Editor", .permissions = strings({"read", "write"})};
}
permit::resource_role_create document_editor() {
    return {.key = "editor",
            .name = "Editor",
            .description = "Edits documents",
            .permissions = strings({"read"})};
}
permit::action_group_create editing_group() {
    return {.key = "editing", .name = "Editing", .actions = strings({"read", "write"})};
}
std::vector<permit::relationship_tuple_create> tuple_creates() {
    return {tuple_create("document:report"), tuple_create("document:plan")};
}
std::vector<permit::relationship_tuple_delete> tuple_deletes() {
    return {tuple_delete("document:report"), tuple_delete("document:plan")};
}
permit::derived_role_rule_create from_parent_folder() {
    return {.role = "editor", .on_resource = "folder", .linked_by_relation = "parent"};
}

// The calls, in wire_rebac.js's order and with its labels.
call_list calls() {
    call_list out;

    // The schema of a resource type: relations, roles, derivation rules, attributes, action
    // groups.
    out.add("resource_relations.create(document,parent)",
            [](permit::client& p) -> asio::awaitable<void> {
                const permit::relation_create r{.key = "parent",
                                                .name = "Parent",
                                                .subject_resource = "folder",
                                                .description = "The folder it is in"};
                co_await p.resource_relations.create("document", r);
            });
    out.add("resource_relations.get(document,parent)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_relations.get("document", "parent");
            });
    out.add("resource_relations.list(document)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_relations.list("document");
    });
    out.add("resource_roles.create(folder,editor)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_roles.create("folder", folder_editor());
    });
    out.add("resource_roles.create(document,editor)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_roles.create("document", document_editor());
            });
    out.add("resource_roles.get(document,editor)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_roles.get("document", "editor");
    });
    out.add("resource_roles.list(document)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_roles.list("document");
    });
    out.add("resource_roles.update(document,editor)",
            [](permit::client& p) -> asio::awaitable<void> {
                const permit::resource_role_update u{.description = "Edits and reads"};
                co_await p.resource_roles.update("document", "editor", u);
            });
    out.add("resource_roles.assign_permissions(document,editor)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_roles.assign_permissions("document", "editor",
                                                             write_and_share());
            });
    out.add("resource_roles.remove_permissions(document,editor)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_roles.remove_permissions("document", "editor", share_only());
            });
    out.add("implicit_grants.create(document,editor)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.implicit_grants.create("document", "editor", from_parent_folder());
            });
    out.add("implicit_grants.set_conditions(document,editor)",
            [](permit::client& p) -> asio::awaitable<void> {
                const permit::derivation_settings when{.no_direct_roles_on_object = true};
                co_await p.implicit_grants.set_conditions("document", "editor", when);
            });
    out.add("implicit_grants.remove(document,editor)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.implicit_grants.remove("document", "editor", from_parent_folder());
            });
    for (const std::string& resource :
         {std::string("document"), std::string(permit::user_resource_key)}) {
        const std::string key = resource == "document" ? "classification" : "department";
        out.add("resource_attributes.create(" + resource + ")",
                [resource, key](permit::client& p) -> asio::awaitable<void> {
                    const permit::resource_attribute_create a{
                        .key = key, .type = "string", .description = "The " + key};
                    co_await p.resource_attributes.create(resource, a);
                });
        out.add("resource_attributes.get(" + resource + "," + key + ")",
                [resource, key](permit::client& p) -> asio::awaitable<void> {
                    co_await p.resource_attributes.get(resource, key);
                });
        out.add("resource_attributes.list(" + resource + ")",
                [resource](permit::client& p) -> asio::awaitable<void> {
                    co_await p.resource_attributes.list(resource);
                });
        out.add("resource_attributes.update(" + resource + "," + key + ")",
                [resource, key](permit::client& p) -> asio::awaitable<void> {
                    const permit::resource_attribute_update u{.description = "Its " + key};
                    co_await p.resource_attributes.update(resource, key, u);
                });
        out.add("resource_attributes.remove(" + resource + "," + key + ")",
                [resource, key](permit::client& p) -> asio::awaitable<void> {
                    co_await p.resource_attributes.remove(resource, key);
                });
    }
    out.add("action_groups.create(document)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.action_groups.create("document", editing_group());
    });
    out.add("action_groups.get(document,editing)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.action_groups.get("document", "editing");
    });
    out.add("action_groups.list(document)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.action_groups.list("document");
    });
    out.add("action_groups.update(document,editing)",
            [](permit::client& p) -> asio::awaitable<void> {
                const permit::action_group_update u{.name = "Editing documents"};
                co_await p.action_groups.update("document", "editing", u);
            });
    out.add("action_groups.remove(document,editing)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.action_groups.remove("document", "editing");
            });

    // The facts: instances, tuples, instance roles, a tenant's user.
    out.add("resource_instances.create(folder:finance)",
            [](permit::client& p) -> asio::awaitable<void> {
                const permit::resource_instance_create i{
                    .key = "finance", .tenant = "default", .resource = "folder"};
                co_await p.resource_instances.create(i);
            });
    out.add("resource_instances.create(document:report)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_instances.create(report_instance());
            });
    out.add("resource_instances.get(document:report)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_instances.get("document:report");
            });
    out.add("resource_instances.list(document)", [](permit::client& p) -> asio::awaitable<void> {
        const permit::resource_instance_list_query q{.tenant = "default", .resource = "document"};
        co_await p.resource_instances.list(q);
    });
    out.add("resource_instances.update(document:report)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_instances.update("document:report", report_update());
            });
    out.add("relationship_tuples.create", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.relationship_tuples.create(tuple_create("document:report"));
    });
    out.add("relationship_tuples.list", [](permit::client& p) -> asio::awaitable<void> {
        const permit::relationship_tuple_list_query q{.tenant = "default",
                                                      .subject = "folder:finance",
                                                      .relation = "parent",
                                                      .object_type = "document"};
        co_await p.relationship_tuples.list(q);
    });
    out.add("relationship_tuples.remove", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.relationship_tuples.remove(tuple_delete("document:report"));
    });
    out.add("relationship_tuples.bulk_create", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.relationship_tuples.bulk_create(tuple_creates());
    });
    out.add("relationship_tuples.bulk_remove", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.relationship_tuples.bulk_remove(tuple_deletes());
    });
    out.add("role_assignments.assign(resource_instance)",
            [](permit::client& p) -> asio::awaitable<void> {
                const permit::role_assignment_create a{.user = "alice",
                                                       .role = "editor",
                                                       .tenant = "default",
                                                       .resource_instance = "folder:finance"};
                co_await p.role_assignments.assign(a);
            });
    out.add("role_assignments.unassign(resource_instance)",
            [](permit::client& p) -> asio::awaitable<void> {
                const permit::role_assignment_remove a{.user = "alice",
                                                       .role = "editor",
                                                       .tenant = "default",
                                                       .resource_instance = "folder:finance"};
                co_await p.role_assignments.unassign(a);
            });
    out.add("tenants.remove_user(default,bob)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.tenants.remove_user("default", "bob");
    });

    // Removals, the instance first: what depends on the schema goes before it.
    out.add("resource_instances.remove(document:report)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_instances.remove("document:report");
            });
    out.add("resource_roles.remove(document,editor)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_roles.remove("document", "editor");
            });
    out.add("resource_relations.remove(document,parent)",
            [](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_relations.remove("document", "parent");
            });
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    constexpr std::string_view program = "wire-rebac-cpp";
    const auto url = wire::api_url(argc, argv, program);
    asio::io_context ioc;
    permit::client client(ioc.get_executor(), wire::config(url, "permit_key_emulator"));
    return wire::run(ioc, program, client, calls(), client);
}
