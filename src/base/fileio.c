#include "base/fileio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

bool gh_file_read(const char *path, size_t max, gh_buf *out, gh_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return gh_fail(err, "IOError", 500, "cannot read %s: %s", path, strerror(errno));
	char chunk[8192];
	size_t r, total = 0;
	bool ok = true;
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0) {
		total += r;
		if (total > max) {
			ok = gh_fail(err, "TooLarge", 413, "%s is larger than %zu bytes", path, max);
			break;
		}
		if (!gh_buf_put(out, chunk, r)) {
			ok = gh_fail(err, "IOError", 500, "out of memory reading %s", path);
			break;
		}
	}
	if (ok && ferror(f))
		ok = gh_fail(err, "IOError", 500, "cannot read %s: %s", path, strerror(errno));
	fclose(f);
	return ok;
}
