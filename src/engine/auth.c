/* Authentication of SigV4-signed AWS requests against the credential snapshot.
 *
 * Order, as AWS reports it: a malformed signature, then the key (unknown key:
 * InvalidClientTokenId), then the session token (wrong: InvalidClientTokenId, expired:
 * ExpiredToken), then the clock, then the signature itself. */
#include <string.h>

#include "crypto/hash.h"
#include "engine/engine_internal.h"

gh_creds *engine_creds_acquire(gh_engine *e)
{
	pthread_rwlock_rdlock(&e->snap_mu);
	gh_creds *c = e->creds;
	creds_ref(c);
	pthread_rwlock_unlock(&e->snap_mu);
	return c;
}

void engine_caller_release(gh_caller *c)
{
	if (c->snap)
		creds_unref(c->snap);
	c->snap = NULL;
	c->cred = NULL;
}

bool engine_check_cred(const gh_cred *cr, gh_str security_token, int64_t now, gh_err *err)
{
	if (!cr->is_session)
		return true;
	uint8_t h[32];
	gh_sha256(security_token.p, security_token.n, h);
	if (!security_token.n || !gh_ct_eq(h, cr->token_hash, 32))
		return gh_fail(err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.");
	if (now >= cr->expires)
		return gh_fail(err, "ExpiredToken", 400, "The security token included in the request is expired");
	return true;
}

void engine_signing_key(gh_engine *e, const gh_cred *cr, const sigv4_parsed *p, uint8_t key[SIGV4_KEY_LEN])
{
	sigv4_keycache_get(e->keycache, gh_str_c(cr->akid), gh_str_c(cr->secret), p->scope_date, p->region,
			   p->service, key);
}

bool engine_aws_authenticate(gh_engine *e, const sigv4_request *req, gh_arena *a, gh_caller *out, gh_err *err)
{
	*out = (gh_caller){ 0 };
	sigv4_parsed p;
	if (!sigv4_parse(req, a, &p, err))
		return false;
	gh_creds *snap = engine_creds_acquire(e);
	const gh_cred *cr = creds_find(snap, p.access_key_id);
	int64_t now = engine_now(e);
	bool ok = cr != NULL;
	if (!ok)
		gh_fail(err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.");
	ok = ok && engine_check_cred(cr, p.security_token, now, err) && sigv4_check_time(&p, now, err);
	if (ok) {
		uint8_t key[SIGV4_KEY_LEN];
		engine_signing_key(e, cr, &p, key);
		ok = sigv4_verify(req, &p, key, err);
		gh_secure_zero(key, sizeof key);
	}
	if (!ok) {
		creds_unref(snap);
		return false;
	}
	out->cred = cr;
	out->snap = snap;
	return true;
}
