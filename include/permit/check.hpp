// The arguments of `client::check`: who, and on what.
#pragma once

#include <permit/models/pdp.hpp>
#include <permit/models/user.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace permit {

/// The subject of a check: a user key, or a user object with its attributes.
class check_subject {
  public:
    /// The user with this key.
    check_subject(std::string key) : user_{.key = std::move(key)} {}
    /// The user with this key.
    check_subject(std::string_view key) : user_{.key = std::string(key)} {}
    /// The user with this key.
    check_subject(const char* key) : user_{.key = key} {}
    /// The user as the PDP should see it (attributes matter for ABAC).
    check_subject(check_user user) : user_(std::move(user)) {}
    /// A user read from the API.
    check_subject(const permit::user& u)
        : user_{.key = u.key,
                .first_name = u.first_name,
                .last_name = u.last_name,
                .email = u.email,
                .attributes = u.attributes} {}

    /// The user, as the query will carry it.
    const check_user& get() const& noexcept { return user_; }
    /// The user, moved out.
    check_user get() && noexcept { return std::move(user_); }

  private:
    check_user user_;
};

/// `"type"` or `"type:key"` as a resource, split on the first ':' as the official SDKs do.
inline check_resource resource_from_string(std::string_view text) {
    check_resource out;
    const auto colon = text.find(':');
    out.type = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) out.key = std::string(text.substr(colon + 1));
    return out;
}

}  // namespace permit
