// Throwaway certificates for the TLS tests, made in memory at test time with the OpenSSL 3 C API:
// a self-signed CA and a server certificate that it signs. No key ever touches the disk or the
// repo.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace permit_test {

/// A CA and a server (leaf) certificate signed by it, all PEM text.
struct test_pki {
    std::string ca_cert_pem;    ///< The CA's certificate: what a client trusts.
    std::string leaf_cert_pem;  ///< The server's certificate, signed by the CA.
    std::string leaf_key_pem;   ///< The server's private key (unencrypted PKCS#8).
};

/// How `make_test_pki` makes the server certificate, beyond its names: for the tests of
/// certificates a client must refuse.
struct leaf_options {
    /// The start of the validity period, relative to now.
    std::chrono::seconds not_before = std::chrono::hours(-1);
    /// The end of the validity period, relative to now: in the past for an expired certificate.
    std::chrono::seconds not_after = std::chrono::hours(24);
    /// The leaf signs itself instead of being signed by the CA (which is made all the same, and
    /// signs nothing).
    bool self_signed = false;
};

namespace pki_detail {

struct evp_pkey_deleter {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct x509_deleter {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct x509_name_deleter {
    void operator()(X509_NAME* p) const noexcept { X509_NAME_free(p); }
};
struct x509_extension_deleter {
    void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
struct general_names_deleter {
    void operator()(GENERAL_NAMES* p) const noexcept { GENERAL_NAMES_free(p); }
};
struct general_name_deleter {
    void operator()(GENERAL_NAME* p) const noexcept { GENERAL_NAME_free(p); }
};
struct asn1_string_deleter {
    void operator()(ASN1_STRING* p) const noexcept { ASN1_STRING_free(p); }
};
struct bignum_deleter {
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct bio_deleter {
    void operator()(BIO* p) const noexcept { BIO_free_all(p); }
};

using pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_deleter>;
using x509_ptr = std::unique_ptr<X509, x509_deleter>;
using name_ptr = std::unique_ptr<X509_NAME, x509_name_deleter>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, x509_extension_deleter>;
using general_names_ptr = std::unique_ptr<GENERAL_NAMES, general_names_deleter>;
using general_name_ptr = std::unique_ptr<GENERAL_NAME, general_name_deleter>;
using asn1_string_ptr = std::unique_ptr<ASN1_STRING, asn1_string_deleter>;
using bignum_ptr = std::unique_ptr<BIGNUM, bignum_deleter>;
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

/// Throws with `what` and the newest OpenSSL error, and clears the thread's error queue.
[[noreturn]] inline void fail(const std::string& what) {
    std::string message = "make_test_pki: " + what;
    if (const unsigned long code = ERR_peek_last_error(); code != 0) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        message += ": ";
        message += buf;
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

inline void check(int ok, const char* what) {
    if (ok != 1) fail(what);
}

template <class T>
T* check_ptr(T* p, const char* what) {
    if (p == nullptr) fail(what);
    return p;
}

/// A fresh EC P-256 key: much faster to generate than RSA, and every TLS stack accepts it.
inline pkey_ptr make_key() {
    pkey_ptr key{EVP_EC_gen("P-256")};
    if (!key) fail("EVP_EC_gen(P-256)");
    return key;
}

/// A random positive 63-bit serial number.
inline void set_random_serial(X509* cert) {
    unsigned char bytes[8];
    check(RAND_bytes(bytes, sizeof bytes), "RAND_bytes");
    bytes[0] &= 0x7f;
    bignum_ptr bn{check_ptr(BN_bin2bn(bytes, sizeof bytes, nullptr), "BN_bin2bn")};
    check_ptr(BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)), "BN_to_ASN1_INTEGER");
}

/// A hex string of `n` random bytes, so that two CAs never share a name.
inline std::string random_hex(std::size_t n) {
    std::vector<unsigned char> bytes(n);
    check(RAND_bytes(bytes.data(), static_cast<int>(n)), "RAND_bytes");
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0xf];
    }
    return out;
}

inline name_ptr make_name(const std::string& common_name) {
    name_ptr name{check_ptr(X509_NAME_new(), "X509_NAME_new")};
    check(X509_NAME_add_entry_by_txt(name.get(), "O", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>("permit-cpp tests"), -1,
                                     -1, 0),
          "X509_NAME_add_entry_by_txt(O)");
    check(X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                     -1, -1, 0),
          "X509_NAME_add_entry_by_txt(CN)");
    return name;
}

/// Adds an extension given in openssl.cnf syntax (`critical,CA:TRUE`), with `issuer` for the
/// authority key identifier.
inline void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    extension_ptr ext{X509V3_EXT_conf_nid(nullptr, &ctx, nid, value)};
    if (!ext) fail(std::string("X509V3_EXT_conf_nid(") + OBJ_nid2sn(nid) + ", " + value + ")");
    check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

/// subjectAltName with DNS and IP entries, built as GENERAL_NAMEs so that no name needs escaping.
inline void add_subject_alt_names(X509* cert, const std::vector<std::string>& dns_names,
                                  const std::vector<std::string>& ip_addresses) {
    general_names_ptr names{check_ptr(sk_GENERAL_NAME_new_null(), "sk_GENERAL_NAME_new_null")};
    auto push = [&](general_name_ptr name) {
        if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) fail("sk_GENERAL_NAME_push");
        name.release();  // owned by `names` now
    };
    for (const auto& dns : dns_names) {
        if (dns.empty()) throw std::runtime_error("make_test_pki: empty DNS name");
        asn1_string_ptr ia5{check_ptr(ASN1_IA5STRING_new(), "ASN1_IA5STRING_new")};
        check(ASN1_STRING_set(ia5.get(), dns.data(), static_cast<int>(dns.size())),
              "ASN1_STRING_set");
        general_name_ptr name{check_ptr(GENERAL_NAME_new(), "GENERAL_NAME_new")};
        GENERAL_NAME_set0_value(name.get(), GEN_DNS, ia5.release());
        push(std::move(name));
    }
    for (const auto& ip : ip_addresses) {
        asn1_string_ptr octets{a2i_IPADDRESS(ip.c_str())};
        if (!octets) fail("not an IP address: '" + ip + "'");
        general_name_ptr name{check_ptr(GENERAL_NAME_new(), "GENERAL_NAME_new")};
        GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets.release());
        push(std::move(name));
    }
    if (sk_GENERAL_NAME_num(names.get()) == 0)
        throw std::runtime_error("make_test_pki: no subject names");
    check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT),
          "X509_add1_ext_i2d(subjectAltName)");
}

/// A v3 certificate for `key`, valid from `not_before` to `not_after` (relative to now; by default
/// from an hour ago to a day from now), not yet signed.
inline x509_ptr make_unsigned_cert(EVP_PKEY* key, const X509_NAME* subject, const X509_NAME* issuer,
                                   std::chrono::seconds not_before = std::chrono::hours(-1),
                                   std::chrono::seconds not_after = std::chrono::hours(24)) {
    x509_ptr cert{check_ptr(X509_new(), "X509_new")};
    check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
    set_random_serial(cert.get());
    check_ptr(X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before.count()),
              "X509_gmtime_adj(notBefore)");
    check_ptr(X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after.count()),
              "X509_gmtime_adj(notAfter)");
    check(X509_set_subject_name(cert.get(), subject), "X509_set_subject_name");
    check(X509_set_issuer_name(cert.get(), issuer), "X509_set_issuer_name");
    check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");
    return cert;
}

inline void sign(X509* cert, EVP_PKEY* signer) {
    if (X509_sign(cert, signer, EVP_sha256()) <= 0) fail("X509_sign");
}

inline std::string read_bio(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    if (n <= 0 || data == nullptr) fail("BIO_get_mem_data");
    return std::string(data, static_cast<std::size_t>(n));
}

inline std::string cert_to_pem(X509* cert) {
    bio_ptr bio{check_ptr(BIO_new(BIO_s_mem()), "BIO_new")};
    check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
    return read_bio(bio.get());
}

inline std::string key_to_pem(EVP_PKEY* key) {
    bio_ptr bio{check_ptr(BIO_new(BIO_s_mem()), "BIO_new")};
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey");
    return read_bio(bio.get());
}

}  // namespace pki_detail

/// Makes a new CA (basicConstraints CA:TRUE, keyCertSign) and a server certificate signed by it
/// for `dns_names` and `ip_addresses` (subjectAltName, serverAuth), both valid from an hour ago to
/// a day from now (`leaf` may change the leaf's validity, or have it sign itself). Every call
/// makes a new, unrelated CA: a client that trusts one rejects the others' certificates. Throws
/// std::runtime_error on any failure (including a bad IP address).
inline test_pki make_test_pki(std::vector<std::string> dns_names = {"localhost"},
                              std::vector<std::string> ip_addresses = {"127.0.0.1"},
                              const leaf_options& leaf_opts = {}) {
    using namespace pki_detail;

    const std::string ca_name = "permit-cpp test CA " + random_hex(8);
    const std::string leaf_name = !dns_names.empty()      ? dns_names.front()
                                  : !ip_addresses.empty() ? ip_addresses.front()
                                                          : std::string("permit-cpp test server");

    // The CA: self-signed.
    pkey_ptr ca_key = make_key();
    name_ptr ca_subject = make_name(ca_name);
    x509_ptr ca = make_unsigned_cert(ca_key.get(), ca_subject.get(), ca_subject.get());
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(ca.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    sign(ca.get(), ca_key.get());

    // The leaf: signed by the CA, or by itself.
    pkey_ptr leaf_key = make_key();
    name_ptr leaf_subject = make_name(leaf_name);
    x509_ptr leaf =
        make_unsigned_cert(leaf_key.get(), leaf_subject.get(),
                           leaf_opts.self_signed ? leaf_subject.get() : ca_subject.get(),
                           leaf_opts.not_before, leaf_opts.not_after);
    X509* issuer = leaf_opts.self_signed ? leaf.get() : ca.get();
    add_extension(leaf.get(), issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(leaf.get(), issuer, NID_key_usage, "critical,digitalSignature");
    add_extension(leaf.get(), issuer, NID_ext_key_usage, "serverAuth");
    add_extension(leaf.get(), issuer, NID_subject_key_identifier, "hash");
    add_extension(leaf.get(), issuer, NID_authority_key_identifier, "keyid:always");
    add_subject_alt_names(leaf.get(), dns_names, ip_addresses);
    sign(leaf.get(), leaf_opts.self_signed ? leaf_key.get() : ca_key.get());

    test_pki out;
    out.ca_cert_pem = cert_to_pem(ca.get());
    out.leaf_cert_pem = cert_to_pem(leaf.get());
    out.leaf_key_pem = key_to_pem(leaf_key.get());
    return out;
}

}  // namespace permit_test
