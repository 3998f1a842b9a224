// The per-operation templates the library's own calls instantiate: the decoding of each result,
// the coroutine that awaits it for `permit::use_awaitable`, and the JSON text of each request body.
// Under PERMIT_SEPARATE_COMPILATION they are declared extern here, so that a user's translation
// unit only calls them, and <permit/src.hpp> instantiates them once. Header-only, nothing changes.
#pragma once

#include <permit/api/action_groups.hpp>
#include <permit/api/api_keys.hpp>
#include <permit/api/condition_set_rules.hpp>
#include <permit/api/condition_sets.hpp>
#include <permit/api/elements.hpp>
#include <permit/api/environments.hpp>
#include <permit/api/implicit_grants.hpp>
#include <permit/api/pdp.hpp>
#include <permit/api/projects.hpp>
#include <permit/api/raw.hpp>
#include <permit/api/relationship_tuples.hpp>
#include <permit/api/resource_attributes.hpp>
#include <permit/api/resource_instances.hpp>
#include <permit/api/resource_relations.hpp>
#include <permit/api/resource_roles.hpp>
#include <permit/api/resources.hpp>
#include <permit/api/role_assignments.hpp>
#include <permit/api/roles.hpp>
#include <permit/api/tenants.hpp>
#include <permit/api/users.hpp>
#include <permit/detail/engine.hpp>

// X(result type, decoder type): every result of an operation, with its decoder.
#define PERMIT_DETAIL_DECODED_RESULTS(X)                                                          \
    X(::permit::user, ::permit::detail::json_decoder<::permit::user>)                             \
    X(::permit::page<::permit::user>, ::permit::detail::list_decoder<::permit::user>)             \
    X(::permit::user_sync_result, ::permit::detail::user_sync_decoder)                            \
    X(::permit::tenant, ::permit::detail::json_decoder<::permit::tenant>)                         \
    X(::permit::page<::permit::tenant>, ::permit::detail::list_decoder<::permit::tenant>)         \
    X(::permit::role, ::permit::detail::json_decoder<::permit::role>)                             \
    X(::permit::page<::permit::role>, ::permit::detail::list_decoder<::permit::role>)             \
    X(::permit::resource, ::permit::detail::json_decoder<::permit::resource>)                     \
    X(::permit::page<::permit::resource>, ::permit::detail::list_decoder<::permit::resource>)     \
    X(::permit::role_assignment, ::permit::detail::json_decoder<::permit::role_assignment>)       \
    X(::permit::page<::permit::role_assignment>,                                                  \
      ::permit::detail::list_decoder<::permit::role_assignment>)                                  \
    X(::permit::page<::permit::role_assignment_detailed>,                                         \
      ::permit::detail::list_decoder<::permit::role_assignment_detailed>)                         \
    X(::permit::bulk_role_assignment_report,                                                      \
      ::permit::detail::json_decoder<::permit::bulk_role_assignment_report>)                      \
    X(::permit::bulk_role_unassignment_report,                                                    \
      ::permit::detail::json_decoder<::permit::bulk_role_unassignment_report>)                    \
    X(bool, ::permit::detail::check_decoder)                                                      \
    X(::std::vector<bool>, ::permit::detail::bulk_check_decoder)                                  \
    X(::permit::user_permissions, ::permit::detail::user_permissions_decoder)                     \
    X(::std::vector<::permit::tenant_details>, ::permit::detail::all_tenants_decoder)             \
    X(::permit::authorized_users_result,                                                          \
      ::permit::detail::json_decoder<::permit::authorized_users_result>)                          \
    X(::permit::raw_response, ::permit::detail::raw_decoder)                                      \
    X(::permit::resource_instance, ::permit::detail::json_decoder<::permit::resource_instance>)   \
    X(::permit::page<::permit::resource_instance>,                                                \
      ::permit::detail::list_decoder<::permit::resource_instance>)                                \
    X(::permit::relationship_tuple, ::permit::detail::json_decoder<::permit::relationship_tuple>) \
    X(::permit::page<::permit::relationship_tuple>,                                               \
      ::permit::detail::list_decoder<::permit::relationship_tuple>)                               \
    X(::permit::relation, ::permit::detail::json_decoder<::permit::relation>)                     \
    X(::permit::page<::permit::relation>, ::permit::detail::list_decoder<::permit::relation>)     \
    X(::permit::resource_attribute, ::permit::detail::json_decoder<::permit::resource_attribute>) \
    X(::permit::page<::permit::resource_attribute>,                                               \
      ::permit::detail::list_decoder<::permit::resource_attribute>)                               \
    X(::permit::action_group, ::permit::detail::json_decoder<::permit::action_group>)             \
    X(::permit::page<::permit::action_group>,                                                     \
      ::permit::detail::list_decoder<::permit::action_group>)                                     \
    X(::permit::condition_set, ::permit::detail::json_decoder<::permit::condition_set>)           \
    X(::permit::page<::permit::condition_set>,                                                    \
      ::permit::detail::list_decoder<::permit::condition_set>)                                    \
    X(::permit::project, ::permit::detail::json_decoder<::permit::project>)                       \
    X(::permit::page<::permit::project>, ::permit::detail::list_decoder<::permit::project>)       \
    X(::permit::environment, ::permit::detail::json_decoder<::permit::environment>)               \
    X(::permit::page<::permit::environment>,                                                      \
      ::permit::detail::list_decoder<::permit::environment>)                                      \
    X(::permit::resource_role, ::permit::detail::json_decoder<::permit::resource_role>)           \
    X(::std::vector<::permit::resource_role>, ::permit::detail::resource_role_list_decoder)       \
    X(::permit::derived_role_rule, ::permit::detail::json_decoder<::permit::derived_role_rule>)   \
    X(::permit::derivation_settings,                                                              \
      ::permit::detail::json_decoder<::permit::derivation_settings>)                              \
    X(::std::vector<::permit::role_assignment>,                                                   \
      ::permit::detail::json_decoder<::std::vector<::permit::role_assignment>>)                   \
    X(::std::vector<::permit::condition_set_rule>, ::permit::detail::condition_set_rules_decoder) \
    X(::permit::page<::permit::condition_set_rule>,                                               \
      ::permit::detail::list_decoder<::permit::condition_set_rule>)                               \
    X(::permit::api_key, ::permit::detail::api_key_decoder)                                       \
    X(::permit::page<::permit::api_key>, ::permit::detail::api_key_list_decoder)                  \
    X(::permit::elements_login_result,                                                            \
      ::permit::detail::json_decoder<::permit::elements_login_result>)

// X(model): every request body the library's calls serialize.
#define PERMIT_DETAIL_REQUEST_BODIES(X)                \
    X(::permit::user_create)                           \
    X(::permit::user_update)                           \
    X(::permit::user_role_create)                      \
    X(::permit::user_role_remove)                      \
    X(::permit::user_bulk_operation)                   \
    X(::permit::bulk_delete_operation)                 \
    X(::permit::tenant_create)                         \
    X(::permit::tenant_update)                         \
    X(::permit::tenant_bulk_operation)                 \
    X(::permit::role_create)                           \
    X(::permit::role_update)                           \
    X(::permit::role_permissions)                      \
    X(::permit::resource_create)                       \
    X(::permit::resource_update)                       \
    X(::permit::resource_replace)                      \
    X(::permit::role_assignment_create)                \
    X(::std::vector<::permit::role_assignment_create>) \
    X(::permit::role_assignment_remove)                \
    X(::std::vector<::permit::role_assignment_remove>) \
    X(::permit::check_query)                           \
    X(::std::vector<::permit::check_query>)            \
    X(::permit::user_permissions_query)                \
    X(::permit::authorized_users_query)                \
    X(::permit::resource_instance_create)              \
    X(::permit::resource_instance_update)              \
    X(::permit::relationship_tuple_create)             \
    X(::permit::relationship_tuple_delete)             \
    X(::permit::relation_create)                       \
    X(::permit::resource_role_create)                  \
    X(::permit::resource_role_update)                  \
    X(::permit::derived_role_rule_create)              \
    X(::permit::resource_attribute_create)             \
    X(::permit::resource_attribute_update)             \
    X(::permit::action_group_create)                   \
    X(::permit::action_group_update)                   \
    X(::permit::condition_set_create)                  \
    X(::permit::condition_set_update)                  \
    X(::permit::condition_set_rule_create)             \
    X(::permit::condition_set_rule_remove)             \
    X(::permit::project_create)                        \
    X(::permit::project_update)                        \
    X(::permit::environment_create)                    \
    X(::permit::environment_update)                    \
    X(::permit::environment_copy)                      \
    X(::permit::api_key_create)                        \
    X(::permit::elements_login_request)

// `Prefix` is `template` (the definitions, in <permit/src.hpp>) or `extern template`.
#define PERMIT_DETAIL_DECODED_RESULT(Prefix, T, Decoder)                                         \
    Prefix T permit::detail::decode_with<T, Decoder>(const permit::detail::http::response&);     \
    Prefix boost::asio::awaitable<T> permit::detail::await_value<T>(                             \
        permit::detail::client_handle, permit::detail::call_spec, permit::detail::decoder_fn<T>, \
        permit::diagnostics*);
#define PERMIT_DETAIL_REQUEST_BODY(Prefix, Model) \
    Prefix std::string permit::detail::json_text<Model>(const Model&);

#ifdef PERMIT_SEPARATE_COMPILATION
#define PERMIT_DETAIL_EXTERN_RESULT(T, Decoder) \
    PERMIT_DETAIL_DECODED_RESULT(extern template, T, Decoder)
#define PERMIT_DETAIL_EXTERN_BODY(Model) PERMIT_DETAIL_REQUEST_BODY(extern template, Model)
PERMIT_DETAIL_DECODED_RESULTS(PERMIT_DETAIL_EXTERN_RESULT)
PERMIT_DETAIL_REQUEST_BODIES(PERMIT_DETAIL_EXTERN_BODY)
#undef PERMIT_DETAIL_EXTERN_RESULT
#undef PERMIT_DETAIL_EXTERN_BODY
#endif
