#include "cmd/tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/str.h"
#include "cmd/files.h"
#include "cmd/statefiles.h"
#include "crypto/hash.h"
#include "crypto/x509.h"


static void wipe_free(char *s)
{
	if (s) {
		gh_secure_zero(s, strlen(s));
		free(s);
	}
}

bool tls_ensure(const char *dir, const char *const *extra, size_t nextra, gh_tls_files *out, gh_err *err)
{
	*out = (gh_tls_files){ 0 };
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return gh_fail(err, "IOError", 500, "cannot create %s: %s", dir, strerror(errno));
	char ca_key_path[4096], cert_path[4096], key_path[4096];
	snprintf(out->ca_path, sizeof out->ca_path, "%s/ca.pem", dir);
	snprintf(ca_key_path, sizeof ca_key_path, "%s/ca-key.pem", dir);
	snprintf(cert_path, sizeof cert_path, "%s/server.pem", dir);
	snprintf(key_path, sizeof key_path, "%s/server-key.pem", dir);
	char abs[4096];
	if (realpath(dir, abs)) /* clients read the CA path from anywhere */
		snprintf(out->ca_path, sizeof out->ca_path, "%.4000s/ca.pem", abs);

	const char *sans[64];
	size_t nsans = 0;
	for (size_t i = 0; i < x509_loopback_sans_count && nsans < 64; i++)
		sans[nsans++] = x509_loopback_sans[i];
	for (size_t i = 0; i < nextra && nsans < 64; i++)
		sans[nsans++] = extra[i];
	int64_t now = (int64_t)time(NULL);

	gh_x509_pair ca = { statefiles_read(out->ca_path), statefiles_read(ca_key_path) };
	bool ok = true;
	if (!ca.cert_pem || !ca.key_pem) {
		x509_pair_free(&ca);
		ok = x509_make_ca(now, &ca, err) &&
		     files_write_atomic(ca_key_path, ca.key_pem, strlen(ca.key_pem), 0600, err) &&
		     files_write_atomic(out->ca_path, ca.cert_pem, strlen(ca.cert_pem), 0644, err);
	}
	if (ok) {
		out->cert_pem = statefiles_read(cert_path);
		out->key_pem = statefiles_read(key_path);
		gh_err check;
		if (!out->cert_pem || !out->key_pem ||
		    !x509_check_server(out->cert_pem, out->key_pem, ca.cert_pem, sans, nsans, now + 7 * 86400, &check)) {
			free(out->cert_pem);
			wipe_free(out->key_pem);
			gh_x509_pair srv = { 0 };
			ok = x509_make_server(&ca, sans, nsans, now, &srv, err) &&
			     files_write_atomic(key_path, srv.key_pem, strlen(srv.key_pem), 0600, err) &&
			     files_write_atomic(cert_path, srv.cert_pem, strlen(srv.cert_pem), 0644, err);
			out->cert_pem = srv.cert_pem;
			out->key_pem = srv.key_pem;
		}
	}
	out->ca_pem = ca.cert_pem ? strdup(ca.cert_pem) : NULL;
	x509_pair_free(&ca);
	if (!ok)
		tls_files_free(out);
	return ok;
}

void tls_files_free(gh_tls_files *t)
{
	free(t->cert_pem);
	wipe_free(t->key_pem);
	free(t->ca_pem);
	t->cert_pem = t->key_pem = t->ca_pem = NULL;
}
