#include "engine/manifests.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/fileio.h"
#include "codec/yaml.h"

static bool load_file(const char *path, json_t *docs, gh_err *err)
{
	gh_buf b = { 0 };
	if (!gh_file_read(path, MANIFESTS_MAX_FILE_BYTES, &b, err)) {
		gh_buf_free(&b);
		return false;
	}
	/* JSON is YAML, but jansson reads large List dumps much faster and says where it
	 * stopped in JSON's terms. */
	gh_str text = gh_str_trim(gh_buf_str(&b));
	json_t *parsed = NULL;
	bool ok;
	if (text.n && text.p[0] == '{') {
		json_error_t je;
		parsed = json_loadb(text.p, text.n, JSON_DISABLE_EOF_CHECK, &je);
		ok = parsed != NULL;
		if (!ok)
			gh_fail(err, "InvalidJSON", 400, "line %d, column %d: %s", je.line, je.column, je.text);
		else
			parsed = json_pack("[o]", parsed);
	} else {
		gh_yaml_opts yo = { .mode = GH_YAML_TYPED, .max_bytes = MANIFESTS_MAX_FILE_BYTES };
		ok = gh_yaml_load_all(gh_buf_str(&b), &yo, &parsed, err);
	}
	gh_buf_free(&b);
	if (!ok)
		return gh_fail_wrap(err, "%s", path);
	json_array_extend(docs, parsed);
	json_decref(parsed);
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_manifest(const char *name)
{
	size_t n = strlen(name);
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

bool manifests_load(const char *path, json_t *docs, gh_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return gh_fail(err, "IOError", 400, "cannot read %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return load_file(path, docs, err);
	DIR *d = opendir(path);
	if (!d)
		return gh_fail(err, "IOError", 400, "cannot read folder %s: %s", path, strerror(errno));
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	bool ok = true;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || !is_manifest(de->d_name))
			continue;
		if (n == MANIFESTS_MAX_FILES) {
			ok = gh_fail(err, "LimitExceeded", 413, "%s holds more than %d manifest files", path,
				     MANIFESTS_MAX_FILES);
			break;
		}
		names = realloc(names, (n + 1) * sizeof *names);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		if (ok) {
			char full[4096];
			snprintf(full, sizeof full, "%s/%s", path, names[i]);
			ok = load_file(full, docs, err);
		}
		free(names[i]);
	}
	free(names);
	return ok;
}
