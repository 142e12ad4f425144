#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/aead.h"
#include "store/kek.h"
#include "test.h"

static void kek_rmdir(const char *dir)
{
	char path[512];
	if (snprintf(path, sizeof path, "%s/kek", dir) >= (int)sizeof path)
		return;
	unlink(path);
	rmdir(dir);
}

TEST(kek_created_once_then_loaded)
{
	char dir[] = "/tmp/gh-kek-XXXXXX";
	REQUIRE(mkdtemp(dir));
	char path[512];
	snprintf(path, sizeof path, "%s/kek", dir);
	gh_kek *k1 = NULL, *k2 = NULL;
	gh_err err = { 0 };
	REQUIRE(kek_load_or_create(dir, &k1, &err));
	struct stat st;
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT_EQ(st.st_mode & 07777, 0600);
	CHECK_INT_EQ(st.st_size, 32);

	gh_buf sealed = { 0 }, plain = { 0 };
	REQUIRE(kek_seal(k1, GH_STR("signing-key-pem"), GH_STR("jwks:1"), &sealed, &err));
	/* A second start loads the same key: what was sealed before still opens. */
	REQUIRE(kek_load_or_create(dir, &k2, &err));
	REQUIRE(kek_open(k2, gh_buf_str(&sealed), GH_STR("jwks:1"), &plain, &err));
	CHECK_STR_EQ(plain.p, "signing-key-pem");
	CHECK(!kek_open(k2, gh_buf_str(&sealed), GH_STR("jwks:2"), &plain, &err));
	CHECK_STR_EQ(err.code, "DecryptFailed");
	/* No temporary file is left behind. */
	int entries = 0;
	char cmd[600];
	snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
	FILE *p = popen(cmd, "r");
	REQUIRE(p);
	CHECK(fscanf(p, "%d", &entries) == 1);
	pclose(p);
	CHECK_INT_EQ(entries, 1);

	aead_buf_wipe(&plain);
	gh_buf_free(&sealed);
	kek_free(k1);
	kek_free(k2);
	kek_free(NULL);
	kek_rmdir(dir);
}

TEST(kek_creates_missing_state_dir)
{
	char dir[] = "/tmp/gh-kek-XXXXXX";
	REQUIRE(mkdtemp(dir));
	char sub[512];
	snprintf(sub, sizeof sub, "%s/state", dir);
	gh_kek *k = NULL;
	gh_err err = { 0 };
	REQUIRE(kek_load_or_create(sub, &k, &err));
	struct stat st;
	REQUIRE(stat(sub, &st) == 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0700);
	kek_free(k);
	kek_rmdir(sub);
	rmdir(dir);
}

TEST(kek_refuses_readable_or_wrong_size)
{
	char dir[] = "/tmp/gh-kek-XXXXXX";
	REQUIRE(mkdtemp(dir));
	char path[512];
	snprintf(path, sizeof path, "%s/kek", dir);
	gh_kek *k = NULL;
	gh_err err = { 0 };
	REQUIRE(kek_load_or_create(dir, &k, &err));
	kek_free(k);
	k = NULL;

	REQUIRE(chmod(path, 0640) == 0);
	CHECK(!kek_load_or_create(dir, &k, &err));
	CHECK(k == NULL);
	CHECK_STR_EQ(err.code, "KekInvalid");
	CHECK_CONTAINS(err.msg, "0640");
	CHECK_CONTAINS(err.msg, "chmod 600");
	REQUIRE(chmod(path, 0604) == 0);
	CHECK(!kek_load_or_create(dir, &k, &err));
	REQUIRE(chmod(path, 0400) == 0);
	CHECK(kek_load_or_create(dir, &k, &err));
	kek_free(k);
	k = NULL;
	REQUIRE(chmod(path, 0600) == 0);

	/* A truncated key is refused, never replaced. */
	REQUIRE(truncate(path, 16) == 0);
	CHECK(!kek_load_or_create(dir, &k, &err));
	CHECK_CONTAINS(err.msg, "16 bytes");
	struct stat st;
	REQUIRE(stat(path, &st) == 0);
	CHECK_INT_EQ(st.st_size, 16);
	REQUIRE(truncate(path, 33) == 0);
	CHECK(!kek_load_or_create(dir, &k, &err));
	CHECK(k == NULL);

	/* A symlink in place of the key is not followed. */
	unlink(path);
	REQUIRE(symlink("/etc/hostname", path) == 0);
	CHECK(!kek_load_or_create(dir, &k, &err));
	CHECK(k == NULL);
	kek_rmdir(dir);
}
