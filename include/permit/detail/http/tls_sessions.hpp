// TLS sessions saved from earlier connections to an origin, offered to its new connections so that
// their handshakes resume instead of running in full.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <ctime>
#include <deque>
#include <string>
#include <unordered_map>

namespace permit::detail::http {

/// The sessions (TLS 1.3 tickets, TLS 1.2 session ids or tickets, as OpenSSL receives them) that
/// the servers of each origin gave the client's connections. A new connection to the origin
/// offers one (`prepare`); the server then skips the certificate and the key exchange's
/// signature: the handshake costs a fraction of a full one on both sides.
///
/// Sessions are kept per origin (`scheme://host:port`), so a session is only ever offered to the
/// server that issued it, and the connection still asks OpenSSL to check the host name: a
/// session is only made by a handshake that verified the certificate for that host (OpenSSL
/// keeps the verified peer in it). A TLS 1.3 ticket is used once while others are left, as RFC
/// 8446 (appendix C.4) asks of clients; the last one left is shared rather than dropped, so that
/// a pool reopening many connections at once still resumes (servers accept a ticket more than
/// once unless they say otherwise; one that refuses answers with a full handshake).
///
/// Not thread-safe: used on the client's executor only. Must outlive every `SSL` it prepared
/// (the client keeps it beside its TLS context).
class tls_session_store {
  public:
    /// Keeps at most `per_origin` sessions for each origin (the newest).
    explicit tls_session_store(std::size_t per_origin = 32) : per_origin_(per_origin) {}

    tls_session_store(const tls_session_store&) = delete;
    tls_session_store& operator=(const tls_session_store&) = delete;

    ~tls_session_store() {
        for (auto& [key, saved] : origins_)
            for (SSL_SESSION* s : saved.sessions) SSL_SESSION_free(s);
    }

    /// Sets up `ctx` to hand the sessions its connections receive to the store that prepared
    /// them: client-side caching, without OpenSSL's internal store (which is keyed by session id
    /// and used by servers). Call once, when the context is made.
    static void enable(SSL_CTX* ctx) noexcept {
        SSL_CTX_set_session_cache_mode(ctx,
                                       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(ctx, &on_new_session);
    }

    /// Before the handshake of `ssl` with `origin_key`: offers a saved session of that origin if
    /// one is still valid, and files the sessions the server sends on this connection under the
    /// origin. Returns whether a session was offered (the server may still decline it).
    bool prepare(SSL* ssl, const std::string& origin_key) {
        auto& saved = origins_[origin_key];
        saved.limit = per_origin_;
        SSL_set_ex_data(ssl, ex_index(), &saved);
        SSL_SESSION* session = take(saved);
        if (!session) return false;
        const bool offered = SSL_set_session(ssl, session) == 1;
        SSL_SESSION_free(session);  // SSL_set_session holds its own reference
        return offered;
    }

    /// Sessions kept for `origin_key` now.
    std::size_t saved(const std::string& origin_key) const {
        const auto it = origins_.find(origin_key);
        return it == origins_.end() ? 0 : it->second.sessions.size();
    }

  private:
    struct origin_sessions {
        std::deque<SSL_SESSION*> sessions;  // oldest first
        std::size_t limit = 0;              // the store's `per_origin`
    };

    // The SSL's slot that points at its origin's sessions.
    static int ex_index() noexcept {
        static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
        return index;
    }

    static bool expired(const SSL_SESSION* s) noexcept {
        return SSL_SESSION_get_time(s) + SSL_SESSION_get_timeout(s) <= std::time(nullptr);
    }

    // The newest valid session, with a reference for the caller: taken out while others are left
    // (a ticket is used once); when it is the last, a copy of it, which the connection may use as
    // OpenSSL sees fit (it marks the session of a connection closed without close_notify unfit
    // for resumption: see `on_new_session`) while the store keeps its own.
    static SSL_SESSION* take(origin_sessions& saved) noexcept {
        auto& sessions = saved.sessions;
        while (!sessions.empty() &&
               (expired(sessions.back()) || SSL_SESSION_is_resumable(sessions.back()) != 1)) {
            SSL_SESSION_free(sessions.back());
            sessions.pop_back();
        }
        if (sessions.empty()) return nullptr;
        SSL_SESSION* newest = sessions.back();
        if (sessions.size() > 1) {
            sessions.pop_back();
            return newest;
        }
        return SSL_SESSION_dup(newest);  // null when out of memory: a full handshake then
    }

    // OpenSSL's new-session callback. A copy is kept, not the session itself: the connection's
    // SSL still holds that one, and OpenSSL marks it unfit for resumption when the SSL is freed
    // without a close_notify sent (ssl_clear_bad_session), which is how an idle connection ends
    // here. The keys are sound however the connection ended (TLS 1.1 dropped the rule against
    // resuming such sessions, RFC 4346, section 7.2.1). Returning 0 gives the reference back.
    static int on_new_session(SSL* ssl, SSL_SESSION* session) noexcept {
        auto* saved = static_cast<origin_sessions*>(SSL_get_ex_data(ssl, ex_index()));
        if (!saved || saved->limit == 0) return 0;
        SSL_SESSION* copy = SSL_SESSION_dup(session);
        if (!copy) return 0;
        saved->sessions.push_back(copy);
        while (saved->sessions.size() > saved->limit) {
            SSL_SESSION_free(saved->sessions.front());
            saved->sessions.pop_front();
        }
        return 0;
    }

    std::size_t per_origin_;
    // unordered_map: its elements stay where they are as it grows, so the pointers the SSL
    // objects hold stay valid.
    std::unordered_map<std::string, origin_sessions> origins_;
};

}  // namespace permit::detail::http
