#include "cmd/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <stdlib.h>

#include "base/str.h"
#include "engine/engine.h"

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
		if (f->kubeconfig)
			put_export(&b, "KUBECONFIG", f->kubeconfig);
		ok = !b.oom && files_write_atomic(envp, b.p, b.n, 0644, err);
	}
	gh_buf_free(&b);
	return ok;
}

static json_t *abs_path(const char *p)
{
	char buf[4096];
	if (!p)
		return json_null();
	return json_string(realpath(p, buf) ? buf : p);
}

bool files_write_settings(const char *state_dir, const gh_engine_config *cfg, gh_err *err)
{
	json_t *allowed = json_array();
	for (size_t i = 0; i < cfg->nallowed_sts; i++)
		json_array_append_new(allowed, json_string(cfg->allowed_sts[i]));
	json_t *j = json_pack("{s:s, s:o, s:o, s:o, s:b, s:o, s:o, s:s*}", "region", cfg->region, "aws_auth_file",
			      abs_path(cfg->aws_auth_file), "rbac_path", abs_path(cfg->rbac_path),
			      "ec2_instances_file", abs_path(cfg->ec2_instances_file),
			      "sts_passthrough", cfg->passthrough, "sts_ca_file", abs_path(cfg->sts_ca_file),
			      "allowed_sts_endpoints", allowed, "own_sts_url", cfg->own_sts_url);
	char *text = json_dumps(j, JSON_INDENT(2));
	json_decref(j);
	char path[4096];
	snprintf(path, sizeof path, "%s/serve.json", state_dir);
	bool ok = text && files_write_atomic(path, text, strlen(text), 0644, err);
	free(text);
	return ok;
}

static const char *str_or(json_t *j, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(j, key));
	return v ? v : dflt;
}

void *files_read_settings(const char *state_dir, gh_engine_config *cfg)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/serve.json", state_dir);
	json_t *j = json_load_file(path, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	cfg->region = str_or(j, "region", cfg->region);
	cfg->aws_auth_file = str_or(j, "aws_auth_file", cfg->aws_auth_file);
	cfg->ec2_instances_file = str_or(j, "ec2_instances_file", cfg->ec2_instances_file);
	cfg->rbac_path = str_or(j, "rbac_path", cfg->rbac_path);
	cfg->sts_ca_file = str_or(j, "sts_ca_file", cfg->sts_ca_file);
	cfg->own_sts_url = str_or(j, "own_sts_url", cfg->own_sts_url);
	cfg->passthrough = json_is_true(json_object_get(j, "sts_passthrough"));
	json_t *allowed = json_object_get(j, "allowed_sts_endpoints");
	size_t n = json_array_size(allowed);
	const char **list = calloc(n ? n : 1, sizeof *list);
	for (size_t i = 0; i < n; i++)
		list[i] = json_string_value(json_array_get(allowed, i));
	cfg->allowed_sts = list;
	cfg->nallowed_sts = n;
	/* The handle keeps the JSON (which owns the strings) and the list alive. */
	json_object_set_new(j, "__list", json_integer((json_int_t)(intptr_t)list));
	return j;
}

void files_settings_free(void *handle)
{
	json_t *j = handle;
	if (!j)
		return;
	free((void *)(intptr_t)json_integer_value(json_object_get(j, "__list")));
	json_decref(j);
}
