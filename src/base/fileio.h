/* fileio: whole small files in and out. Used by the edges (cmd, engine watchers), never
 * by the domain. */
#ifndef GH_BASE_FILEIO_H
#define GH_BASE_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/str.h"

/* Appends the whole file to `out`. Fails (IOError) when it cannot be read, and
 * (TooLarge) when it is larger than `max` bytes, naming the file either way. */
bool gh_file_read(const char *path, size_t max, gh_buf *out, gh_err *err) GH_MUST_CHECK;

#endif
