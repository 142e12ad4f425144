#include "base/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct gh_arena_block {
	gh_arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void gh_arena_init(gh_arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 16384;
}

void *gh_arena_alloc(gh_arena *a, size_t n)
{
	if (n > SIZE_MAX - 64)
		return NULL;
	n = (n + 15) & ~(size_t)15;
	gh_arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > a->block_size ? n : a->block_size;
		b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *gh_arena_strndup(gh_arena *a, const char *s, size_t n)
{
	char *d = gh_arena_alloc(a, n + 1);
	if (!d)
		return NULL;
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

gh_str gh_arena_str(gh_arena *a, gh_str s)
{
	char *d = gh_arena_strndup(a, s.p, s.n);
	return d ? (gh_str){ d, s.n } : (gh_str){ "", 0 };
}

void gh_arena_free(gh_arena *a)
{
	gh_arena_block *b = a->head;
	while (b) {
		gh_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}
