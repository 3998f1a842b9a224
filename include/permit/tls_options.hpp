// How the client verifies the servers it talks to over https:// (`config::tls`).
#pragma once

#include <string>

namespace permit {

/// How the client verifies the servers it talks to over `https://`. The CAs are loaded when the
/// client is made, and only when `api_url` or `pdp_url` is `https://`: a client of `http://`
/// origins alone (a local PDP, the emulator) reads no CA store, and a CA file that cannot be
/// read is then not an error.
struct tls_options {
    /// Trust the operating system's CA store (OpenSSL's default paths).
    bool use_system_store = true;
    /// A PEM file of further CAs to trust (a private CA, a corporate proxy). Empty: none.
    std::string ca_file;
    /// PEM text of further CAs to trust, for CAs made at run time (tests). Empty: none.
    std::string ca_pem;
    /// Turns off certificate and host name verification: anyone on the path can then pose as the
    /// server and read the API key. Only for debugging against a server whose certificate you
    /// cannot fix. There is no other way to turn verification off (no environment variable); the
    /// client logs a warning when it is off.
    bool insecure_disable_verification = false;
    /// Resume the TLS sessions of earlier connections to the same origin (TLS 1.3 tickets, TLS
    /// 1.2 session ids and tickets, as the server offers them): a pool's new connections then
    /// skip the certificate and most of the handshake's CPU on both sides. The host name is
    /// checked as on a full handshake, and a session is only ever offered to the origin that
    /// issued it. `client_stats` counts full and resumed handshakes.
    bool resume_sessions = true;
};

}  // namespace permit
