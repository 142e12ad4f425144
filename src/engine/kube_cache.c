#include "engine/kube_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

kobj *kobj_new(const char *cluster, const char *kind, const char *ns, const char *name, const char *body,
	       size_t body_len, int64_t rv)
{
	size_t lc = strlen(cluster) + 1, lk = strlen(kind) + 1, ln = strlen(ns) + 1, lm = strlen(name) + 1;
	kobj *o = malloc(sizeof *o + lc + lk + ln + lm + body_len + 1);
	if (!o)
		return NULL;
	char *p = (char *)(o + 1);
	atomic_init(&o->refs, 1);
	o->rv = rv;
	o->cluster = memcpy(p, cluster, lc), p += lc;
	o->kind = memcpy(p, kind, lk), p += lk;
	o->ns = memcpy(p, ns, ln), p += ln;
	o->name = memcpy(p, name, lm), p += lm;
	o->body = memcpy(p, body, body_len);
	o->body[body_len] = '\0';
	o->body_len = body_len;
	return o;
}

kobj *kobj_ref(kobj *o)
{
	if (o)
		atomic_fetch_add(&o->refs, 1);
	return o;
}

void kobj_unref(kobj *o)
{
	if (o && atomic_fetch_sub(&o->refs, 1) == 1)
		free(o);
}

/* One (cluster, kind): an open-addressing table keyed by namespace/name. */
typedef struct kind_table {
	char *cluster, *kind;
	kobj **slots; /* NULL = empty; TOMB = deleted */
	size_t cap, used, live;
} kind_table;

static kobj tomb_obj;
#define TOMB (&tomb_obj)

typedef struct logged {
	int64_t rv;
	kube_event_type type;
	kobj *obj;
} logged;

struct kube_cache {
	pthread_rwlock_t mu;
	kind_table *kinds;
	size_t nkinds, capkinds;
	int64_t rv;
	/* the event log: a ring of the last KUBE_EVENT_LOG events */
	pthread_mutex_t log_mu;
	pthread_cond_t log_cv;
	logged *log;
	size_t head, count; /* head = index of the oldest */
	int64_t oldest_rv;  /* events after this one are all in the log */
	bool closed;
};

static uint64_t hash_key(const char *ns, const char *name)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = ns; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ '/') * 1099511628211ULL;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

kube_cache *kube_cache_new(void)
{
	kube_cache *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->log = calloc(KUBE_EVENT_LOG, sizeof *c->log);
	if (!c->log) {
		free(c);
		return NULL;
	}
	pthread_rwlock_init(&c->mu, NULL);
	pthread_mutex_init(&c->log_mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->log_cv, &ca);
	pthread_condattr_destroy(&ca);
	return c;
}

void kube_cache_free(kube_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nkinds; i++) {
		kind_table *t = &c->kinds[i];
		for (size_t j = 0; j < t->cap; j++)
			if (t->slots[j] && t->slots[j] != TOMB)
				kobj_unref(t->slots[j]);
		free(t->slots);
		free(t->cluster);
		free(t->kind);
	}
	free(c->kinds);
	for (size_t i = 0; i < c->count; i++)
		kobj_unref(c->log[(c->head + i) % KUBE_EVENT_LOG].obj);
	free(c->log);
	pthread_rwlock_destroy(&c->mu);
	pthread_mutex_destroy(&c->log_mu);
	pthread_cond_destroy(&c->log_cv);
	free(c);
}

static kind_table *find_kind(kube_cache *c, const char *cluster, const char *kind, bool create)
{
	for (size_t i = 0; i < c->nkinds; i++)
		if (strcmp(c->kinds[i].kind, kind) == 0 && strcmp(c->kinds[i].cluster, cluster) == 0)
			return &c->kinds[i];
	if (!create)
		return NULL;
	if (c->nkinds == c->capkinds) {
		size_t nc = c->capkinds ? 2 * c->capkinds : 16;
		kind_table *bigger = realloc(c->kinds, nc * sizeof *bigger);
		if (!bigger)
			return NULL;
		c->kinds = bigger;
		c->capkinds = nc;
	}
	kind_table *t = &c->kinds[c->nkinds];
	*t = (kind_table){ .cluster = strdup(cluster), .kind = strdup(kind), .cap = 16 };
	t->slots = calloc(t->cap, sizeof *t->slots);
	if (!t->cluster || !t->kind || !t->slots) {
		free(t->cluster);
		free(t->kind);
		free(t->slots);
		return NULL;
	}
	c->nkinds++;
	return t;
}

static size_t slot_of(const kind_table *t, const char *ns, const char *name, bool *found)
{
	size_t mask = t->cap - 1, i = (size_t)hash_key(ns, name) & mask, first_tomb = (size_t)-1;
	for (;;) {
		kobj *o = t->slots[i];
		if (!o) {
			*found = false;
			return first_tomb != (size_t)-1 ? first_tomb : i;
		}
		if (o == TOMB) {
			if (first_tomb == (size_t)-1)
				first_tomb = i;
		} else if (strcmp(o->name, name) == 0 && strcmp(o->ns, ns) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & mask;
	}
}

static bool grow(kind_table *t)
{
	size_t nc = t->cap * 2;
	kobj **fresh = calloc(nc, sizeof *fresh);
	if (!fresh)
		return false;
	kobj **old = t->slots;
	size_t oc = t->cap;
	t->slots = fresh;
	t->cap = nc;
	t->used = t->live = 0;
	for (size_t i = 0; i < oc; i++) {
		if (!old[i] || old[i] == TOMB)
			continue;
		bool found;
		size_t s = slot_of(t, old[i]->ns, old[i]->name, &found);
		t->slots[s] = old[i];
		t->used++;
		t->live++;
	}
	free(old);
	return true;
}

/* Replaces or inserts; the cache takes `o`'s reference. */
static void table_put(kube_cache *c, kobj *o)
{
	kind_table *t = find_kind(c, o->cluster, o->kind, true);
	if (!t) {
		kobj_unref(o);
		return;
	}
	if ((t->used + 1) * 4 > t->cap * 3 && !grow(t)) {
		kobj_unref(o);
		return;
	}
	bool found;
	size_t s = slot_of(t, o->ns, o->name, &found);
	if (found) {
		kobj_unref(t->slots[s]);
	} else {
		if (!t->slots[s])
			t->used++;
		t->live++;
	}
	t->slots[s] = o;
}

static void table_remove(kube_cache *c, const kobj *o)
{
	kind_table *t = find_kind(c, o->cluster, o->kind, false);
	if (!t)
		return;
	bool found;
	size_t s = slot_of(t, o->ns, o->name, &found);
	if (!found)
		return;
	kobj_unref(t->slots[s]);
	t->slots[s] = TOMB;
	t->live--;
}

kobj *kube_cache_get(kube_cache *c, const char *cluster, const char *kind, const char *ns, const char *name)
{
	pthread_rwlock_rdlock(&c->mu);
	kobj *o = NULL;
	kind_table *t = find_kind(c, cluster, kind, false);
	if (t) {
		bool found;
		size_t s = slot_of(t, ns, name, &found);
		if (found)
			o = kobj_ref(t->slots[s]);
	}
	pthread_rwlock_unlock(&c->mu);
	return o;
}

static int cmp_obj(const void *a, const void *b)
{
	const kobj *x = *(kobj *const *)a, *y = *(kobj *const *)b;
	int r = strcmp(x->ns, y->ns);
	return r ? r : strcmp(x->name, y->name);
}

bool kube_cache_list(kube_cache *c, const char *cluster, const char *kind, const char *ns, kobj ***out,
		     size_t *n, int64_t *rv)
{
	*out = NULL;
	*n = 0;
	pthread_rwlock_rdlock(&c->mu);
	*rv = c->rv;
	kind_table *t = find_kind(c, cluster, kind, false);
	bool ok = true;
	if (t && t->live) {
		*out = malloc(t->live * sizeof **out);
		ok = *out != NULL;
		for (size_t i = 0; ok && i < t->cap; i++) {
			kobj *o = t->slots[i];
			if (o && o != TOMB && (!ns || strcmp(o->ns, ns) == 0))
				(*out)[(*n)++] = kobj_ref(o);
		}
	}
	pthread_rwlock_unlock(&c->mu);
	if (*n > 1)
		qsort(*out, *n, sizeof **out, cmp_obj);
	return ok;
}

void kube_cache_list_free(kobj **objs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kobj_unref(objs[i]);
	free(objs);
}

int64_t kube_cache_rv(kube_cache *c)
{
	pthread_rwlock_rdlock(&c->mu);
	int64_t rv = c->rv;
	pthread_rwlock_unlock(&c->mu);
	return rv;
}

static void log_append(kube_cache *c, kube_event_type type, kobj *o)
{
	pthread_mutex_lock(&c->log_mu);
	if (c->count == KUBE_EVENT_LOG) {
		logged *old = &c->log[c->head];
		c->oldest_rv = old->rv;
		kobj_unref(old->obj);
		c->head = (c->head + 1) % KUBE_EVENT_LOG;
		c->count--;
	}
	c->log[(c->head + c->count) % KUBE_EVENT_LOG] = (logged){ o->rv, type, kobj_ref(o) };
	c->count++;
	pthread_cond_broadcast(&c->log_cv);
	pthread_mutex_unlock(&c->log_mu);
}

void kube_cache_put(kube_cache *c, kobj *o, kube_event_type type)
{
	kobj_ref(o); /* one for the log */
	pthread_rwlock_wrlock(&c->mu);
	if (o->rv > c->rv)
		c->rv = o->rv;
	table_put(c, o);
	pthread_rwlock_unlock(&c->mu);
	log_append(c, type, o);
	kobj_unref(o);
}

void kube_cache_delete(kube_cache *c, kobj *final_state)
{
	pthread_rwlock_wrlock(&c->mu);
	if (final_state->rv > c->rv)
		c->rv = final_state->rv;
	table_remove(c, final_state);
	pthread_rwlock_unlock(&c->mu);
	log_append(c, KUBE_DELETED, final_state);
	kobj_unref(final_state);
}

void kube_cache_load(kube_cache *c, kobj *o)
{
	pthread_rwlock_wrlock(&c->mu);
	if (o->rv > c->rv)
		c->rv = o->rv;
	table_put(c, o);
	pthread_rwlock_unlock(&c->mu);
}

void kube_cache_set_rv(kube_cache *c, int64_t rv)
{
	pthread_rwlock_wrlock(&c->mu);
	if (rv > c->rv)
		c->rv = rv;
	pthread_rwlock_unlock(&c->mu);
	pthread_mutex_lock(&c->log_mu);
	if (!c->count && rv > c->oldest_rv)
		c->oldest_rv = rv;
	pthread_mutex_unlock(&c->log_mu);
}

static bool event_matches(const logged *l, const char *cluster, const char *kind, const char *ns)
{
	return strcmp(l->obj->kind, kind) == 0 && strcmp(l->obj->cluster, cluster) == 0 &&
	       (!ns || strcmp(l->obj->ns, ns) == 0);
}

int kube_cache_watch(kube_cache *c, const char *cluster, const char *kind, const char *ns, int64_t *since,
		     kube_event *out, int cap, int timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&c->log_mu);
	int k = 0;
	for (;;) {
		if (*since < c->oldest_rv) {
			pthread_mutex_unlock(&c->log_mu);
			return -1;
		}
		for (size_t i = 0; i < c->count && k < cap; i++) {
			logged *l = &c->log[(c->head + i) % KUBE_EVENT_LOG];
			if (l->rv <= *since)
				continue;
			*since = l->rv;
			if (event_matches(l, cluster, kind, ns))
				out[k++] = (kube_event){ l->type, kobj_ref(l->obj) };
		}
		if (k || c->closed)
			break;
		if (pthread_cond_timedwait(&c->log_cv, &c->log_mu, &deadline) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&c->log_mu);
	return k;
}

void kube_cache_close(kube_cache *c)
{
	pthread_mutex_lock(&c->log_mu);
	c->closed = true;
	pthread_cond_broadcast(&c->log_cv);
	pthread_mutex_unlock(&c->log_mu);
}
