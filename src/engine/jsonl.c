#include "engine/jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

struct gh_jsonl {
	int fd;
	char *path;
	pthread_mutex_t mu;
	time_t last_error_log;
};

gh_jsonl *jsonl_open(const char *path, gh_err *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		gh_fail(err, "IOError", 500, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	/* A file made by an older version or by hand may be wider: the log names principals. */
	struct stat st;
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) && fchmod(fd, 0600) != 0) {
		gh_fail(err, "IOError", 500, "%s is readable by others and cannot be made 0600: %s", path,
			strerror(errno));
		close(fd);
		return NULL;
	}
	gh_jsonl *f = calloc(1, sizeof *f);
	char *p = strdup(path);
	if (!f || !p) {
		free(f);
		free(p);
		close(fd);
		gh_fail(err, "OutOfMemory", 500, "out of memory opening %s", path);
		return NULL;
	}
	f->fd = fd;
	f->path = p;
	pthread_mutex_init(&f->mu, NULL);
	return f;
}

static void report(gh_jsonl *f, const char *what)
{
	time_t now = time(NULL);
	if (now - f->last_error_log < 60)
		return;
	f->last_error_log = now;
	gh_log_error("record.write", "file", f->path, "detail", what);
}

gh_jsonl_result jsonl_append(gh_jsonl *f, const json_t *doc)
{
	if (!f)
		return JSONL_IO_ERROR;
	char *s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!s)
		return JSONL_IO_ERROR;
	size_t n = strlen(s);
	if (n + 1 > GH_JSONL_MAX_LINE) {
		free(s);
		return JSONL_TOO_LARGE;
	}
	s[n] = '\n'; /* json_dumps' NUL becomes the line end; the length is known */
	gh_jsonl_result rc = JSONL_OK;
	pthread_mutex_lock(&f->mu);
	size_t off = 0;
	while (off < n + 1) {
		ssize_t w = write(f->fd, s + off, n + 1 - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			report(f, w < 0 ? strerror(errno) : "short write");
			rc = JSONL_IO_ERROR;
			break;
		}
		off += (size_t)w;
	}
	pthread_mutex_unlock(&f->mu);
	free(s);
	return rc;
}

void jsonl_close(gh_jsonl *f)
{
	if (!f)
		return;
	close(f->fd);
	pthread_mutex_destroy(&f->mu);
	free(f->path);
	free(f);
}
