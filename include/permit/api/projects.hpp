// permit.projects: the projects of the organization (`/v2/projects`).
#pragma once

#include <permit/api/keyed_collection.hpp>
#include <permit/models/project.hpp>

#include <string_view>

namespace permit {

namespace detail {
struct project_traits {
    using create_type = project_create;
    using read_type = project;
    using update_type = project_update;
    using query_type = page_query;
    static constexpr path_base base = path_base::none;
    static constexpr std::string_view collection = "/v2/projects";
    static void add_filters(query_builder&, const page_query&) {}
};
}  // namespace detail

/// The projects of the organization of the client's API key. Reached as `client.projects`.
///
/// `create`, `get`, `list`, `update` and `remove` work on `/v2/projects` (see
/// `permit::keyed_collection_api`), whatever the level of the key: none of them needs the
/// project and environment of the key's scope. A project is named by its key or its id.
/// `create` makes the project's environments too (`project_create::initial_environments`; the
/// API's default: `dev` and `production`) and takes an organization-level key; `update` and
/// `remove` take a key of the organization or of the project; `remove` deletes the project with
/// all its environments and their data. `list` answers a bare array: `total_count` is the page's
/// size.
///
/// Their completion signatures: `create(const project_create&)`, `get(key)` and
/// `update(key, const project_update&)` complete with `void(error_code, permit::project)`;
/// `list(const page_query& = {})` with `void(error_code, permit::page<permit::project>)`;
/// `remove(key)` with `void(error_code)`. `list_all(page_query = {})` returns a
/// `permit::pager<permit::project>`. A key the project has: `error::conflict`; a key whose level
/// or access does not reach the project: `error::forbidden`.
///
/// Completion tokens, the `diagnostics&` overloads, errors, cancellation and thread safety are
/// as for every operation (see `permit::client`).
class projects_api : public keyed_collection_api<detail::project_traits> {
  private:
    // Made by `permit::client`: the calls go through the client that `impl` refers to.
    friend class permit::client_view;
    explicit projects_api(detail::client_handle impl) : keyed_collection_api(std::move(impl)) {}
};

}  // namespace permit
