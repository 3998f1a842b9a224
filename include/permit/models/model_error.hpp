#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace permit {

/// Thrown when JSON does not fit a model: a required field is missing or has the wrong JSON type.
/// field() is the dotted path from the outermost model being read (`associated_tenants[1].tenant`),
/// so a caller can tell which part of a server reply was wrong without re-parsing the message.
class model_error : public std::runtime_error {
  public:
    /// What was wrong: `missing_field`, a required field was absent; `wrong_type`, a value had the
    /// wrong JSON type.
    enum class kind { missing_field, wrong_type };

    /// `expected` describes the wanted JSON type ("a string"); it is unused for missing_field.
    model_error(std::string model, std::string field, kind k, std::string expected = {})
        : std::runtime_error(compose(model, field, k, expected))
        , model_(std::move(model))
        , field_(std::move(field))
        , kind_(k)
        , expected_(std::move(expected)) {}

    /// The model being read, e.g. `user`.
    const std::string& model() const noexcept { return model_; }
    /// Dotted path of the offending field; empty when the value itself had the wrong type.
    const std::string& field() const noexcept { return field_; }
    /// What was wrong: a missing field or a wrong type.
    kind error_kind() const noexcept { return kind_; }
    /// The JSON type that was wanted ("a string", "an object"); empty for missing_field.
    const std::string& expected() const noexcept { return expected_; }

    /// The same problem as seen from an enclosing model: `prefix` goes in front of field(), so an
    /// error inside `associated_tenants[0]` reads `user: ... 'associated_tenants[0].roles'`.
    model_error rebased(std::string model, std::string_view prefix) const {
        return model_error(std::move(model), join_path(prefix, field_), kind_, expected_);
    }

    /// Joins two path pieces: `a` + `b` -> `a.b`, `a` + `[1]` -> `a[1]`, either may be empty.
    static std::string join_path(std::string_view prefix, std::string_view rest) {
        std::string out(prefix);
        if (!out.empty() && !rest.empty() && rest.front() != '[') out += '.';
        out += rest;
        return out;
    }

  private:
    static std::string compose(const std::string& model, const std::string& field, kind k,
                               const std::string& expected) {
        if (k == kind::missing_field) return model + ": missing required field '" + field + "'";
        if (field.empty()) return model + ": value must be " + expected;
        return model + ": field '" + field + "' must be " + expected;
    }

    std::string model_;
    std::string field_;
    kind kind_;
    std::string expected_;
};

}  // namespace permit
