#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <time.h>

#include "crypto/x509.h"
#include "test.h"

#define NOW 1700000000LL
#define DAY 86400LL

static X509 *pem_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	return x;
}

static int verify_at(X509 *leaf, X509 *ca, int64_t when)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_add_cert(store, ca);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, store, leaf, NULL);
	X509_VERIFY_PARAM *p = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_time(p, (time_t)when);
	X509_VERIFY_PARAM_set_purpose(p, X509_PURPOSE_SSL_SERVER);
	int rc = X509_verify_cert(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

TEST(x509_ca_has_the_right_shape)
{
	gh_x509_pair ca;
	gh_err err = { 0 };
	REQUIRE(x509_make_ca(NOW, &ca, &err));
	CHECK_CONTAINS(ca.cert_pem, "-----BEGIN CERTIFICATE-----");
	CHECK_CONTAINS(ca.key_pem, "-----BEGIN PRIVATE KEY-----");
	X509 *x = pem_cert(ca.cert_pem);
	REQUIRE(x);
	char cn[64] = "";
	X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
	CHECK_STR_EQ(cn, "gatehouse CA");
	CHECK(X509_check_ca(x) == 1);
	CHECK(X509_get_extension_flags(x) & EXFLAG_CA);
	CHECK(X509_get_key_usage(x) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
	int crit = 0;
	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	CHECK(bc && bc->ca && crit == 1);
	BASIC_CONSTRAINTS_free(bc);
	CHECK(X509_get_ext_by_NID(x, NID_subject_key_identifier, -1) >= 0);
	CHECK(X509_check_issued(x, x) == X509_V_OK);
	EVP_PKEY *pub = X509_get0_pubkey(x);
	CHECK(EVP_PKEY_is_a(pub, "EC"));
	char group[32] = "";
	EVP_PKEY_get_utf8_string_param(pub, "group", group, sizeof group, NULL);
	CHECK_STR_EQ(group, "prime256v1");
	CHECK_INT_EQ(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	/* Ten years, starting slightly before now. */
	int days = 0, secs = 0;
	CHECK(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)));
	CHECK(days >= 3650 && days <= 3651);
	time_t before = (time_t)NOW - 60, now = (time_t)NOW;
	CHECK(X509_cmp_time(X509_get0_notBefore(x), &before) < 0);
	CHECK(X509_cmp_time(X509_get0_notBefore(x), &now) < 0);
	X509_free(x);

	/* Each CA is new: a different key and serial. */
	gh_x509_pair ca2;
	REQUIRE(x509_make_ca(NOW, &ca2, &err));
	CHECK(strcmp(ca.key_pem, ca2.key_pem) != 0);
	x509_pair_free(&ca2);
	x509_pair_free(&ca);
	CHECK(ca.cert_pem == NULL && ca.key_pem == NULL);
}

TEST(x509_server_cert_verifies_and_carries_sans)
{
	gh_x509_pair ca, srv;
	gh_err err = { 0 };
	REQUIRE(x509_make_ca(NOW, &ca, &err));
	const char *sans[] = { "localhost", "127.0.0.1", "::1", "gatehouse.internal", "10.1.2.3",
			       "*.apps.example.com" };
	REQUIRE(x509_make_server(&ca, sans, 6, NOW, &srv, &err));
	X509 *leaf = pem_cert(srv.cert_pem), *root = pem_cert(ca.cert_pem);
	REQUIRE(leaf && root);
	CHECK_INT_EQ(verify_at(leaf, root, NOW), 1);
	CHECK_INT_EQ(verify_at(leaf, root, NOW + 360 * DAY), 1);
	CHECK(verify_at(leaf, root, NOW + 400 * DAY) != 1);
	CHECK(X509_check_host(leaf, "localhost", 0, 0, NULL) == 1);
	CHECK(X509_check_host(leaf, "gatehouse.internal", 0, 0, NULL) == 1);
	CHECK(X509_check_host(leaf, "eks.apps.example.com", 0, 0, NULL) == 1);
	CHECK(X509_check_host(leaf, "other.example.com", 0, 0, NULL) != 1);
	CHECK(X509_check_ip_asc(leaf, "127.0.0.1", 0) == 1);
	CHECK(X509_check_ip_asc(leaf, "::1", 0) == 1);
	CHECK(X509_check_ip_asc(leaf, "10.1.2.3", 0) == 1);
	CHECK(X509_check_ip_asc(leaf, "10.1.2.4", 0) != 1);
	CHECK(X509_get_extended_key_usage(leaf) & XKU_SSL_SERVER);
	CHECK(X509_check_ca(leaf) == 0);
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	CHECK(gens && sk_GENERAL_NAME_num(gens) == 6);
	GENERAL_NAMES_free(gens);
	/* Not trusted by some other CA. */
	gh_x509_pair other;
	REQUIRE(x509_make_ca(NOW, &other, &err));
	X509 *other_root = pem_cert(other.cert_pem);
	CHECK(verify_at(leaf, other_root, NOW) != 1);

	X509_free(leaf);
	X509_free(root);
	X509_free(other_root);
	x509_pair_free(&other);
	x509_pair_free(&srv);
	x509_pair_free(&ca);
}

TEST(x509_check_server_detects_what_changed)
{
	gh_x509_pair ca, srv, other;
	gh_err err = { 0 };
	REQUIRE(x509_make_ca(NOW, &ca, &err));
	REQUIRE(x509_make_ca(NOW, &other, &err));
	REQUIRE(x509_make_server(&ca, x509_loopback_sans, x509_loopback_sans_count, NOW, &srv, &err));

	CHECK(x509_check_server(srv.cert_pem, srv.key_pem, ca.cert_pem, x509_loopback_sans,
				x509_loopback_sans_count, NOW + DAY, &err));
	const char *subset[] = { "::1" };
	CHECK(x509_check_server(srv.cert_pem, NULL, NULL, subset, 1, NOW, &err));
	/* A new name on restart means re-issue. */
	const char *more[] = { "localhost", "gatehouse.example.com" };
	CHECK(!x509_check_server(srv.cert_pem, NULL, NULL, more, 2, NOW, &err));
	CHECK_STR_EQ(err.code, "CertificateMismatch");
	CHECK_CONTAINS(err.msg, "gatehouse.example.com");
	const char *ip[] = { "192.168.0.1" };
	CHECK(!x509_check_server(srv.cert_pem, NULL, NULL, ip, 1, NOW, &err));
	CHECK_CONTAINS(err.msg, "192.168.0.1");
	/* Expired (or within the margin the caller adds to now), and not yet valid. */
	CHECK(!x509_check_server(srv.cert_pem, NULL, NULL, subset, 1, NOW + 366 * DAY, &err));
	CHECK_CONTAINS(err.msg, "expire");
	CHECK(!x509_check_server(srv.cert_pem, NULL, NULL, subset, 1, NOW - DAY, &err));
	CHECK_CONTAINS(err.msg, "not valid yet");
	/* Another CA, another key. */
	CHECK(!x509_check_server(srv.cert_pem, NULL, other.cert_pem, subset, 1, NOW, &err));
	CHECK_CONTAINS(err.msg, "does not verify");
	CHECK(!x509_check_server(srv.cert_pem, other.key_pem, NULL, subset, 1, NOW, &err));
	CHECK_CONTAINS(err.msg, "private key");
	CHECK(!x509_check_server("garbage", NULL, NULL, subset, 1, NOW, &err));
	CHECK_CONTAINS(err.msg, "PEM");

	x509_pair_free(&srv);
	x509_pair_free(&other);
	x509_pair_free(&ca);
}

TEST(x509_rejects_bad_names)
{
	gh_x509_pair ca, srv;
	gh_err err = { 0 };
	REQUIRE(x509_make_ca(NOW, &ca, &err));
	const char *bad[][1] = { { "bad name" }, { "DNS:x,IP:1.2.3.4" }, { "" }, { "a..b" },
				 { "host_name" }, { "300.1.1.1" }, { "*" }, { "-a.b" }, { "a-.b" } };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(!x509_make_server(&ca, bad[i], 1, NOW, &srv, &err));
		CHECK_STR_EQ(err.code, "InvalidInput");
		CHECK(srv.cert_pem == NULL);
	}
	CHECK(!x509_make_server(&ca, NULL, 0, NOW, &srv, &err));
	gh_x509_pair broken = { .cert_pem = "x", .key_pem = "y" };
	CHECK(!x509_make_server(&broken, x509_loopback_sans, 1, NOW, &srv, &err));
	x509_pair_free(&ca);
}
