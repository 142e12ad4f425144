#include "cmd/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/str.h"

bool files_write_atomic(const char *path, const char *data, size_t n, int mode, gh_err *err)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return gh_fail(err, "IOError", 500, "cannot create %s: %s", tmp, strerror(errno));
	fchmod(fd, (mode_t)mode); /* the umask must not widen or narrow what we asked for */
	size_t off = 0;
	while (off < n) {
		ssize_t w = write(fd, data + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(tmp);
			return gh_fail(err, "IOError", 500, "cannot write %s: %s", tmp, strerror(errno));
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		unlink(tmp);
		return gh_fail(err, "IOError", 500, "cannot sync %s: %s", tmp, strerror(errno));
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return gh_fail(err, "IOError", 500, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
	}
	return true;
}

/* Shell single-quoting, so a state directory with spaces still sources. */
static void put_quoted(gh_buf *b, const char *s)
{
	gh_buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			gh_buf_puts(b, "'\\''");
		else
			gh_buf_putc(b, *s);
	}
	gh_buf_putc(b, '\'');
}

static void put_export(gh_buf *b, const char *k, const char *v)
{
	gh_buf_printf(b, "export %s=", k);
	put_quoted(b, v);
	gh_buf_putc(b, '\n');
}

bool files_write_client(const gh_client_files *f, gh_err *err)
{
	char config[4096], creds[4096], envp[4096];
	snprintf(config, sizeof config, "%s/aws-config", f->state_dir);
	snprintf(creds, sizeof creds, "%s/aws-credentials", f->state_dir);
	snprintf(envp, sizeof envp, "%s/env", f->state_dir);

	gh_buf b = { 0 };
	gh_buf_printf(&b,
		      "# Written by gatehouse serve on every start: the sandbox's endpoints.\n"
		      "[default]\nregion = %s\nendpoint_url = %s\n",
		      f->region, f->aws_url);
	if (f->ca_file)
		gh_buf_printf(&b, "ca_bundle = %s\n", f->ca_file);
	bool ok = files_write_atomic(config, b.p, b.n, 0644, err);
	gh_buf_reset(&b);

	if (ok && f->admin_akid && f->admin_secret) {
		gh_buf_printf(&b,
			      "# The sandbox administrator's access key, written on first start.\n"
			      "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
			      f->admin_akid, f->admin_secret);
		ok = files_write_atomic(creds, b.p, b.n, 0600, err);
		gh_buf_reset(&b);
	}

	if (ok) {
		gh_buf_puts(&b, "# Source me: `source DIR/env`. Rewritten by gatehouse serve on every start.\n");
		put_export(&b, "AWS_CONFIG_FILE", config);
		put_export(&b, "AWS_SHARED_CREDENTIALS_FILE", creds);
		put_export(&b, "AWS_ENDPOINT_URL", f->aws_url);
		put_export(&b, "AWS_ENDPOINT_URL_STS", f->aws_url);
		put_export(&b, "AWS_DEFAULT_REGION", f->region);
		put_export(&b, "AWS_REGION", f->region);
		put_export(&b, "AWS_PROFILE", "default");
		if (f->ca_file)
			put_export(&b, "AWS_CA_BUNDLE", f->ca_file);
		for (int i = 0; i < f->nlisteners; i++) {
			char k[128];
			snprintf(k, sizeof k, "GATEHOUSE_%s_URL", f->listeners[i].name);
			put_export(&b, k, f->listeners[i].url);
		}
		put_export(&b, "GATEHOUSE_STATE_DIR", f->state_dir);
		ok = !b.oom && files_write_atomic(envp, b.p, b.n, 0644, err);
	}
	gh_buf_free(&b);
	return ok;
}
