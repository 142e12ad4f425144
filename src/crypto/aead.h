/* aead: AES-256-GCM sealing of small secrets at rest, through OpenSSL.
 *
 * Sealed form: version (1 byte, GH_AEAD_V1) || nonce (12 random bytes) || ciphertext ||
 * tag (16 bytes). The version byte is authenticated together with the caller's associated
 * data, so neither can be changed without aead_open failing. The associated data binds a
 * ciphertext to where it belongs (e.g. "iam-secret:AKIA..."), so a sealed value copied to
 * another row does not open there.
 *
 * Random 96-bit nonces are safe for well under 2^32 seals per key, far above the number of
 * secrets gatehouse stores under one key. */
#ifndef GH_CRYPTO_AEAD_H
#define GH_CRYPTO_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

#define GH_AEAD_KEY_LEN 32
#define GH_AEAD_NONCE_LEN 12
#define GH_AEAD_TAG_LEN 16
#define GH_AEAD_V1 0x01
#define GH_AEAD_OVERHEAD (1 + GH_AEAD_NONCE_LEN + GH_AEAD_TAG_LEN)

/* Appends the sealed form of `plaintext` to `out`. */
bool aead_seal(const uint8_t key[GH_AEAD_KEY_LEN], gh_str plaintext, gh_str aad, gh_buf *out,
	       gh_err *err) GH_MUST_CHECK;

/* Appends the plaintext to `out`. Any change to the sealed bytes, the associated data or
 * the key fails with "DecryptFailed" and a message that says nothing about which; on
 * failure `out` is left as it was and no plaintext byte remains in it. */
bool aead_open(const uint8_t key[GH_AEAD_KEY_LEN], gh_str sealed, gh_str aad, gh_buf *out,
	       gh_err *err) GH_MUST_CHECK;

/* Zeroes the whole capacity of a buffer that held a secret, then frees it. */
void aead_buf_wipe(gh_buf *b);

#endif
