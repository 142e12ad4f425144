#include "http/client.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#define CLIENT_DEFAULT_TIMEOUT_MS 10000L
#define CLIENT_DEFAULT_MAX_RESPONSE (1024 * 1024)

static pthread_once_t client_once = PTHREAD_ONCE_INIT;
static CURLcode client_init_rc;

static void client_global_init(void)
{
	client_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct client_sink {
	gh_buf *body;
	size_t max;
	bool too_large;
} client_sink;

static size_t client_write(char *p, size_t size, size_t nmemb, void *userdata)
{
	client_sink *s = userdata;
	size_t n = size * nmemb;
	if (s->body->n + n > s->max) {
		s->too_large = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	return gh_buf_put(s->body, p, n) ? n : 0;
}

static bool client_header_ok(const gh_http_header *h)
{
	if (h->name.n == 0)
		return false;
	for (size_t i = 0; i < h->name.n; i++) {
		char c = h->name.p[i];
		if (c <= ' ' || c == ':' || c == 0x7f)
			return false;
	}
	for (size_t i = 0; i < h->value.n; i++)
		if (h->value.p[i] == '\r' || h->value.p[i] == '\n' || h->value.p[i] == '\0')
			return false;
	return true;
}

static bool client_headers(const gh_http_client_request *req, struct curl_slist **out, gh_err *err)
{
	/* No "Expect: 100-continue" round trip for the small bodies sent here. */
	struct curl_slist *list = curl_slist_append(NULL, "Expect:");
	for (size_t i = 0; list && i < req->nheaders; i++) {
		const gh_http_header *h = &req->headers[i];
		if (!client_header_ok(h)) {
			curl_slist_free_all(list);
			return gh_fail(err, "InvalidInput", 400, "outbound header %zu is malformed", i);
		}
		gh_buf line = { 0 };
		/* "Name;" is curl's way of sending a header with an empty value. */
		if (h->value.n)
			gh_buf_printf(&line, GH_STR_FMT ": " GH_STR_FMT, GH_STR_ARG(h->name), GH_STR_ARG(h->value));
		else
			gh_buf_printf(&line, GH_STR_FMT ";", GH_STR_ARG(h->name));
		struct curl_slist *next = line.oom ? NULL : curl_slist_append(list, line.p);
		gh_buf_free(&line);
		if (!next) {
			curl_slist_free_all(list);
			list = NULL;
		} else {
			list = next;
		}
	}
	if (!list)
		return gh_fail(err, "OutOfMemory", 500, "out of memory");
	*out = list;
	return true;
}

static bool client_keep_headers(CURL *h, const char *const *want, gh_http_client_response *resp)
{
	size_t cap = 0;
	for (size_t w = 0; want && want[w]; w++) {
		struct curl_header *hdr;
		for (size_t i = 0;; i++) {
			if (curl_easy_header(h, want[w], i, CURLH_HEADER, -1, &hdr) != CURLHE_OK)
				break;
			if (resp->nheaders == cap) {
				cap = cap ? cap * 2 : 4;
				gh_http_header *n = realloc(resp->headers, cap * sizeof *n);
				if (!n)
					return false;
				resp->headers = n;
			}
			char *name = strdup(want[w]), *value = strdup(hdr->value);
			if (!name || !value) {
				free(name);
				free(value);
				return false;
			}
			resp->headers[resp->nheaders++] =
				(gh_http_header){ { name, strlen(name) }, { value, strlen(value) } };
			if (i + 1 >= hdr->amount)
				break;
		}
	}
	return true;
}

bool http_client_do(const gh_http_client_config *cfg, const gh_http_client_request *req,
		    gh_http_client_response *resp, gh_err *err)
{
	*resp = (gh_http_client_response){ 0 };
	pthread_once(&client_once, client_global_init);
	if (client_init_rc != CURLE_OK)
		return gh_fail(err, "UpstreamError", 502, "libcurl failed to initialise");
	const char *method = req->method ? req->method : "GET";
	struct curl_slist *headers = NULL;
	if (!client_headers(req, &headers, err))
		return false;
	CURL *h = curl_easy_init();
	if (!h) {
		curl_slist_free_all(headers);
		return gh_fail(err, "OutOfMemory", 500, "out of memory");
	}
	struct curl_slist *connect_to = cfg->connect_to ? curl_slist_append(NULL, cfg->connect_to) : NULL;
	if (connect_to)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to);
	char errbuf[CURL_ERROR_SIZE] = "";
	client_sink sink = { .body = &resp->body,
			     .max = cfg->max_response_bytes ? cfg->max_response_bytes
							    : CLIENT_DEFAULT_MAX_RESPONSE };
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms > 0 ? cfg->timeout_ms : CLIENT_DEFAULT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "gatehouse");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, client_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink.max);
	if (cfg->ca_pem) {
		struct curl_blob blob = { (void *)cfg->ca_pem, strlen(cfg->ca_pem), CURL_BLOB_COPY };
		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	} else if (cfg->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
		curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
	}
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body.p ? req->body.p : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.n);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}

	CURLcode rc = curl_easy_perform(h);
	bool ok = rc == CURLE_OK;
	if (ok) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
		if (!client_keep_headers(h, req->want_headers, resp))
			ok = gh_fail(err, "OutOfMemory", 500, "out of memory");
	} else if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		gh_fail(err, "UpstreamError", 502, "response larger than %zu bytes", sink.max);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		gh_fail(err, "UpstreamTimeout", 504, "upstream did not answer in time");
	} else {
		gh_fail(err, "UpstreamError", 502, "upstream request failed: %s",
			*errbuf ? errbuf : curl_easy_strerror(rc));
	}
	curl_easy_cleanup(h);
	curl_slist_free_all(headers);
	curl_slist_free_all(connect_to);
	if (!ok)
		http_client_response_free(resp);
	return ok;
}

void http_client_response_free(gh_http_client_response *resp)
{
	gh_buf_free(&resp->body);
	for (size_t i = 0; i < resp->nheaders; i++) {
		free((char *)resp->headers[i].name.p);
		free((char *)resp->headers[i].value.p);
	}
	free(resp->headers);
	*resp = (gh_http_client_response){ 0 };
}

bool http_client_header(const gh_http_client_response *resp, const char *name, gh_str *value)
{
	for (size_t i = 0; i < resp->nheaders; i++) {
		if (gh_str_ieq_c(resp->headers[i].name, name)) {
			*value = resp->headers[i].value;
			return true;
		}
	}
	*value = (gh_str){ "", 0 };
	return false;
}
