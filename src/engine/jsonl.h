/* jsonl: an append-only file of JSON lines shared by threads, for the audit log and the
 * AWS API trail.
 *
 * The file is created with mode 0600 (it names principals and what they did) and opened
 * O_APPEND. Each line goes out in one write() under a mutex, so lines from threads of this
 * process never interleave, and O_APPEND keeps lines of other processes appending to the
 * same file whole too. No fsync per line: the record of a request must not cost a disk
 * flush; a crash can lose the last lines the kernel had not written back. */
#ifndef GH_ENGINE_JSONL_H
#define GH_ENGINE_JSONL_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"

/* Lines longer than this are not written whole: the caller is told and writes a smaller
 * record (readers bound lines by it too). */
#define GH_JSONL_MAX_LINE ((size_t)1 << 20)

typedef struct gh_jsonl gh_jsonl;

gh_jsonl *jsonl_open(const char *path, gh_err *err);
typedef enum gh_jsonl_result { JSONL_OK, JSONL_TOO_LARGE, JSONL_IO_ERROR } gh_jsonl_result;

/* Appends doc as one compact line. Nothing is written when the line would exceed
 * GH_JSONL_MAX_LINE (the caller writes a smaller record) or on an I/O error (reported on the
 * server log, at most once a minute, so a full disk does not flood it). */
gh_jsonl_result jsonl_append(gh_jsonl *f, const json_t *doc);
void jsonl_close(gh_jsonl *f);

#endif
