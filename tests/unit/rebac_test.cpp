// The emulator's ReBAC decisions without a server (rebac_graph.hpp): the decision cases of
// Permit's docs and of permit-python's tests against the live API, each named after its source,
// and cases of our own (derivation through two and three hops, a cycle of tuples, a tuple or an
// instance removed, a user with no relation).
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include <permit/testing/detail/rebac_graph.hpp>

namespace rebac = permit::testing::detail::rebac;

namespace {

using rule = rebac::derivation_rule;

/// Schema G: the Google Drive model of https://docs.permit.io/modeling/google-drive.
/// file {read, comment, update, delete}, folder {list-files, create-file, rename};
/// file.parent -> folder; file#X <- folder#X via parent for viewer, commenter, editor.
/// Instances file:2023_report and folder:finance in `default`; tuple (folder:finance, parent,
/// file:2023_report); john viewer on the file; jane editor on the folder.
rebac::graph schema_g() {
    rebac::graph g;
    auto via_parent = [](const std::string& role) {
        return std::vector<rule>{{.role = role, .on_resource = "folder", .relation = "parent"}};
    };
    g.set_roles(
        "file",
        {{"viewer", {.actions = {"read"}, .derived_from = via_parent("viewer")}},
         {"commenter", {.actions = {"read", "comment"}, .derived_from = via_parent("commenter")}},
         {"editor",
          {.actions = {"read", "comment", "update", "delete"},
           .derived_from = via_parent("editor")}}});
    g.set_roles("folder", {{"viewer", {.actions = {"list-files"}}},
                           {"commenter", {.actions = {"list-files"}}},
                           {"editor", {.actions = {"list-files", "create-file", "rename"}}}});
    g.put_instance("file:2023_report", "default");
    g.put_instance("folder:finance", "default");
    g.put_instance("file:other", "other");
    g.add_tuple("folder:finance", "parent", "file:2023_report");
    g.assign("john", "viewer", "file:2023_report");
    g.assign("jane", "editor", "folder:finance");
    return g;
}

/// Schema P: permit-python `tests/test_rebac_e2e.py`. `editor_superseded`: Folder#editor's
/// block-level `when.no_direct_roles_on_object` (the test's pre-hook sets it to false for case 8).
rebac::graph schema_p(bool editor_superseded) {
    rebac::graph g;
    g.set_roles("Account",
                {{"admin",
                  {.actions = {"create", "invite-user", "delete", "view-members", "create-folder",
                               "create-document"}}},
                 {"member", {.actions = {"view-members", "create-folder", "create-document"}}}});
    g.set_roles(
        "Folder",
        {{"viewer", {.actions = {"read"}}},
         {"commenter",
          {.actions = {"read", "rename"},
           .derived_from = {{.role = "member",
                             .on_resource = "Account",
                             .relation = "account",
                             .superseded_by_direct_role = true}}}},
         {"editor",
          {.actions = {"read", "rename", "delete", "create-document"},
           .derived_from = {{.role = "admin", .on_resource = "Account", .relation = "account"}},
           .superseded_by_direct_role = editor_superseded}}});
    auto via_parent = [](const std::string& role) {
        return std::vector<rule>{{.role = role, .on_resource = "Folder", .relation = "parent"}};
    };
    g.set_roles(
        "Document",
        {{"viewer", {.actions = {"read"}, .derived_from = via_parent("viewer")}},
         {"commenter", {.actions = {"read", "comment"}, .derived_from = via_parent("commenter")}},
         {"editor",
          {.actions = {"read", "comment", "update", "delete"},
           .derived_from = via_parent("editor")}}});
    for (const char* i : {"Account:permitio", "Folder:finance", "Folder:rnd", "Document:budget23",
                          "Document:june-expenses", "Document:architecture", "Document:opal"})
        g.put_instance(i, "permit");
    for (const char* i : {"Account:cocacola", "Folder:recipes", "Document:secret-recipe"})
        g.put_instance(i, "cocacola");
    g.add_tuple("Folder:finance", "parent", "Document:budget23");
    g.add_tuple("Folder:finance", "parent", "Document:june-expenses");
    g.add_tuple("Folder:rnd", "parent", "Document:architecture");
    g.add_tuple("Folder:rnd", "parent", "Document:opal");
    g.add_tuple("Account:permitio", "account", "Folder:finance");
    g.add_tuple("Account:permitio", "account", "Folder:rnd");
    g.add_tuple("Folder:recipes", "parent", "Document:secret-recipe");
    g.add_tuple("Account:cocacola", "account", "Folder:recipes");
    return g;
}

struct check_case {
    std::string user, action, type, key, tenant;
    bool expected;
};

void check_all(const rebac::graph& g, const std::vector<check_case>& cases) {
    for (const auto& c : cases)
        BOOST_TEST(g.allows(c.user, c.action, c.type, c.key, c.tenant) == c.expected,
                   c.user << " " << c.action << " " << c.type << ":" << c.key << "@" << c.tenant);
}

const std::vector<std::string> document_actions = {"read", "comment", "update", "delete"};
const std::vector<std::string> documents_of_permitio = {"architecture", "opal", "budget23",
                                                        "june-expenses"};

}  // namespace

BOOST_AUTO_TEST_SUITE(emulator_rebac)

// ----- the reference's cases -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(google_drive_docs_cases_1_to_5) {
    const auto g = schema_g();
    check_all(g, {
                     // 1, 2: docs/modeling/google-drive "john" (a direct viewer)
                     {"john", "read", "file", "2023_report", "default", true},
                     {"john", "update", "file", "2023_report", "default", false},
                     // 3: "jane", editor of the parent folder
                     {"jane", "update", "file", "2023_report", "default", true},
                     // 4: no key, no instance: ReBAC grants nothing
                     {"jane", "update", "file", "", "default", false},
                     // 5: another tenant than the instance's
                     {"jane", "update", "file", "2023_report", "other", false},
                 });
}

BOOST_AUTO_TEST_CASE(permit_python_rebac_e2e_case_6_a_direct_document_role) {
    auto g = schema_p(false);
    g.assign("asaf", "viewer", "Document:architecture");
    check_all(g, {{"asaf", "read", "Document", "architecture", "permit", true},
                  {"asaf", "comment", "Document", "architecture", "permit", false},
                  {"asaf", "comment", "Document", "opal", "permit", false}});
}

BOOST_AUTO_TEST_CASE(permit_python_rebac_e2e_case_7_a_folder_role_derived_to_its_documents) {
    auto g = schema_p(false);
    g.assign("asaf", "commenter", "Folder:rnd");
    check_all(g, {{"asaf", "read", "Folder", "rnd", "permit", true},
                  {"asaf", "read", "Document", "architecture", "permit", true},
                  {"asaf", "comment", "Document", "architecture", "permit", true},
                  {"asaf", "read", "Document", "opal", "permit", true},
                  {"asaf", "comment", "Document", "opal", "permit", true},
                  {"asaf", "update", "Document", "architecture", "permit", false},
                  {"asaf", "read", "Document", "budget23", "permit", false}});
}

BOOST_AUTO_TEST_CASE(permit_python_rebac_e2e_cases_8_and_9_two_hops_and_another_tenant) {
    auto g = schema_p(false);
    g.assign("asaf", "admin", "Account:permitio");
    BOOST_TEST(g.allows("asaf", "invite-user", "Account", "permitio", "permit"));
    for (const auto& doc : documents_of_permitio)
        for (const auto& action : document_actions)
            BOOST_TEST(g.allows("asaf", action, "Document", doc, "permit"), action << " " << doc);
    // 9
    BOOST_TEST(!g.allows("asaf", "read", "Document", "secret-recipe", "cocacola"));
}

BOOST_AUTO_TEST_CASE(permit_python_rebac_e2e_case_10_member_to_commenter_to_commenter) {
    auto g = schema_p(false);
    g.assign("auth0|john", "member", "Account:cocacola");
    check_all(g, {{"auth0|john", "read", "Document", "secret-recipe", "cocacola", true},
                  {"auth0|john", "comment", "Document", "secret-recipe", "cocacola", true}});
}

BOOST_AUTO_TEST_CASE(permit_python_rebac_e2e_case_11_a_direct_role_supersedes_the_derived_block) {
    auto g = schema_p(true);
    g.assign("asaf", "admin", "Account:permitio");
    g.assign("asaf", "viewer", "Folder:rnd");
    check_all(g, {{"asaf", "read", "Folder", "rnd", "permit", true},
                  {"asaf", "rename", "Folder", "rnd", "permit", false},
                  {"asaf", "delete", "Folder", "rnd", "permit", false},
                  {"asaf", "create-document", "Folder", "rnd", "permit", false},
                  // Folder:finance has no direct role: the derivation applies there.
                  {"asaf", "rename", "Folder", "finance", "permit", true}});
}

BOOST_AUTO_TEST_CASE(permit_python_rebac_e2e_case_12_a_direct_role_supersedes_the_derived_rule) {
    auto g = schema_p(false);
    g.assign("asaf", "member", "Account:permitio");
    g.assign("asaf", "viewer", "Folder:rnd");
    check_all(g, {{"asaf", "read", "Folder", "rnd", "permit", true},
                  {"asaf", "rename", "Folder", "rnd", "permit", false},
                  {"asaf", "rename", "Folder", "finance", "permit", true}});
}

// ----- our own ---------------------------------------------------------------------------------

/// folder:f0 <- f1 <- ... <- fN (each the parent of the next) and a document under fN.
rebac::graph nested_folders(int depth) {
    rebac::graph g;
    g.set_roles(
        "folder",
        {{"editor",
          {.actions = {"rename"},
           .derived_from = {{.role = "editor", .on_resource = "folder", .relation = "parent"}}}}});
    g.set_roles(
        "document",
        {{"editor",
          {.actions = {"edit"},
           .derived_from = {{.role = "editor", .on_resource = "folder", .relation = "parent"}}}}});
    for (int i = 0; i <= depth; ++i) g.put_instance("folder:f" + std::to_string(i), "default");
    for (int i = 1; i <= depth; ++i)
        g.add_tuple("folder:f" + std::to_string(i - 1), "parent", "folder:f" + std::to_string(i));
    g.put_instance("document:d", "default");
    g.add_tuple("folder:f" + std::to_string(depth), "parent", "document:d");
    g.assign("ann", "editor", "folder:f0");
    return g;
}

BOOST_AUTO_TEST_CASE(a_role_derives_through_two_and_three_hops) {
    for (int depth : {1, 2, 50}) {
        const auto g = nested_folders(depth);
        BOOST_TEST(g.allows("ann", "edit", "document", "d", "default"), "depth " << depth);
        BOOST_TEST(g.allows("ann", "rename", "folder", "f" + std::to_string(depth), "default"));
        BOOST_TEST(!g.allows("bob", "edit", "document", "d", "default"));
        BOOST_TEST(g.roles_of("ann", "document:d") == rebac::graph::role_set{"editor"});
    }
}

BOOST_AUTO_TEST_CASE(a_cycle_of_tuples_ends_and_grants_what_its_paths_grant) {
    auto g = nested_folders(2);
    // f2 -> f0 closes a cycle f0 -> f1 -> f2 -> f0.
    BOOST_TEST(g.add_tuple("folder:f2", "parent", "folder:f0"));
    BOOST_TEST(g.allows("ann", "edit", "document", "d", "default"));
    BOOST_TEST(!g.allows("bob", "rename", "folder", "f1", "default"));
    g.assign("bob", "editor", "folder:f1");
    BOOST_TEST(g.allows("bob", "rename", "folder", "f0", "default"));  // f1 -> f2 -> f0
    BOOST_TEST(g.allows("bob", "edit", "document", "d", "default"));
}

BOOST_AUTO_TEST_CASE(linked_users_name_the_root_assignment_of_each_user) {
    auto g = nested_folders(2);
    g.assign("bob", "editor", "document:d");
    g.assign("cy", "editor", "folder:f1");
    g.assign("dee", "editor", "folder:elsewhere");  // no path to the document
    using assignments = std::set<rebac::graph::assignment>;
    const auto users = g.linked_users("edit", "document", "d", "default");
    BOOST_TEST(users.size() == 3u);
    // Derived through the folders: the assignment it comes from, not the document.
    BOOST_TEST((users.at("ann") == assignments{{"folder:f0", "editor"}}));
    BOOST_TEST((users.at("cy") == assignments{{"folder:f1", "editor"}}));
    BOOST_TEST((users.at("bob") == assignments{{"document:d", "editor"}}));
    BOOST_TEST(!users.contains("dee"));
    // Each one is someone `allows` lets in, and nobody else is.
    for (const auto& [user, roots] : users)
        BOOST_TEST(g.allows(user, "edit", "document", "d", "default"));
    BOOST_TEST(!g.allows("dee", "edit", "document", "d", "default"));
    // No key, another tenant, an unknown instance: nobody.
    BOOST_TEST(g.linked_users("edit", "document", "", "default").empty());
    BOOST_TEST(g.linked_users("edit", "document", "d", "other").empty());
    BOOST_TEST(g.linked_users("edit", "document", "missing", "default").empty());
    // A tuple removed cuts the users above it.
    BOOST_TEST(g.remove_tuple("folder:f1", "parent", "folder:f2"));
    const auto after = g.linked_users("edit", "document", "d", "default");
    BOOST_TEST(after.size() == 1u);
    BOOST_TEST(after.contains("bob"));
}

BOOST_AUTO_TEST_CASE(removing_a_tuple_takes_the_permission_it_carried) {
    auto g = nested_folders(2);
    BOOST_TEST(g.tuple_count() == 3u);
    BOOST_TEST(g.remove_tuple("folder:f1", "parent", "folder:f2"));
    BOOST_TEST(!g.remove_tuple("folder:f1", "parent", "folder:f2"));
    BOOST_TEST(g.tuple_count() == 2u);
    BOOST_TEST(!g.allows("ann", "edit", "document", "d", "default"));
    BOOST_TEST(g.allows("ann", "rename", "folder", "f1", "default"));
}

BOOST_AUTO_TEST_CASE(removing_an_instance_takes_its_tuples_and_its_role_assignments) {
    auto g = nested_folders(2);
    g.assign("bob", "editor", "folder:f1");
    g.remove_instance("folder:f1");
    BOOST_TEST(g.tuple_count() == 1u);  // f2 -> d is left
    BOOST_TEST(!g.has_tuple("folder:f0", "parent", "folder:f1"));
    BOOST_TEST(!g.has_tuple("folder:f1", "parent", "folder:f2"));
    BOOST_TEST(!g.allows("ann", "edit", "document", "d", "default"));
    // Recreated, it has neither its tuples nor bob's role.
    g.put_instance("folder:f1", "default");
    BOOST_TEST(g.roles_of("bob", "folder:f1").empty());
    BOOST_TEST(!g.allows("ann", "rename", "folder", "f1", "default"));
}

BOOST_AUTO_TEST_CASE(roles_extend_and_grant_only_their_own_type_s_actions) {
    rebac::graph g;
    g.set_roles("repo", {{"reader", {.actions = {"read"}}},
                         {"maintainer", {.actions = {"push"}, .extends = {"reader"}}}});
    g.set_roles("issue", {{"reader", {.actions = {"comment"}}}});
    g.put_instance("repo:r", "default");
    g.put_instance("issue:i", "default");
    g.assign("ann", "maintainer", "repo:r");
    BOOST_TEST(g.allows("ann", "read", "repo", "r", "default"));
    BOOST_TEST(g.allows("ann", "push", "repo", "r", "default"));
    BOOST_TEST(!g.allows("ann", "comment", "issue", "i", "default"));
    BOOST_TEST(!g.allows("ann", "read", "repo", "elsewhere", "default"));  // no such instance
}

BOOST_AUTO_TEST_CASE(unassigning_and_removing_a_user_take_their_roles) {
    auto g = schema_g();
    BOOST_TEST(g.unassign("john", "viewer", "file:2023_report"));
    BOOST_TEST(!g.unassign("john", "viewer", "file:2023_report"));
    BOOST_TEST(!g.allows("john", "read", "file", "2023_report", "default"));
    g.remove_user("jane");
    BOOST_TEST(!g.allows("jane", "update", "file", "2023_report", "default"));
    BOOST_TEST(g.roles_of("jane", "folder:finance").empty());
}

BOOST_AUTO_TEST_SUITE_END()
