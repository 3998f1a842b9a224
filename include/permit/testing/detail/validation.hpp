// Request validation with FastAPI's 422 body: `{"detail":[{"loc":[...],"msg":...,"type":...}]}`.
// The schemas below are the spec's request schemas (https://api.permit.io/v2/redoc); messages
// and types are pydantic v1's, which is what the 422 examples in the spec show.
#pragma once

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

namespace permit::testing::detail {

enum class field_type {
    string,
    email,
    user_key,      ///< `^[A-Za-z0-9|@+\-\._]+$`
    slug,          ///< `^[A-Za-z0-9\-_]+$`
    permission,    ///< `<resource>:<action>`
    object,        ///< any JSON object
    nested,        ///< an object checked against `schema`
    object_array,  ///< an array of objects checked against `schema`
    object_map,    ///< an object whose values are checked against `schema`
    string_array,
    slug_array,
    permission_array,
    boolean,
    any,
};

struct object_schema;

struct field {
    std::string_view name;
    field_type type;
    bool required = false;
    const object_schema* schema = nullptr;
};

struct object_schema {
    std::span<const field> fields;
    bool forbid_extra = true;  // the spec's request schemas say additionalProperties: false
};

/// Where a value sits in a request body (FastAPI's `loc`), as a chain of parts that lives on the
/// stack of the checks: the `loc` array is made only when an error is reported, so checking a
/// valid body allocates nothing for it (a bulk body of thousands of users is checked per request).
class location {
  public:
    /// The empty location, the root of every chain.
    location() = default;
    /// `parent` followed by a member's name; `name` must outlive this location.
    location(const location& parent, std::string_view name) : parent_(&parent), name_(name) {}
    /// `parent` followed by an array index.
    location(const location& parent, std::int64_t index) : parent_(&parent), index_(index) {}

    location(const location&) = delete;
    location& operator=(const location&) = delete;

    /// The parts from the root, as the error body's `loc`.
    boost::json::array to_array() const {
        std::size_t depth = 0;
        for (const auto* l = this; l->parent_; l = l->parent_) ++depth;
        boost::json::array out;
        out.resize(depth);
        for (const auto* l = this; l->parent_; l = l->parent_) {
            auto& part = out[--depth];
            if (l->index_) {
                part = *l->index_;
            } else {
                part = boost::json::string(l->name_);
            }
        }
        return out;
    }

  private:
    const location* parent_ = nullptr;
    std::string_view name_;
    std::optional<std::int64_t> index_;
};

/// Collects validation errors; empty means valid.
class validation_errors {
  public:
    void add(boost::json::array loc, std::string_view msg, std::string_view type,
             std::optional<boost::json::object> ctx = std::nullopt) {
        boost::json::object e;
        e["loc"] = std::move(loc);
        e["msg"] = msg;
        e["type"] = type;
        if (ctx) e["ctx"] = std::move(*ctx);
        detail_.push_back(std::move(e));
    }
    void add(const location& loc, std::string_view msg, std::string_view type,
             std::optional<boost::json::object> ctx = std::nullopt) {
        add(loc.to_array(), msg, type, std::move(ctx));
    }
    bool empty() const { return detail_.empty(); }
    boost::json::value body() const { return boost::json::object{{"detail", detail_}}; }

  private:
    boost::json::array detail_;
};

inline bool all_chars(std::string_view s, bool (*ok)(char)) {
    if (s.empty()) return false;
    for (char c : s)
        if (!ok(c)) return false;
    return true;
}
inline bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
inline bool is_user_key_char(char c) {
    return is_alnum(c) || c == '|' || c == '@' || c == '+' || c == '-' || c == '.' || c == '_';
}
inline bool is_slug_char(char c) {
    return is_alnum(c) || c == '-' || c == '_';
}

inline bool is_valid_user_key(std::string_view s) {
    return all_chars(s, is_user_key_char);
}
inline bool is_valid_slug(std::string_view s) {
    return all_chars(s, is_slug_char);
}

/// A pragmatic version of the email check: one `@`, a local part, a dotted domain, no spaces.
inline bool is_valid_email(std::string_view s) {
    const auto at = s.find('@');
    if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos)
        return false;
    const auto domain = s.substr(at + 1);
    const auto dot = domain.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size() ||
        domain.back() == '.')
        return false;
    for (char c : s)
        if (static_cast<unsigned char>(c) <= ' ') return false;
    return true;
}

inline bool is_valid_permission(std::string_view s) {
    const auto colon = s.find(':');
    return colon != std::string_view::npos && colon > 0 && colon + 1 < s.size() &&
           s.find(':', colon + 1) == std::string_view::npos;
}

inline void check_object(const boost::json::value& v, const object_schema& schema,
                         const location& loc, validation_errors& errors);

inline void check_string_pattern(std::string_view s, field_type type, const location& loc,
                                 validation_errors& errors) {
    auto regex_error = [&](std::string_view pattern) {
        errors.add(loc, "string does not match regex \"" + std::string(pattern) + "\"",
                   "value_error.str.regex", boost::json::object{{"pattern", pattern}});
    };
    switch (type) {
        case field_type::email:
            if (!is_valid_email(s))
                errors.add(loc, "value is not a valid email address", "value_error.email");
            break;
        case field_type::user_key:
            if (!is_valid_user_key(s)) regex_error("^[A-Za-z0-9|@+\\-\\._]+$");
            break;
        case field_type::slug:
        case field_type::slug_array:
            if (!is_valid_slug(s)) regex_error("^[A-Za-z0-9\\-_]+$");
            break;
        case field_type::permission:
        case field_type::permission_array:
            if (!is_valid_permission(s)) regex_error("^[A-Za-z0-9\\-_]+:[A-Za-z0-9\\-_]+$");
            break;
        default:
            break;
    }
}

inline void check_value(const boost::json::value& v, const field& f, const location& loc,
                        validation_errors& errors) {
    switch (f.type) {
        case field_type::string:
        case field_type::email:
        case field_type::user_key:
        case field_type::slug:
        case field_type::permission:
            if (!v.is_string()) return errors.add(loc, "str type expected", "type_error.str");
            return check_string_pattern(v.get_string(), f.type, loc, errors);
        case field_type::object:
            if (!v.is_object()) errors.add(loc, "value is not a valid dict", "type_error.dict");
            return;
        case field_type::nested:
            return check_object(v, *f.schema, loc, errors);
        case field_type::object_map:
            if (!v.is_object())
                return errors.add(loc, "value is not a valid dict", "type_error.dict");
            for (const auto& kv : v.get_object())
                check_object(kv.value(), *f.schema, location(loc, kv.key()), errors);
            return;
        case field_type::object_array:
        case field_type::string_array:
        case field_type::slug_array:
        case field_type::permission_array: {
            if (!v.is_array())
                return errors.add(loc, "value is not a valid list", "type_error.list");
            std::int64_t i = 0;
            for (const auto& item : v.get_array()) {
                const location item_loc(loc, i++);
                if (f.type == field_type::object_array) {
                    check_object(item, *f.schema, item_loc, errors);
                } else if (!item.is_string()) {
                    errors.add(item_loc, "str type expected", "type_error.str");
                } else {
                    check_string_pattern(item.get_string(), f.type, item_loc, errors);
                }
            }
            return;
        }
        case field_type::boolean:
            if (!v.is_bool())
                errors.add(loc, "value could not be parsed to a boolean", "type_error.bool");
            return;
        case field_type::any:
            return;
    }
}

inline void check_object(const boost::json::value& v, const object_schema& schema,
                         const location& loc, validation_errors& errors) {
    if (!v.is_object()) return errors.add(loc, "value is not a valid dict", "type_error.dict");
    const auto& obj = v.get_object();
    for (const auto& f : schema.fields) {
        const auto* member = obj.if_contains(f.name);
        const location field_loc(loc, f.name);
        if (!member) {
            if (f.required) errors.add(field_loc, "field required", "value_error.missing");
            continue;
        }
        if (member->is_null()) {
            // Optional[...] fields take None; required ones do not.
            if (f.required)
                errors.add(field_loc, "none is not an allowed value",
                           "type_error.none.not_allowed");
            continue;
        }
        check_value(*member, f, field_loc, errors);
    }
    if (!schema.forbid_extra) return;
    for (const auto& kv : obj) {
        bool known = false;
        for (const auto& f : schema.fields) known = known || f.name == kv.key();
        if (!known)
            errors.add(location(loc, kv.key()), "extra fields not permitted", "value_error.extra");
    }
}

/// Validates a request body against `schema` at `loc` `["body"]`.
inline validation_errors check_body(const boost::json::value& body, const object_schema& schema) {
    validation_errors errors;
    const location root;
    check_object(body, schema, location(root, "body"), errors);
    return errors;
}

/// Validates a request body that must be a JSON array of `schema` objects, with `max_items`.
inline validation_errors check_body_array(const boost::json::value& body,
                                          const object_schema& schema) {
    validation_errors errors;
    const field f{"", field_type::object_array, true, &schema};
    const location root;
    check_value(body, f, location(root, "body"), errors);
    return errors;
}

/// Query parameter checks.
class query_checker {
  public:
    explicit query_checker(validation_errors& errors) : errors_(errors) {}

    /// An integer parameter with bounds; `fallback` when absent.
    std::int64_t integer(std::optional<std::string_view> raw, std::string_view name,
                         std::int64_t fallback, std::int64_t min,
                         std::optional<std::int64_t> max = std::nullopt) {
        if (!raw) return fallback;
        std::int64_t value = 0;
        auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
        boost::json::array loc{"query", name};
        if (ec != std::errc{} || end != raw->data() + raw->size()) {
            errors_.add(loc, "value is not a valid integer", "type_error.integer");
            return fallback;
        }
        if (value < min) {
            errors_.add(loc, "ensure this value is greater than or equal to " + std::to_string(min),
                        "value_error.number.not_ge", boost::json::object{{"limit_value", min}});
        } else if (max && value > *max) {
            errors_.add(loc, "ensure this value is less than or equal to " + std::to_string(*max),
                        "value_error.number.not_le", boost::json::object{{"limit_value", *max}});
        }
        return value;
    }

    /// A boolean parameter as pydantic reads it.
    bool boolean(std::optional<std::string_view> raw, std::string_view name, bool fallback) {
        if (!raw) return fallback;
        std::string v(*raw);
        for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (v == "1" || v == "true" || v == "on" || v == "yes" || v == "t" || v == "y") return true;
        if (v == "0" || v == "false" || v == "off" || v == "no" || v == "f" || v == "n")
            return false;
        errors_.add(boost::json::array{"query", name}, "value could not be parsed to a boolean",
                    "type_error.bool");
        return fallback;
    }

    /// One of `allowed`; `fallback` when absent.
    std::string choice(std::optional<std::string_view> raw, std::string_view name,
                       std::span<const std::string_view> allowed, std::string_view fallback) {
        if (!raw) return std::string(fallback);
        for (auto a : allowed)
            if (a == *raw) return std::string(a);
        std::string permitted;
        for (auto a : allowed)
            permitted += (permitted.empty() ? "'" : ", '") + std::string(a) + "'";
        errors_.add(boost::json::array{"query", name},
                    "value is not a valid enumeration member; permitted: " + permitted,
                    "type_error.enum");
        return std::string(fallback);
    }

  private:
    validation_errors& errors_;
};

/// FastAPI's 422 for a value outside an enumeration (pydantic v1's wording), at `loc` + `name`:
/// nothing when `o[name]` is absent or not a string.
inline void check_enum(const boost::json::object& o, std::string_view name,
                       std::initializer_list<std::string_view> allowed, boost::json::array loc,
                       validation_errors& errors) {
    const auto* v = o.if_contains(name);
    if (!v || !v->is_string()) return;
    for (const auto a : allowed)
        if (v->get_string() == a) return;
    std::string permitted;
    boost::json::array values;
    for (const auto a : allowed) {
        permitted += (permitted.empty() ? "'" : ", '") + std::string(a) + "'";
        values.push_back(boost::json::string(a));
    }
    loc.push_back(boost::json::string(name));
    errors.add(std::move(loc), "value is not a valid enumeration member; permitted: " + permitted,
               "type_error.enum", boost::json::object{{"enum_values", std::move(values)}});
}

}  // namespace permit::testing::detail
