/* x509: the gatehouse certificate authority and serving certificates, in memory as PEM.
 *
 * On first start gatehouse makes a CA (ECDSA P-256, "gatehouse CA", 10 years) and a
 * serving certificate signed by it for the names clients use. On later starts
 * x509_check_server tells whether the stored certificate still fits (names, validity,
 * issuer, key), so a restart with new names re-issues only the serving certificate and
 * clients keep trusting the same CA. */
#ifndef GH_CRYPTO_X509_H
#define GH_CRYPTO_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* NUL-terminated PEM strings owned by the pair (malloc). The key is unencrypted PKCS#8
 * ("BEGIN PRIVATE KEY"): seal it (kek) or keep it in a 0600 file. */
typedef struct gh_x509_pair {
	char *cert_pem;
	char *key_pem;
} gh_x509_pair;

/* The names every serving certificate should carry so local clients connect. */
extern const char *const x509_loopback_sans[];
extern const size_t x509_loopback_sans_count;

#define GH_X509_CA_DAYS 3650
#define GH_X509_SERVER_DAYS 365

/* A self-signed CA valid from a few minutes before `now` (clock skew) for 10 years. */
bool x509_make_ca(int64_t now, gh_x509_pair *out, gh_err *err) GH_MUST_CHECK;

/* A serving certificate signed by `ca`, valid for a year, with serverAuth and the given
 * subject alternative names: each is an IPv4 or IPv6 literal ("127.0.0.1", "::1") or a
 * DNS name ("localhost", "*.example.com"). A malformed name fails with "InvalidInput". */
bool x509_make_server(const gh_x509_pair *ca, const char *const *sans, size_t nsans, int64_t now,
		      gh_x509_pair *out, gh_err *err) GH_MUST_CHECK;

/* True when `cert_pem` is valid at `now`, covers every name in `sans`, and, when given,
 * was issued by `ca_pem` and matches `key_pem`. Pass now + a margin to require some
 * remaining lifetime. On false the message says what does not fit
 * ("CertificateMismatch"). */
bool x509_check_server(const char *cert_pem, const char *key_pem, const char *ca_pem,
		       const char *const *sans, size_t nsans, int64_t now, gh_err *err) GH_MUST_CHECK;

/* Frees both strings, zeroing the key first. */
void x509_pair_free(gh_x509_pair *p);

#endif
