// The body of `POST /signup`: parsing and validation, with one clear error per bad field. No I/O.
#pragma once

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace signup_server {

/// A valid sign-up. `email` is lower-cased and is the user's key in Permit (Permit user keys
/// allow `@ . + - _ |`); `tenant` is the company as a Permit tenant key.
struct signup_form {
    std::string email;
    std::string first_name;
    std::string last_name;
    std::string company;  ///< as typed: the tenant's name
    std::string tenant;   ///< `company` as a tenant key, e.g. "Acme, Inc." -> "acme-inc"
};

/// Why a field was refused.
struct field_error {
    std::string field;
    std::string message;
};

/// A parsed form, or the reasons it was refused (never both).
struct form_result {
    std::optional<signup_form> form;
    std::vector<field_error> errors;
};

/// The longest name or company accepted: a sign-up form, not a document.
inline constexpr std::size_t max_field_length = 200;

/// A company name as a tenant key (`^[A-Za-z0-9\-_]+$`): lower case, each run of other characters
/// made one `-`, none at either end, at most 64 characters. Empty when nothing is left.
inline std::string tenant_key_of(std::string_view company) {
    std::string key;
    for (const char c : company) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) && u < 0x80)
            key += static_cast<char>(std::tolower(u));
        else if (!key.empty() && key.back() != '-')
            key += '-';
        if (key.size() == 64) break;
    }
    while (!key.empty() && key.back() == '-') key.pop_back();
    return key;
}

/// Whether `email` is an address that can be a Permit user key: one `@` with text on both sides,
/// a dot in the domain, and only the characters a key allows.
inline bool is_valid_email(std::string_view email) {
    const auto at = email.find('@');
    if (at == 0 || at == std::string_view::npos ||
        email.find('@', at + 1) != std::string_view::npos)
        return false;
    const auto domain = email.substr(at + 1);
    const auto dot = domain.find('.');
    if (dot == 0 || dot == std::string_view::npos || domain.back() == '.') return false;
    return std::all_of(email.begin(), email.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (std::isalnum(u) && u < 0x80) ||
               std::string_view("@.+-_").find(c) != std::string_view::npos;
    });
}

/// Parses and validates a sign-up body: a JSON object with the strings `email`, `first_name`,
/// `last_name` and `company`. Every bad field is reported, in that order.
inline form_result parse_signup_form(std::string_view body) {
    form_result out;
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(body, ec);
    if (ec || !parsed.is_object()) {
        out.errors.push_back({"body", "expected a JSON object"});
        return out;
    }
    const auto& object = parsed.get_object();
    signup_form form;
    auto text = [&](const char* field, std::string& into) {
        const auto* value = object.if_contains(field);
        if (!value || !value->is_string()) {
            out.errors.push_back({field, "required, a string"});
            return false;
        }
        into = std::string(value->get_string());
        if (into.find_first_not_of(" \t") == std::string::npos) {
            out.errors.push_back({field, "must not be empty"});
            return false;
        }
        if (into.size() > max_field_length) {
            out.errors.push_back(
                {field, "longer than " + std::to_string(max_field_length) + " characters"});
            return false;
        }
        return true;
    };
    if (text("email", form.email)) {
        std::transform(form.email.begin(), form.email.end(), form.email.begin(), [](char c) {
            return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        });
        if (!is_valid_email(form.email))
            out.errors.push_back({"email", "not a valid email address"});
    }
    text("first_name", form.first_name);
    text("last_name", form.last_name);
    if (text("company", form.company)) {
        form.tenant = tenant_key_of(form.company);
        if (form.tenant.empty())
            out.errors.push_back({"company", "needs at least one letter or digit"});
    }
    if (out.errors.empty()) out.form = std::move(form);
    return out;
}

}  // namespace signup_server
