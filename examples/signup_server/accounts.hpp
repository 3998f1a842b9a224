// The server's own user accounts, in memory: what a real server keeps in its database. Safe to use
// from every thread of the server. No I/O.
#pragma once

#include "signup_form.hpp"

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace signup_server {

/// A local account. Its id is the email, which is also the user's key in Permit.
struct account {
    std::string id;
    std::string tenant;
    bool synced = false;  ///< Permit has acknowledged the user
};

class account_store {
  public:
    /// Opens an account for `form`; nullopt when the email has one already.
    std::optional<account> open(const signup_form& form) {
        std::lock_guard lock(mutex_);
        account a{.id = form.email, .tenant = form.tenant};
        if (!accounts_.emplace(a.id, a).second) return std::nullopt;
        return a;
    }

    /// Marks an account as known to Permit: from now on it may sign in.
    void mark_synced(const std::string& id) {
        std::lock_guard lock(mutex_);
        if (auto it = accounts_.find(id); it != accounts_.end()) it->second.synced = true;
    }

    /// Removes an account whose sign-up failed, so that the user can try again.
    void close(const std::string& id) {
        std::lock_guard lock(mutex_);
        accounts_.erase(id);
    }

    /// The account `id`, if it exists and Permit has acknowledged it.
    std::optional<account> find_synced(const std::string& id) const {
        std::lock_guard lock(mutex_);
        auto it = accounts_.find(id);
        if (it == accounts_.end() || !it->second.synced) return std::nullopt;
        return it->second;
    }

    /// True for the first sign-up of a company: its tenant should be made with its name.
    bool first_of_tenant(const std::string& tenant) {
        std::lock_guard lock(mutex_);
        return tenants_.insert(tenant).second;
    }

    /// A company whose tenant could not be made: the next sign-up tries again.
    void forget_tenant(const std::string& tenant) {
        std::lock_guard lock(mutex_);
        tenants_.erase(tenant);
    }

  private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, account> accounts_;
    std::unordered_set<std::string> tenants_;
};

}  // namespace signup_server
