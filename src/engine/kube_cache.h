/* kube_cache: the Kubernetes API's objects in memory, and the event log watches read.
 *
 * The store (SQLite) is the truth; the cache holds every object's JSON as served, so reads
 * never touch SQLite, as kube-apiserver serves reads from its watch cache. Objects are
 * immutable and reference-counted: a reader takes references under a short read lock and
 * serializes without holding it. Writers (already serialized by the engine's write lock)
 * replace objects and append an event; watchers wait on the log's condition variable.
 * The log keeps the last KUBE_EVENT_LOG events; a watch from an older resourceVersion is
 * told it is too old (410 Gone), as upstream says once etcd compacted. */
#ifndef GH_ENGINE_KUBE_CACHE_H
#define GH_ENGINE_KUBE_CACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

#define KUBE_EVENT_LOG 8192

typedef struct kobj {
	atomic_int refs;
	int64_t rv;
	char *cluster, *kind, *ns, *name;
	char *body; /* the object as served, resourceVersion included */
	size_t body_len;
} kobj;

kobj *kobj_new(const char *cluster, const char *kind, const char *ns, const char *name, const char *body,
	       size_t body_len, int64_t rv);
kobj *kobj_ref(kobj *o);
void kobj_unref(kobj *o);

typedef enum { KUBE_ADDED, KUBE_MODIFIED, KUBE_DELETED } kube_event_type;

typedef struct kube_cache kube_cache;

kube_cache *kube_cache_new(void);
void kube_cache_free(kube_cache *c);

/* Readers. Results carry references the caller drops (kobj_unref). */
kobj *kube_cache_get(kube_cache *c, const char *cluster, const char *kind, const char *ns, const char *name);
/* Every object of the kind (ns NULL = all namespaces), sorted by namespace then name, and
 * the resourceVersion the list is consistent with. *out is malloc'd; free with
 * kube_cache_list_free. */
bool kube_cache_list(kube_cache *c, const char *cluster, const char *kind, const char *ns, kobj ***out,
		     size_t *n, int64_t *rv);
void kube_cache_list_free(kobj **objs, size_t n);
int64_t kube_cache_rv(kube_cache *c);

/* Writers (the engine's write lock held). `o` is taken over (its reference moves into
 * the cache); a delete passes the deleted object's final state. */
void kube_cache_put(kube_cache *c, kobj *o, kube_event_type type);
void kube_cache_delete(kube_cache *c, kobj *final_state);
/* At start, before any reader: loads without events. */
void kube_cache_load(kube_cache *c, kobj *o);
void kube_cache_set_rv(kube_cache *c, int64_t rv);

/* Watch: events after `*since` for the cluster and kind (ns NULL = all), waiting up to
 * timeout_ms for one. Returns the number of events written to out[] (references the
 * caller drops), 0 on timeout, or -1 when `since` is older than the log holds. *since
 * advances past what was returned (and past filtered-out events). */
typedef struct kube_event {
	kube_event_type type;
	kobj *obj;
} kube_event;
int kube_cache_watch(kube_cache *c, const char *cluster, const char *kind, const char *ns, int64_t *since,
		     kube_event *out, int cap, int timeout_ms);
/* Wakes every watcher (shutdown). */
void kube_cache_close(kube_cache *c);

#endif
