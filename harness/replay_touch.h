/*
 * replay_touch.h: what a replay writes into each block it gets back
 * (--touch), inlined into every replay loop so the mode is a constant there.
 */
#ifndef FRAGLAB_REPLAY_TOUCH_H
#define FRAGLAB_REPLAY_TOUCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "replay.h"

#define REPLAY_PAGE 4096u

/* Writes a new block as --touch says.  Realloc'd blocks are written whole
 * too: the replay keeps no old sizes in the timing pass (8 bytes a slot). */
static inline __attribute__((always_inline)) void replay_touch_block(void *p, size_t size,
								     enum replay_touch touch)
{
	if (touch == REPLAY_TOUCH_ALL) {
		memset(p, 0x5a, size);
	} else if (touch == REPLAY_TOUCH_FIRST && size) {
		/* The block's first byte and the first byte of every later page it
		 * spans: every page is faulted in, with one store each. */
		volatile char *c = p;
		c[0] = 0x5a;
		uintptr_t end = (uintptr_t)p + size;
		for (uintptr_t q = ((uintptr_t)p & ~(uintptr_t)(REPLAY_PAGE - 1)) + REPLAY_PAGE; q < end;
		     q += REPLAY_PAGE)
			*(volatile char *)q = 0x5a;
	}
}

#endif
