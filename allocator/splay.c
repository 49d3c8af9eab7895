/*
 * splay.c: top-down splay trees (Sleator and Tarjan 1985) threaded through
 * free blocks.  A node needs only two links, which are the block's two list
 * cells (next = left child, prev = right child), so even a 32-byte block can
 * be a node: no parent pointers, no balance data.  Every operation is
 * O(log n) amortized.
 *
 * Keys: (size, address), unique because addresses are.  Best fit keeps its
 * free blocks in one such tree (policy_best_fit.c).  Invariant: an
 * in-order walk visits keys in ascending order.
 */
#include "internal.h"

#define LEFT(b) ((b)->next)
#define RIGHT(b) ((b)->prev)

/* Compares key k with block b.  k.self == b means "this very block", which
 * lets a caller find a block whose head already shows its next size. */
static int key_cmp(const struct fl_splay_key *k, const struct fl_block *b)
{
	if (k->self == b)
		return 0;
	size_t s = fl_size(b);
	if (k->size != s)
		return k->size < s ? -1 : 1;
	uintptr_t a = (uintptr_t)b;
	return k->addr < a ? -1 : k->addr > a;
}

/* Brings the node with key k, or the last node on its search path (k's
 * predecessor or successor), to the root. */
static struct fl_block *splay(struct fl_block *t, const struct fl_splay_key *k)
{
	struct fl_block frame = {0}, *l = &frame, *r = &frame, *y;
	if (!t)
		return NULL;
	for (;;) {
		int c = key_cmp(k, t);
		if (c < 0) {
			if (!LEFT(t))
				break;
			if (key_cmp(k, LEFT(t)) < 0) { /* zig-zig: rotate right */
				y = LEFT(t);
				LEFT(t) = RIGHT(y);
				RIGHT(y) = t;
				t = y;
				if (!LEFT(t))
					break;
			}
			LEFT(r) = t; /* link right */
			r = t;
			t = LEFT(t);
		} else if (c > 0) {
			if (!RIGHT(t))
				break;
			if (key_cmp(k, RIGHT(t)) > 0) { /* zag-zag: rotate left */
				y = RIGHT(t);
				RIGHT(t) = LEFT(y);
				LEFT(y) = t;
				t = y;
				if (!RIGHT(t))
					break;
			}
			RIGHT(l) = t; /* link left */
			l = t;
			t = RIGHT(t);
		} else {
			break;
		}
	}
	RIGHT(l) = LEFT(t);
	LEFT(r) = RIGHT(t);
	LEFT(t) = RIGHT(&frame);
	RIGHT(t) = LEFT(&frame);
	return t;
}

struct fl_splay_key fl_splay_key_of(const struct fl_block *b, size_t size)
{
	return (struct fl_splay_key){.size = size, .addr = (uintptr_t)b, .self = b};
}

void fl_splay_insert(struct fl_block **root, struct fl_block *b)
{
	struct fl_splay_key k = fl_splay_key_of(b, fl_size(b));
	k.self = NULL;
	struct fl_block *t = splay(*root, &k);
	if (!t) {
		LEFT(b) = RIGHT(b) = NULL;
	} else if (key_cmp(&k, t) < 0) {
		LEFT(b) = LEFT(t);
		RIGHT(b) = t;
		LEFT(t) = NULL;
	} else {
		RIGHT(b) = RIGHT(t);
		LEFT(b) = t;
		RIGHT(t) = NULL;
	}
	*root = b;
}

void fl_splay_remove(struct fl_block **root, const struct fl_splay_key *k)
{
	struct fl_block *t = splay(*root, k);
	if (!LEFT(t)) {
		*root = RIGHT(t);
		return;
	}
	/* Every key in the left subtree is below k: splaying k there brings
	 * its maximum up, which has no right child. */
	struct fl_block *x = splay(LEFT(t), k);
	RIGHT(x) = RIGHT(t);
	*root = x;
}

struct fl_block *fl_splay_lower_bound(struct fl_block **root, const struct fl_splay_key *k)
{
	struct fl_block *t = splay(*root, k);
	*root = t;
	if (!t || key_cmp(k, t) <= 0)
		return t;
	/* t is k's predecessor, so everything right of it is above k: the
	 * answer is that subtree's minimum, which splaying k brings up. */
	if (!RIGHT(t))
		return NULL;
	RIGHT(t) = splay(RIGHT(t), k);
	return RIGHT(t);
}

/* Recursion depth is bounded by the caller's budget: a degenerate tree
 * (a splay tree may be a path) must not overflow the stack. */
struct check_ctx {
	const char *who;
	size_t budget;
};

static int check_subtree(const struct fl_block *t, const struct fl_block *lo, const struct fl_block *hi,
			 struct check_ctx *ctx)
{
	size_t *budget = &ctx->budget;
	while (t) {
		if (fl_check_listed((struct fl_block *)t, ctx->who))
			return -1;
		if (!(*budget)--)
			return fl_check_fail("a splay tree is deeper than its block count", t);
		struct fl_splay_key k = fl_splay_key_of(t, fl_size(t));
		k.self = NULL;
		if ((lo && key_cmp(&k, lo) <= 0) || (hi && key_cmp(&k, hi) >= 0))
			return fl_check_fail("a splay tree is out of key order", t);
		if (check_subtree(LEFT(t), lo, t, ctx))
			return -1;
		lo = t;
		t = RIGHT(t);
	}
	return 0;
}

int fl_splay_check(const struct fl_block *root, const char *who)
{
	struct check_ctx ctx = {who, (size_t)(fl_state.heap_free / FL_MIN_BLOCK) + 1};
	return check_subtree(root, NULL, NULL, &ctx);
}
