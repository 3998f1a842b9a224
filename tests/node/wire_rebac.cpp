// permit-cpp's side of the wire comparison with the official Node SDK: the ReBAC calls of
// wire_rebac.js, the same calls in the same order under the same labels, against a
// permit-emulator started with `--request-log` and `--seed wire_rebac_seed.json`; wire_compare.js
// then sets each call's requests beside the Node SDK's.
//
//   wire-rebac-cpp API_URL
//
// Before each call it sends `GET /wire-call/<label>` (a path the emulator does not serve, so it
// changes nothing): the marker that tells the comparison which requests belong to which call.
// A call that fails is reported and the next one made; the exit status is then 1.
#include <permit/permit.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <exception>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;

namespace {

using step = std::function<asio::awaitable<void>(permit::client&)>;

// The label as one path segment: every byte but the unreserved ones percent-encoded (the
// comparison decodes it).
std::string encode_segment(const std::string& label) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : label) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

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
std::vector<std::pair<std::string, step>> calls() {
    std::vector<std::pair<std::string, step>> out;
    auto add = [&](std::string label, step s) { out.emplace_back(std::move(label), std::move(s)); };

    // The schema of a resource type: relations, roles, derivation rules, attributes, action
    // groups.
    add("resource_relations.create(document,parent)",
        [](permit::client& p) -> asio::awaitable<void> {
            const permit::relation_create r{.key = "parent",
                                            .name = "Parent",
                                            .subject_resource = "folder",
                                            .description = "The folder it is in"};
            co_await p.resource_relations.create("document", r);
        });
    add("resource_relations.get(document,parent)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_relations.get("document", "parent");
    });
    add("resource_relations.list(document)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_relations.list("document");
    });
    add("resource_roles.create(folder,editor)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_roles.create("folder", folder_editor());
    });
    add("resource_roles.create(document,editor)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_roles.create("document", document_editor());
    });
    add("resource_roles.get(document,editor)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_roles.get("document", "editor");
    });
    add("resource_roles.list(document)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_roles.list("document");
    });
    add("resource_roles.update(document,editor)", [](permit::client& p) -> asio::awaitable<void> {
        const permit::resource_role_update u{.description = "Edits and reads"};
        co_await p.resource_roles.update("document", "editor", u);
    });
    add("resource_roles.assign_permissions(document,editor)",
        [](permit::client& p) -> asio::awaitable<void> {
            co_await p.resource_roles.assign_permissions("document", "editor", write_and_share());
        });
    add("resource_roles.remove_permissions(document,editor)",
        [](permit::client& p) -> asio::awaitable<void> {
            co_await p.resource_roles.remove_permissions("document", "editor", share_only());
        });
    add("implicit_grants.create(document,editor)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.implicit_grants.create("document", "editor", from_parent_folder());
    });
    add("implicit_grants.set_conditions(document,editor)",
        [](permit::client& p) -> asio::awaitable<void> {
            const permit::derivation_settings when{.no_direct_roles_on_object = true};
            co_await p.implicit_grants.set_conditions("document", "editor", when);
        });
    add("implicit_grants.remove(document,editor)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.implicit_grants.remove("document", "editor", from_parent_folder());
    });
    for (const std::string resource :
         {std::string("document"), std::string(permit::user_resource_key)}) {
        const std::string key = resource == "document" ? "classification" : "department";
        add("resource_attributes.create(" + resource + ")",
            [resource, key](permit::client& p) -> asio::awaitable<void> {
                const permit::resource_attribute_create a{
                    .key = key, .type = "string", .description = "The " + key};
                co_await p.resource_attributes.create(resource, a);
            });
        add("resource_attributes.get(" + resource + "," + key + ")",
            [resource, key](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_attributes.get(resource, key);
            });
        add("resource_attributes.list(" + resource + ")",
            [resource](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_attributes.list(resource);
            });
        add("resource_attributes.update(" + resource + "," + key + ")",
            [resource, key](permit::client& p) -> asio::awaitable<void> {
                const permit::resource_attribute_update u{.description = "Its " + key};
                co_await p.resource_attributes.update(resource, key, u);
            });
        add("resource_attributes.remove(" + resource + "," + key + ")",
            [resource, key](permit::client& p) -> asio::awaitable<void> {
                co_await p.resource_attributes.remove(resource, key);
            });
    }
    add("action_groups.create(document)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.action_groups.create("document", editing_group());
    });
    add("action_groups.get(document,editing)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.action_groups.get("document", "editing");
    });
    add("action_groups.list(document)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.action_groups.list("document");
    });
    add("action_groups.update(document,editing)", [](permit::client& p) -> asio::awaitable<void> {
        const permit::action_group_update u{.name = "Editing documents"};
        co_await p.action_groups.update("document", "editing", u);
    });
    add("action_groups.remove(document,editing)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.action_groups.remove("document", "editing");
    });

    // The facts: instances, tuples, instance roles, a tenant's user.
    add("resource_instances.create(folder:finance)",
        [](permit::client& p) -> asio::awaitable<void> {
            const permit::resource_instance_create i{
                .key = "finance", .tenant = "default", .resource = "folder"};
            co_await p.resource_instances.create(i);
        });
    add("resource_instances.create(document:report)",
        [](permit::client& p) -> asio::awaitable<void> {
            co_await p.resource_instances.create(report_instance());
        });
    add("resource_instances.get(document:report)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_instances.get("document:report");
    });
    add("resource_instances.list(document)", [](permit::client& p) -> asio::awaitable<void> {
        const permit::resource_instance_list_query q{.tenant = "default", .resource = "document"};
        co_await p.resource_instances.list(q);
    });
    add("resource_instances.update(document:report)",
        [](permit::client& p) -> asio::awaitable<void> {
            co_await p.resource_instances.update("document:report", report_update());
        });
    add("relationship_tuples.create", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.relationship_tuples.create(tuple_create("document:report"));
    });
    add("relationship_tuples.list", [](permit::client& p) -> asio::awaitable<void> {
        const permit::relationship_tuple_list_query q{.tenant = "default",
                                                      .subject = "folder:finance",
                                                      .relation = "parent",
                                                      .object_type = "document"};
        co_await p.relationship_tuples.list(q);
    });
    add("relationship_tuples.remove", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.relationship_tuples.remove(tuple_delete("document:report"));
    });
    add("relationship_tuples.bulk_create", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.relationship_tuples.bulk_create(tuple_creates());
    });
    add("relationship_tuples.bulk_remove", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.relationship_tuples.bulk_remove(tuple_deletes());
    });
    add("role_assignments.assign(resource_instance)",
        [](permit::client& p) -> asio::awaitable<void> {
            const permit::role_assignment_create a{.user = "alice",
                                                   .role = "editor",
                                                   .tenant = "default",
                                                   .resource_instance = "folder:finance"};
            co_await p.role_assignments.assign(a);
        });
    add("role_assignments.unassign(resource_instance)",
        [](permit::client& p) -> asio::awaitable<void> {
            const permit::role_assignment_remove a{.user = "alice",
                                                   .role = "editor",
                                                   .tenant = "default",
                                                   .resource_instance = "folder:finance"};
            co_await p.role_assignments.unassign(a);
        });
    add("tenants.remove_user(default,bob)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.tenants.remove_user("default", "bob");
    });

    // Removals, the instance first: what depends on the schema goes before it.
    add("resource_instances.remove(document:report)",
        [](permit::client& p) -> asio::awaitable<void> {
            co_await p.resource_instances.remove("document:report");
        });
    add("resource_roles.remove(document,editor)", [](permit::client& p) -> asio::awaitable<void> {
        co_await p.resource_roles.remove("document", "editor");
    });
    add("resource_relations.remove(document,parent)",
        [](permit::client& p) -> asio::awaitable<void> {
            co_await p.resource_relations.remove("document", "parent");
        });
    return out;
}

// Makes every call after its marker; returns how many failed.
asio::awaitable<int> run(permit::client& p) {
    const auto steps = calls();
    int failed = 0;
    for (const auto& [label, call] : steps) {
        // The emulator answers the marker 404: an error here, and expected.
        const permit::raw_request marker{.target = "/wire-call/" + encode_segment(label)};
        co_await p.request(marker, asio::as_tuple(asio::use_awaitable));
        try {
            co_await call(p);
        } catch (const std::exception& e) {
            ++failed;
            std::cerr << "wire-rebac-cpp: " << label << " failed: " << e.what() << "\n";
        }
    }
    std::cout << "wire-rebac-cpp: " << steps.size() << " calls, " << failed << " failed"
              << std::endl;
    co_return failed;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: wire-rebac-cpp API_URL\n";
        return 2;
    }
    permit::config cfg;
    cfg.api_key = "permit_key_emulator";
    cfg.api_url = argv[1];
    asio::io_context ioc;
    permit::client client(ioc.get_executor(), cfg);
    int failed = -1;
    asio::co_spawn(ioc, run(client), [&](std::exception_ptr e, int n) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::cerr << "wire-rebac-cpp: " << x.what() << "\n";
            }
        }
        failed = e ? -1 : n;
    });
    ioc.run();
    return failed == 0 ? 0 : 1;
}
