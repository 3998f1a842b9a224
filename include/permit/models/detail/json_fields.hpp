#pragma once

// Field-level JSON helpers shared by every model, so each model's conversions stay a few lines
// and all of them report errors (with full paths) the same way.

#include <permit/models/model_error.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace permit::detail {

template <class T>
struct is_std_vector : std::false_type {};
template <class T, class A>
struct is_std_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_string_map : std::false_type {};
template <class T, class C, class A>
struct is_string_map<std::map<std::string, T, C, A>> : std::true_type {};

inline model_error wrong_type(std::string_view model, std::string expected) {
    return model_error(std::string(model), {}, model_error::kind::wrong_type, std::move(expected));
}

/// Converts one JSON value to T, throwing model_error (path relative to `v`) on a type mismatch.
/// Handles std::string, bool, integers, json::value/object/array, std::vector<T>,
/// std::map<std::string, T>; anything else is a model read through its own tag_invoke.
template <class T>
T decode_field(const boost::json::value& v, std::string_view model) {
    // JSON values are copied into memory of their own (the default resource): the document may
    // live in a decoder's arena (`reply_arena`).
    if constexpr (std::is_same_v<T, boost::json::value>) {
        return boost::json::value(v, boost::json::storage_ptr());
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (const auto* s = v.if_string()) return std::string(s->data(), s->size());
        throw wrong_type(model, "a string");
    } else if constexpr (std::is_same_v<T, bool>) {
        if (const auto* b = v.if_bool()) return *b;
        throw wrong_type(model, "a boolean");
    } else if constexpr (std::is_integral_v<T>) {
        if (!v.is_number()) throw wrong_type(model, "an integer");
        boost::json::error_code ec;
        // to_number rejects fractions and values out of T's range.
        const T n = v.to_number<T>(ec);
        if (ec) throw wrong_type(model, "an integer within range");
        return n;
    } else if constexpr (std::is_same_v<T, boost::json::object>) {
        if (const auto* o = v.if_object())
            return boost::json::object(*o, boost::json::storage_ptr());
        throw wrong_type(model, "an object");
    } else if constexpr (std::is_same_v<T, boost::json::array>) {
        if (const auto* a = v.if_array()) return boost::json::array(*a, boost::json::storage_ptr());
        throw wrong_type(model, "an array");
    } else if constexpr (is_std_vector<T>::value) {
        const auto* a = v.if_array();
        if (!a) throw wrong_type(model, "an array");
        T out;
        out.reserve(a->size());
        for (std::size_t i = 0; i < a->size(); ++i) {
            try {
                out.push_back(decode_field<typename T::value_type>((*a)[i], model));
            } catch (const model_error& e) {
                throw e.rebased(std::string(model), "[" + std::to_string(i) + "]");
            }
        }
        return out;
    } else if constexpr (is_string_map<T>::value) {
        const auto* o = v.if_object();
        if (!o) throw wrong_type(model, "an object");
        T out;
        for (const auto& kv : *o) {
            const std::string key(kv.key());
            try {
                out.emplace(key, decode_field<typename T::mapped_type>(kv.value(), model));
            } catch (const model_error& e) {
                throw e.rebased(std::string(model), key);
            }
        }
        return out;
    } else {
        // A nested model reports paths relative to itself; restate them for the outer model.
        try {
            return boost::json::value_to<T>(v);
        } catch (const model_error& e) {
            throw e.rebased(std::string(model), {});
        }
    }
}

/// Reads the fields of one JSON object on behalf of `model` (a name used in error messages;
/// it must outlive the reader, a string literal in practice). Unknown fields are ignored.
class field_reader {
  public:
    /// Throws model_error if `v` is not an object. `prefix` is the path of `v` inside the model.
    field_reader(const boost::json::value& v, std::string_view model, std::string prefix = {})
        : model_(model), prefix_(std::move(prefix)) {
        obj_ = v.if_object();
        if (!obj_)
            throw model_error(std::string(model_), prefix_, model_error::kind::wrong_type,
                              "an object");
    }

    /// A reader of no object, for a caller that walks the fields itself: it reads their values
    /// (`value_of`) and reports absent ones (`throw_missing`), with the same paths and errors.
    explicit field_reader(std::string_view model) : model_(model) {}

    /// The object read. Not for a reader of no object.
    const boost::json::object& object() const noexcept { return *obj_; }

    /// The field's value if present and not null (null means unset on the wire), else nullptr.
    const boost::json::value* find(std::string_view key) const {
        const auto* p = obj_->if_contains(key);
        return p && !p->is_null() ? p : nullptr;
    }

    /// A field that must be present. A null is a type error, not "missing".
    template <class T>
    T required(std::string_view key) const {
        const auto* p = obj_->if_contains(key);
        if (!p) throw_missing(key);
        return decode<T>(*p, key);
    }

    /// A field that may be absent or null; both read as std::nullopt.
    template <class T>
    std::optional<T> optional(std::string_view key) const {
        if (const auto* p = find(key)) return decode<T>(*p, key);
        return std::nullopt;
    }

    /// A field with a spec default (`[]`, `{}`, 0, ""): absent or null reads as `fallback`.
    template <class T>
    T or_default(std::string_view key, T fallback = T{}) const {
        if (const auto* p = find(key)) return decode<T>(*p, key);
        return fallback;
    }

    /// The value `v` of the field `key` (present in the object, possibly null), read as T; a type
    /// mismatch throws model_error with the field's path. For readers that walk the object once.
    template <class T>
    T value_of(std::string_view key, const boost::json::value& v) const {
        return decode<T>(v, key);
    }

    /// Throws the model_error of the required field `key` being absent.
    [[noreturn]] void throw_missing(std::string_view key) const {
        throw model_error(std::string(model_), path(key), model_error::kind::missing_field);
    }

    /// A reader for a required nested object, keeping the path for error messages.
    field_reader child(std::string_view key) const {
        const auto* p = obj_->if_contains(key);
        if (!p) throw_missing(key);
        return field_reader(*p, model_, path(key));
    }

  private:
    std::string path(std::string_view key) const { return model_error::join_path(prefix_, key); }

    template <class T>
    T decode(const boost::json::value& v, std::string_view key) const {
        try {
            return decode_field<T>(v, model_);
        } catch (const model_error& e) {
            throw e.rebased(std::string(model_), path(key));
        }
    }

    const boost::json::object* obj_ = nullptr;
    std::string_view model_;
    std::string prefix_;
};

/// Writes fields into a JSON object (replacing whatever `jv` held). Unset optionals are left out,
/// never written as null, because the API treats a present field as a value to store.
class field_writer {
  public:
    explicit field_writer(boost::json::value& jv) : obj_(&jv.emplace_object()) {}

    template <class T>
    field_writer& field(std::string_view key, const T& v) {
        obj_->insert_or_assign(key, boost::json::value_from(v, obj_->storage()));
        return *this;
    }

    template <class T>
    field_writer& field(std::string_view key, const std::optional<T>& v) {
        if (v) field(key, *v);
        return *this;
    }

    /// For containers the spec defaults to empty: leave them out rather than send `[]`/`{}`.
    template <class T>
    field_writer& non_empty(std::string_view key, const T& v) {
        if (!v.empty()) field(key, v);
        return *this;
    }

  private:
    boost::json::object* obj_;
};

}  // namespace permit::detail
