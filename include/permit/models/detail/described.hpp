#pragma once

// The JSON conversions of a model, generated from its one description (Boost.Describe): each field
// is named once, in the model's `PERMIT_DESCRIBE_MODEL`, and how it is read and written follows
// from its type and from the model's kind:
//
// - `std::optional<T>`: may be absent or null (unset); written only when set.
// - a container (`std::vector`, `std::map`, `boost::json::object`, `boost::json::array`): absent
//   or null reads as empty; a request body leaves an empty one out (the API takes a present field
//   as a value to store), a reply writes it. Listed in the model's `required`: must be present,
//   and is always written.
// - anything else: required. Listed in the model's `defaulted`: absent or null reads as the
//   member's default (its initializer, else the type's default).
// - a member `boost::json::object unknown_fields`, left out of the description: the fields of a
//   reply that the model does not know, kept on read and written back after the known ones, so
//   that a read-modify-write loses nothing a newer API added.
//
// Errors are `permit::model_error`s with the full path of the field, as for every model.

#include <permit/models/detail/json_fields.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/members.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <bitset>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

namespace permit::detail {

/// Whether a model is a request body or a reply (see above).
enum class model_kind { request, reply };

/// A model's name (for errors), kind, and the exceptions to the rules by type: `required` and
/// `defaulted` are field names separated by spaces.
struct model_rules {
    std::string_view name;
    model_kind kind;
    std::string_view required = {};
    std::string_view defaulted = {};

    static constexpr bool lists(std::string_view names, std::string_view field) noexcept {
        for (std::size_t at = 0; at <= names.size();) {
            const auto end = std::min(names.find(' ', at), names.size());
            if (names.substr(at, end - at) == field) return true;
            at = end + 1;
        }
        return false;
    }
    constexpr bool is_required(std::string_view field) const noexcept {
        return lists(required, field);
    }
    constexpr bool is_defaulted(std::string_view field) const noexcept {
        return lists(defaulted, field);
    }
};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
inline constexpr bool is_container_v =
    is_std_vector<T>::value || is_string_map<T>::value || std::is_same_v<T, boost::json::object> ||
    std::is_same_v<T, boost::json::array>;

/// A type described with `PERMIT_DESCRIBE_MODEL`.
template <class T>
concept described_model = requires(const T* p) {
    { permit_model_rules(p) } -> std::same_as<model_rules>;
};

template <class T>
concept keeps_unknown_fields = requires(T& t) {
    { t.unknown_fields } -> std::same_as<boost::json::object&>;
};

template <class T>
using model_members = boost::describe::describe_members<T, boost::describe::mod_public>;

/// The rules of the described model `T`.
template <class T>
inline constexpr model_rules rules_of = permit_model_rules(static_cast<const T*>(nullptr));

template <class T>
inline constexpr std::size_t member_count_v = boost::mp11::mp_size<model_members<T>>::value;

/// The names of `T`'s described members, in their order.
template <class T>
inline constexpr std::array<std::string_view, member_count_v<T>> member_names = [] {
    std::array<std::string_view, member_count_v<T>> out{};
    std::size_t i = 0;
    boost::mp11::mp_for_each<model_members<T>>([&](auto member) { out[i++] = member.name; });
    return out;
}();

/// The index of `T`'s member named `key`, or `member_count_v<T>` when none is.
template <class T>
std::size_t member_index(std::string_view key) noexcept {
    for (std::size_t i = 0; i < member_count_v<T>; ++i)
        if (member_names<T>[i] == key) return i;
    return member_count_v<T>;
}

/// Reads `out`'s member number `index` from `v`, its value in the object (possibly null).
template <class T>
void read_present_member(const field_reader& in, std::size_t index, const boost::json::value& v,
                         T& out) {
    boost::mp11::mp_with_index<member_count_v<T>>(index, [&](auto i) {
        using member = boost::mp11::mp_at_c<model_members<T>, i>;
        constexpr std::string_view name = member::name;
        auto& m = out.*member::pointer;
        using M = std::remove_reference_t<decltype(m)>;
        if constexpr (is_optional<M>::value) {
            if (!v.is_null()) m = in.value_of<typename M::value_type>(name, v);
        } else if constexpr (is_container_v<M> && !rules_of<T>.is_required(name)) {
            // A container reads null as empty, unless it is required.
            if (!v.is_null()) m = in.value_of<M>(name, v);
        } else if constexpr (!is_container_v<M> && rules_of<T>.is_defaulted(name)) {
            // A defaulted field reads null as its default.
            if (!v.is_null()) m = in.value_of<M>(name, v);
        } else {
            // For a required field, a null is a type error.
            m = in.value_of<M>(name, v);
        }
    });
}

/// Settles each of `out`'s members that `present` does not hold: unset, empty, its default, or
/// the error of a missing required field.
template <class T>
void read_absent_members(const field_reader& in, const std::bitset<member_count_v<T>>& present,
                         T& out) {
    std::size_t index = 0;
    boost::mp11::mp_for_each<model_members<T>>([&](auto member) {
        if (present.test(index++)) return;
        constexpr std::string_view name = decltype(member)::name;
        auto& m = out.*member.pointer;
        using M = std::remove_reference_t<decltype(m)>;
        if constexpr (is_optional<M>::value) {
            m.reset();
        } else if constexpr (is_container_v<M>) {
            if (rules_of<T>.is_required(name)) in.throw_missing(name);
            m = M{};
        } else if constexpr (!rules_of<T>.is_defaulted(name)) {
            in.throw_missing(name);
        }
    });
}

template <class M>
void write_member(boost::json::object& out, std::string_view name, const M& m,
                  const model_rules& rules) {
    if constexpr (is_optional<M>::value) {
        if (m) out.insert_or_assign(name, boost::json::value_from(*m, out.storage()));
    } else if constexpr (is_container_v<M>) {
        if (m.empty() && rules.kind == model_kind::request && !rules.is_required(name)) return;
        out.insert_or_assign(name, boost::json::value_from(m, out.storage()));
    } else {
        out.insert_or_assign(name, boost::json::value_from(m, out.storage()));
    }
}

}  // namespace permit::detail

namespace permit {

/// Boost.JSON conversion (`boost::json::value_from`) of every described model: its fields by the
/// rules above, then its unknown fields.
template <detail::described_model T>
void tag_invoke(boost::json::value_from_tag, boost::json::value& jv, const T& v) {
    constexpr detail::model_rules rules = permit_model_rules(static_cast<const T*>(nullptr));
    auto& out = jv.emplace_object();
    boost::mp11::mp_for_each<detail::model_members<T>>(
        [&](auto member) { detail::write_member(out, member.name, v.*member.pointer, rules); });
    if constexpr (detail::keeps_unknown_fields<T>) {
        for (const auto& field : v.unknown_fields)
            if (!out.contains(field.key())) out.emplace(field.key(), field.value());
    }
}

/// Boost.JSON conversion (`boost::json::value_to`) of every described model. Throws
/// `permit::model_error` when `jv` is not an object, a required field is missing, or a field has
/// the wrong type; fields the model does not know are ignored, or kept in `unknown_fields`.
///
/// One pass over the object's fields, each matched to its member by name, then the members that
/// were absent: a reply is decoded on every call, and a lookup per member plus a search of the
/// members per field cost more than reading it.
template <detail::described_model T>
T tag_invoke(boost::json::value_to_tag<T>, const boost::json::value& jv) {
    const detail::field_reader in(jv, detail::rules_of<T>.name);
    T out{};
    std::bitset<detail::member_count_v<T>> present;
    for (const auto& field : in.object()) {
        // A repeated key was kept once by the parser, with its last value.
        const auto index = detail::member_index<T>(field.key());
        if (index < detail::member_count_v<T>) {
            present.set(index);
            detail::read_present_member(in, index, field.value(), out);
        } else if constexpr (detail::keeps_unknown_fields<T>) {
            out.unknown_fields.emplace(field.key(), field.value());
        }
    }
    detail::read_absent_members(in, present, out);
    return out;
}

}  // namespace permit

/// Describes a model's members for its JSON conversions (see <permit/models/detail/described.hpp>):
/// `PERMIT_DESCRIBE_MODEL(role, (permit::detail::model_rules{...}), (key, name, ...))`. In the
/// model's namespace.
#define PERMIT_DESCRIBE_MODEL(Type, Rules, Members)                                    \
    BOOST_DESCRIBE_STRUCT(Type, (), Members)                                           \
    constexpr ::permit::detail::model_rules permit_model_rules(const Type*) noexcept { \
        return ::permit::detail::model_rules Rules;                                    \
    }
