/* gatehouse logs: questions over the Kubernetes audit log (DIR/audit.log) and the AWS API
 * trail (DIR/trail.log), answered offline. The two files are merged in time order; the
 * questions are domain/k8s/audit_query.h's.
 *
 * The files are read as untrusted input: a line longer than the writer's bound, or one
 * that is not a record, is skipped and counted (the counts go to stderr), and reading never
 * needs more memory than one line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd/cmd.h"
#include "domain/k8s/audit_query.h"
#include "engine/jsonl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gatehouse logs [--state-dir DIR] [filters] [-o text|json]\n\n"
		"Reads the Kubernetes audit log (DIR/audit.log) and the AWS API trail (DIR/trail.log)\n"
		"that `gatehouse serve` writes, merged in time order. Filters combine with AND.\n\n"
		"filters:\n"
		"  --failed            failed requests: Kubernetes status 400 and above (401, 403, ...),\n"
		"                      AWS calls with an errorCode\n"
		"  --since WHEN        at or after WHEN: a duration back from now (30m, 1h, 2d, 1h30m)\n"
		"                      or an RFC 3339 time (2026-01-02T15:04:05Z)\n"
		"  --principal WHO     one principal: an IAM ARN (a role ARN covers its sessions), a\n"
		"                      Kubernetes username or an access key ID\n"
		"  --secrets-read      get, list and watch on Secrets\n"
		"  --access-entries    EKS access entries and access-policy associations changed,\n"
		"                      authentication modes set, aws-auth ConfigMap writes\n"
		"  --source SRC        k8s, aws or all (default all)\n"
		"  --all-stages        also Kubernetes RequestReceived events (no outcome yet)\n\n"
		"options:\n"
		"  --state-dir DIR     the state directory of `gatehouse serve` (default ./var)\n"
		"  -o, --output FMT    text (default): one line per record, TIME SOURCE WHO WHAT OUTCOME;\n"
		"                      json: the records as written, one per line\n"
		"  -h, --help          this help\n");
}

/* One log file read line by line, with the current record decoded. */
typedef struct reader {
	const char *path;
	FILE *f;
	char *line;	/* GH_JSONL_MAX_LINE + 2 bytes */
	json_t *doc;
	audit_record rec;
	bool have;	/* rec holds a record not yet printed */
	size_t too_long, not_records;
} reader;

static bool reader_open(reader *r, const char *dir, const char *name, char *path, size_t pathlen)
{
	snprintf(path, pathlen, "%s/%s", dir, name);
	r->path = path;
	r->f = fopen(path, "r");
	if (!r->f && errno != ENOENT) {
		fprintf(stderr, "logs: cannot read %s: %s\n", path, strerror(errno));
		return false;
	}
	r->line = r->f ? malloc(GH_JSONL_MAX_LINE + 2) : NULL;
	if (r->f && !r->line) {
		fprintf(stderr, "logs: out of memory\n");
		return false;
	}
	return true;
}

/* Skips the rest of an over-long line. */
static void skip_line(FILE *f)
{
	int c;
	while ((c = getc(f)) != EOF && c != '\n')
		;
}

/* Advances to the next record; false at the end of the file. */
static bool reader_next(reader *r)
{
	json_decref(r->doc);
	r->doc = NULL;
	r->have = false;
	while (r->f && fgets(r->line, (int)GH_JSONL_MAX_LINE + 2, r->f)) {
		size_t n = strlen(r->line);
		if (n && r->line[n - 1] == '\n') {
			r->line[--n] = '\0';
		} else if (!feof(r->f)) {
			r->too_long++;
			skip_line(r->f);
			continue;
		}
		if (n == 0)
			continue;
		r->doc = json_loadb(r->line, n, 0, NULL);
		if (r->doc && audit_query_classify(r->doc, &r->rec)) {
			r->have = true;
			return true;
		}
		json_decref(r->doc);
		r->doc = NULL;
		r->not_records++;
	}
	return false;
}

static void reader_close(reader *r)
{
	if (r->too_long || r->not_records)
		fprintf(stderr, "logs: %s: skipped %zu line(s) longer than %zu bytes and %zu line(s) that are not records\n",
			r->path, r->too_long, GH_JSONL_MAX_LINE, r->not_records);
	json_decref(r->doc);
	free(r->line);
	if (r->f)
		fclose(r->f);
}

static void emit(const reader *r, bool json_out, gh_buf *out)
{
	gh_buf_reset(out);
	if (json_out) {
		gh_buf_puts(out, r->line);
		gh_buf_putc(out, '\n');
	} else {
		audit_query_text(&r->rec, out);
	}
	fwrite(out->p, 1, out->n, stdout);
}

/* The next record that answers the query, or false at the end. */
static bool next_match(reader *r, const audit_query *q)
{
	while (reader_next(r))
		if (audit_query_match(q, &r->rec))
			return true;
	return false;
}

int cmd_logs(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, 0, 'd' }, { "failed", no_argument, 0, 'f' },
		{ "since", required_argument, 0, 's' },	    { "principal", required_argument, 0, 'p' },
		{ "secrets-read", no_argument, 0, 'S' },    { "access-entries", no_argument, 0, 'a' },
		{ "source", required_argument, 0, 'r' },    { "all-stages", no_argument, 0, 'A' },
		{ "output", required_argument, 0, 'o' },    { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *dir = "./var", *since = NULL, *format = "text";
	audit_query q = { 0 };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'f': q.failed = true; break;
		case 's': since = optarg; break;
		case 'p': q.principal = optarg; break;
		case 'S': q.secrets_read = true; break;
		case 'a': q.access_entries = true; break;
		case 'A': q.all_stages = true; break;
		case 'r':
			if (strcmp(optarg, "k8s") == 0)
				q.sources = AUDIT_SOURCE_K8S;
			else if (strcmp(optarg, "aws") == 0)
				q.sources = AUDIT_SOURCE_AWS;
			else if (strcmp(optarg, "all") == 0)
				q.sources = 0;
			else {
				fprintf(stderr, "logs: --source takes k8s, aws or all, not \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 'o':
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
				fprintf(stderr, "logs: -o takes text or json, not \"%s\"\n", optarg);
				return 2;
			}
			format = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "logs: unexpected argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (since) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		gh_err err = { 0 };
		int64_t now_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
		if (!audit_query_parse_since(gh_str_c(since), now_us, &q.since_us, &err)) {
			fprintf(stderr, "logs: %s\n", err.msg);
			return 2;
		}
		q.has_since = true;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "logs: no state directory %s: start `gatehouse serve --state-dir %s` first\n", dir, dir);
		return 1;
	}
	char kpath[4096], apath[4096];
	reader k = { 0 }, a = { 0 };
	bool json_out = strcmp(format, "json") == 0;
	int rc = 0;
	if (!reader_open(&k, dir, "audit.log", kpath, sizeof kpath) ||
	    !reader_open(&a, dir, "trail.log", apath, sizeof apath)) {
		rc = 1;
	} else {
		/* Each file is in (nearly) time order: a two-way merge keeps the output so. */
		gh_buf out = { 0 };
		bool hk = next_match(&k, &q), ha = next_match(&a, &q);
		while (hk || ha) {
			if (hk && (!ha || k.rec.time_us <= a.rec.time_us)) {
				emit(&k, json_out, &out);
				hk = next_match(&k, &q);
			} else {
				emit(&a, json_out, &out);
				ha = next_match(&a, &q);
			}
		}
		gh_buf_free(&out);
		if (fflush(stdout) != 0) {
			fprintf(stderr, "logs: cannot write the output: %s\n", strerror(errno));
			rc = 1;
		}
	}
	reader_close(&k);
	reader_close(&a);
	return rc;
}
