#include "store/kek.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/aead.h"
#include "crypto/hash.h"

struct gh_kek {
	uint8_t key[GH_AEAD_KEY_LEN];
};

static bool kek_fail_errno(gh_err *err, const char *what, const char *path)
{
	return gh_fail(err, "KekError", 500, "%s %s: %s", what, path, strerror(errno));
}

static bool kek_read_fd(int fd, const char *path, gh_kek *kek, gh_err *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return kek_fail_errno(err, "cannot stat", path);
	if (!S_ISREG(st.st_mode))
		return gh_fail(err, "KekInvalid", 500, "%s is not a regular file", path);
	if (st.st_mode & 077)
		return gh_fail(err, "KekInvalid", 500,
			       "%s has mode %04o: a key must not be accessible to group or others; "
			       "run chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
	if (st.st_size != GH_AEAD_KEY_LEN)
		return gh_fail(err, "KekInvalid", 500,
			       "%s holds %lld bytes but a key is %d bytes; it is truncated or not a "
			       "gatehouse key", path, (long long)st.st_size, GH_AEAD_KEY_LEN);
	size_t got = 0;
	while (got < sizeof kek->key) {
		ssize_t r = read(fd, kek->key + got, sizeof kek->key - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? kek_fail_errno(err, "cannot read", path)
				     : gh_fail(err, "KekInvalid", 500, "%s shrank while being read", path);
		got += (size_t)r;
	}
	return true;
}

static bool kek_write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool kek_fsync_dir(const char *dir, gh_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kek_fail_errno(err, "cannot open directory", dir);
	bool ok = fsync(fd) == 0;
	if (!ok)
		kek_fail_errno(err, "cannot fsync directory", dir);
	close(fd);
	return ok;
}

/* Writes a fresh key to a private temporary file and links it into place. link() fails
 * when the name exists, so a concurrent starter never clobbers a key already in use, and
 * a crash leaves either no DIR/kek or a complete one, never a short file. Returns true
 * with *raced set when another process created the key first. */
static bool kek_create(const char *dir, const char *path, gh_kek *kek, bool *raced, gh_err *err)
{
	*raced = false;
	if (!gh_random_bytes(kek->key, sizeof kek->key))
		return gh_fail(err, "KekError", 500, "random number generator failed");
	gh_buf tmp = { 0 };
	gh_buf_printf(&tmp, "%s/.kek.XXXXXX", dir);
	if (tmp.oom)
		return gh_fail(err, "OutOfMemory", 500, "out of memory");
	/* mkostemp opens with O_CREAT|O_EXCL and mode 0600. */
	int fd = mkostemp(tmp.p, O_CLOEXEC);
	if (fd < 0) {
		kek_fail_errno(err, "cannot create key file in", dir);
		gh_buf_free(&tmp);
		return false;
	}
	bool ok = fchmod(fd, 0600) == 0 && kek_write_all(fd, kek->key, sizeof kek->key) &&
		  fsync(fd) == 0;
	if (!ok)
		kek_fail_errno(err, "cannot write", tmp.p);
	if (close(fd) != 0 && ok)
		ok = kek_fail_errno(err, "cannot close", tmp.p);
	if (ok && link(tmp.p, path) != 0) {
		if (errno == EEXIST)
			*raced = true;
		else
			ok = kek_fail_errno(err, "cannot create", path);
	}
	unlink(tmp.p);
	gh_buf_free(&tmp);
	if (!ok || *raced)
		return ok;
	return kek_fsync_dir(dir, err);
}

bool kek_load_or_create(const char *dir, gh_kek **out, gh_err *err)
{
	*out = NULL;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return kek_fail_errno(err, "cannot create state directory", dir);
	gh_buf path = { 0 };
	gh_buf_printf(&path, "%s/%s", dir, GH_KEK_FILE);
	gh_kek *kek = malloc(sizeof *kek);
	if (path.oom || !kek) {
		gh_buf_free(&path);
		free(kek);
		return gh_fail(err, "OutOfMemory", 500, "out of memory");
	}
	bool ok = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		int fd = open(path.p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			ok = kek_read_fd(fd, path.p, kek, err);
			close(fd);
			break;
		}
		if (errno != ENOENT) {
			kek_fail_errno(err, "cannot open", path.p);
			break;
		}
		bool raced;
		ok = kek_create(dir, path.p, kek, &raced, err);
		if (!ok || !raced)
			break;
		ok = false; /* lost the race: load the winner's key */
		gh_fail(err, "KekError", 500, "%s keeps appearing and vanishing", path.p);
	}
	if (ok)
		*out = kek;
	else
		kek_free(kek);
	gh_buf_free(&path);
	return ok;
}

bool kek_seal(const gh_kek *kek, gh_str plaintext, gh_str aad, gh_buf *out, gh_err *err)
{
	return aead_seal(kek->key, plaintext, aad, out, err);
}

bool kek_open(const gh_kek *kek, gh_str sealed, gh_str aad, gh_buf *out, gh_err *err)
{
	return aead_open(kek->key, sealed, aad, out, err);
}

void kek_free(gh_kek *kek)
{
	if (!kek)
		return;
	gh_secure_zero(kek->key, sizeof kek->key);
	free(kek);
}
