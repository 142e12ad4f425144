/* kek: the key-encryption key that seals secrets at rest (IAM secret keys, signing keys,
 * Secret objects).
 *
 * The key is 32 random bytes in DIR/kek, created on first start with mode 0600 and
 * loaded on every later start. A key file that others may read, or of the wrong size, is
 * refused rather than used: the operator must fix it, since quietly rotating the key
 * would leave every stored secret unreadable.
 *
 * Sealed values are aead's format (version byte first). Version 1 means "sealed directly
 * under the KEK"; a later per-object data key would be a new version byte, so values
 * already stored keep opening. */
#ifndef GH_STORE_KEK_H
#define GH_STORE_KEK_H

#include <stdbool.h>

#include "base/err.h"
#include "base/str.h"

typedef struct gh_kek gh_kek;

#define GH_KEK_FILE "kek"

/* Loads DIR/kek, or creates it when absent (DIR itself is created with mode 0700 when
 * missing). Safe against a crash or a second process starting at the same moment: the
 * file appears complete or not at all. */
bool kek_load_or_create(const char *dir, gh_kek **out, gh_err *err) GH_MUST_CHECK;

/* Appends the sealed form of `plaintext` to `out`. `aad` names what is sealed and where
 * it belongs; the same aad must be given to kek_open. */
bool kek_seal(const gh_kek *kek, gh_str plaintext, gh_str aad, gh_buf *out, gh_err *err) GH_MUST_CHECK;
/* Appends the plaintext to `out`; "DecryptFailed" on any tampering or a wrong aad. The
 * caller wipes `out` (aead_buf_wipe) when done with the secret. */
bool kek_open(const gh_kek *kek, gh_str sealed, gh_str aad, gh_buf *out, gh_err *err) GH_MUST_CHECK;

/* Zeroes the key and frees it; NULL is fine. */
void kek_free(gh_kek *kek);

#endif
