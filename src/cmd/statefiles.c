#include "cmd/statefiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "base/str.h"

char *statefiles_read(const char *path)
{
	gh_buf b = { 0 };
	if (!gh_file_read(path, 1u << 20, &b, NULL)) {
		gh_buf_free(&b);
		return NULL;
	}
	return gh_buf_take(&b);
}

char *statefiles_env(const char *state_dir, const char *key)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/env", state_dir);
	char *text = statefiles_read(path);
	if (!text)
		return NULL;
	char *result = NULL;
	size_t kl = strlen(key);
	for (char *line = strtok(text, "\n"); line && !result; line = strtok(NULL, "\n")) {
		if (strncmp(line, "export ", 7) == 0)
			line += 7;
		if (strncmp(line, key, kl) != 0 || line[kl] != '=')
			continue;
		char *v = line + kl + 1;
		size_t n = strlen(v);
		/* serve writes simple single-quoted values; '\'' never occurs in a URL. */
		if (n >= 2 && v[0] == '\'' && v[n - 1] == '\'') {
			v++;
			n -= 2;
		}
		result = gh_str_dup((gh_str){ v, n });
	}
	free(text);
	return result;
}
