/* arena: request-scoped memory, freed in one call.
 *
 * A review request lives for microseconds; everything it allocates comes from an arena
 * and goes away with gh_arena_free. Allocations are 16-byte aligned. */
#ifndef GH_BASE_ARENA_H
#define GH_BASE_ARENA_H

#include <stddef.h>

#include "base/str.h"

typedef struct gh_arena_block gh_arena_block;
typedef struct gh_arena {
	gh_arena_block *head;
	size_t block_size;
} gh_arena;

void gh_arena_init(gh_arena *a, size_t block_size); /* 0 = 16 KiB */
void *gh_arena_alloc(gh_arena *a, size_t n);	    /* zeroed; NULL on OOM */
char *gh_arena_strndup(gh_arena *a, const char *s, size_t n);
gh_str gh_arena_str(gh_arena *a, gh_str s);	    /* copy of s, NUL-terminated */
void gh_arena_free(gh_arena *a);

#endif
