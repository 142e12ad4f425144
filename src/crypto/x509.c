#include "crypto/x509.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/str.h"
#include "crypto/hash.h"

const char *const x509_loopback_sans[] = { "localhost", "127.0.0.1", "::1" };
const size_t x509_loopback_sans_count = sizeof x509_loopback_sans / sizeof x509_loopback_sans[0];

/* Certificates start a little in the past so a client whose clock lags still accepts them. */
#define X509_BACKDATE_SECONDS 300

static bool x509_fail_ssl(gh_err *err, const char *what)
{
	char detail[256] = "";
	unsigned long e = ERR_get_error();
	if (e)
		ERR_error_string_n(e, detail, sizeof detail);
	ERR_clear_error();
	return gh_fail(err, "CryptoError", 500, "%s%s%s", what, *detail ? ": " : "", detail);
}

static bool x509_is_ip(const char *s, unsigned char out[16], int *len)
{
	if (inet_pton(AF_INET, s, out) == 1) {
		*len = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*len = 16;
		return true;
	}
	return false;
}

/* Letters, digits and inner hyphens in dot-separated labels of 1..63, an optional
 * leading "*." wildcard, and a last label that is not all digits (so "300.1.1.1" is
 * refused instead of becoming a DNS name that looks like an address). */
static bool x509_is_dns_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	if (n > 2 && s[0] == '*' && s[1] == '.')
		s += 2;
	size_t label = 0;
	bool all_digits = true;
	for (const char *p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0 || label > 63 || p[-1] == '-')
				return false;
			if (*p == '\0')
				return !all_digits;
			label = 0;
			all_digits = true;
			continue;
		}
		bool digit = *p >= '0' && *p <= '9';
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || digit ||
			  (*p == '-' && label > 0);
		if (!ok)
			return false;
		all_digits = all_digits && digit;
		label++;
	}
}

static char *x509_bio_string(BIO *bio)
{
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	if (n < 0)
		return NULL;
	return gh_str_dup((gh_str){ data, (size_t)n });
}

static bool x509_pem_out(X509 *cert, EVP_PKEY *key, gh_x509_pair *out, gh_err *err)
{
	BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_secmem());
	bool ok = cb && kb && PEM_write_bio_X509(cb, cert) == 1 &&
		  PEM_write_bio_PrivateKey(kb, key, NULL, NULL, 0, NULL, NULL) == 1;
	if (ok) {
		out->cert_pem = x509_bio_string(cb);
		out->key_pem = x509_bio_string(kb);
		ok = out->cert_pem && out->key_pem;
		if (!ok)
			x509_pair_free(out);
	}
	BIO_free(cb);
	BIO_free(kb); /* secure memory BIO: cleansed on free */
	return ok ? true : x509_fail_ssl(err, "cannot write PEM");
}

static bool x509_add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return false;
	bool ok = X509_add_ext(cert, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok;
}

static bool x509_set_serial(X509 *cert)
{
	/* 159 random bits: positive, unique per certificate and unpredictable. */
	unsigned char raw[20];
	if (!gh_random_bytes(raw, sizeof raw))
		return false;
	raw[0] &= 0x7f;
	raw[0] |= 0x40;
	BIGNUM *bn = BN_bin2bn(raw, sizeof raw, NULL);
	bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
	BN_free(bn);
	return ok;
}

static bool x509_set_name(X509_NAME *name, const char *cn)
{
	return X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"gatehouse",
					  -1, -1, 0) == 1 &&
	       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
					  0) == 1;
}

/* The fields every certificate shares: version 3, serial, subject, validity, key. */
static X509 *x509_new_cert(EVP_PKEY *key, const char *cn, int64_t now, int days)
{
	X509 *cert = X509_new();
	if (!cert)
		return NULL;
	time_t t = (time_t)now;
	bool ok = X509_set_version(cert, X509_VERSION_3) == 1 && x509_set_serial(cert) &&
		  x509_set_name(X509_get_subject_name(cert), cn) &&
		  ASN1_TIME_set(X509_getm_notBefore(cert), t - X509_BACKDATE_SECONDS) &&
		  X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, &t) &&
		  X509_set_pubkey(cert, key) == 1;
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

bool x509_make_ca(int64_t now, gh_x509_pair *out, gh_err *err)
{
	*out = (gh_x509_pair){ 0 };
	EVP_PKEY *key = EVP_EC_gen("P-256");
	if (!key)
		return x509_fail_ssl(err, "cannot generate the CA key");
	X509 *cert = x509_new_cert(key, "gatehouse CA", now, GH_X509_CA_DAYS);
	bool ok = cert && X509_set_issuer_name(cert, X509_get_subject_name(cert)) == 1 &&
		  x509_add_ext(cert, cert, NID_basic_constraints, "critical,CA:TRUE") &&
		  x509_add_ext(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") &&
		  x509_add_ext(cert, cert, NID_subject_key_identifier, "hash") &&
		  x509_add_ext(cert, cert, NID_authority_key_identifier, "keyid:always") &&
		  X509_sign(cert, key, EVP_sha256()) > 0;
	if (ok)
		ok = x509_pem_out(cert, key, out, err);
	else
		x509_fail_ssl(err, "cannot build the CA certificate");
	X509_free(cert);
	EVP_PKEY_free(key);
	return ok;
}

static X509 *x509_parse_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return x;
}

static EVP_PKEY *x509_parse_key(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	return k;
}

static bool x509_add_sans(X509 *cert, const char *const *sans, size_t nsans, gh_err *err)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	if (!gens)
		return x509_fail_ssl(err, "out of memory");
	bool ok = true;
	for (size_t i = 0; ok && i < nsans; i++) {
		unsigned char ip[16];
		int iplen;
		GENERAL_NAME *gen = GENERAL_NAME_new();
		ASN1_STRING *s = NULL;
		int type;
		if (x509_is_ip(sans[i], ip, &iplen)) {
			type = GEN_IPADD;
			s = ASN1_OCTET_STRING_new();
			ok = s && ASN1_OCTET_STRING_set(s, ip, iplen) == 1;
		} else if (x509_is_dns_name(sans[i])) {
			type = GEN_DNS;
			s = ASN1_IA5STRING_new();
			ok = s && ASN1_STRING_set(s, sans[i], -1) == 1;
		} else {
			GENERAL_NAME_free(gen);
			sk_GENERAL_NAME_pop_free(gens, GENERAL_NAME_free);
			return gh_fail(err, "InvalidInput", 400,
				       "subject alternative name \"%s\" is neither an IP address nor a DNS name",
				       sans[i]);
		}
		if (ok && gen) {
			GENERAL_NAME_set0_value(gen, type, s);
			s = NULL;
			ok = sk_GENERAL_NAME_push(gens, gen) > 0;
			if (ok)
				gen = NULL;
		} else {
			ok = false;
		}
		ASN1_STRING_free(s);
		GENERAL_NAME_free(gen);
	}
	ok = ok && X509_add1_ext_i2d(cert, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
	sk_GENERAL_NAME_pop_free(gens, GENERAL_NAME_free);
	return ok ? true : x509_fail_ssl(err, "cannot add subject alternative names");
}

bool x509_make_server(const gh_x509_pair *ca, const char *const *sans, size_t nsans, int64_t now,
		      gh_x509_pair *out, gh_err *err)
{
	*out = (gh_x509_pair){ 0 };
	if (nsans == 0)
		return gh_fail(err, "InvalidInput", 400, "a serving certificate needs at least one name");
	X509 *ca_cert = x509_parse_cert(ca->cert_pem);
	EVP_PKEY *ca_key = x509_parse_key(ca->key_pem);
	if (!ca_cert || !ca_key) {
		X509_free(ca_cert);
		EVP_PKEY_free(ca_key);
		return x509_fail_ssl(err, "cannot parse the CA certificate or key");
	}
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = key ? x509_new_cert(key, "gatehouse", now, GH_X509_SERVER_DAYS) : NULL;
	bool ok = cert && X509_set_issuer_name(cert, X509_get_subject_name(ca_cert)) == 1 &&
		  x509_add_ext(cert, ca_cert, NID_basic_constraints, "critical,CA:FALSE") &&
		  x509_add_ext(cert, ca_cert, NID_key_usage, "critical,digitalSignature") &&
		  x509_add_ext(cert, ca_cert, NID_ext_key_usage, "serverAuth") &&
		  x509_add_ext(cert, ca_cert, NID_subject_key_identifier, "hash") &&
		  x509_add_ext(cert, ca_cert, NID_authority_key_identifier, "keyid:always");
	if (!ok) {
		x509_fail_ssl(err, "cannot build the serving certificate");
	} else if ((ok = x509_add_sans(cert, sans, nsans, err))) {
		ok = X509_sign(cert, ca_key, EVP_sha256()) > 0 ? x509_pem_out(cert, key, out, err)
							       : x509_fail_ssl(err, "cannot sign");
	}
	X509_free(cert);
	EVP_PKEY_free(key);
	X509_free(ca_cert);
	EVP_PKEY_free(ca_key);
	return ok;
}

static bool x509_chains_to(X509 *cert, const char *ca_pem, int64_t now, gh_err *err)
{
	X509 *ca = x509_parse_cert(ca_pem);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok = false;
	if (ca && store && ctx && X509_STORE_add_cert(store, ca) == 1 &&
	    X509_STORE_CTX_init(ctx, store, cert, NULL) == 1) {
		X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
		X509_VERIFY_PARAM_set_time(param, (time_t)now);
		X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
		ok = X509_verify_cert(ctx) == 1;
		if (!ok)
			gh_fail(err, "CertificateMismatch", 500,
				"the serving certificate does not verify against the CA: %s",
				X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	} else {
		x509_fail_ssl(err, "cannot parse the CA certificate");
	}
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(ca);
	return ok;
}

bool x509_check_server(const char *cert_pem, const char *key_pem, const char *ca_pem,
		       const char *const *sans, size_t nsans, int64_t now, gh_err *err)
{
	X509 *cert = x509_parse_cert(cert_pem);
	if (!cert) {
		ERR_clear_error();
		return gh_fail(err, "CertificateMismatch", 500, "the certificate is not valid PEM");
	}
	bool ok = true;
	time_t t = (time_t)now;
	if (X509_cmp_time(X509_get0_notBefore(cert), &t) >= 0)
		ok = gh_fail(err, "CertificateMismatch", 500, "the certificate is not valid yet");
	else if (X509_cmp_time(X509_get0_notAfter(cert), &t) <= 0)
		ok = gh_fail(err, "CertificateMismatch", 500, "the certificate has expired or expires soon");
	for (size_t i = 0; ok && i < nsans; i++) {
		unsigned char ip[16];
		int iplen;
		int r = x509_is_ip(sans[i], ip, &iplen)
				? X509_check_ip(cert, ip, (size_t)iplen, 0)
				: X509_check_host(cert, sans[i], 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL);
		if (r != 1)
			ok = gh_fail(err, "CertificateMismatch", 500, "the certificate does not cover \"%s\"",
				     sans[i]);
	}
	if (ok && ca_pem)
		ok = x509_chains_to(cert, ca_pem, now, err);
	if (ok && key_pem) {
		EVP_PKEY *key = x509_parse_key(key_pem);
		if (!key || X509_check_private_key(cert, key) != 1)
			ok = gh_fail(err, "CertificateMismatch", 500,
				     "the private key does not belong to the certificate");
		EVP_PKEY_free(key);
	}
	ERR_clear_error();
	X509_free(cert);
	return ok;
}

void x509_pair_free(gh_x509_pair *p)
{
	if (!p)
		return;
	if (p->key_pem)
		gh_secure_zero(p->key_pem, strlen(p->key_pem));
	free(p->key_pem);
	free(p->cert_pem);
	*p = (gh_x509_pair){ 0 };
}
