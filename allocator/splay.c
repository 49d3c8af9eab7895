/*
 * splay.c: top-down splay trees (Sleator and Tarjan 1985) threaded through
 * free blocks.  A node needs only two links, which are the block's two list
 * cells (next = left child, prev = right child), so even a 32-byte block can
 * be a node: no parent pointers, no balance data.  Every operation is
 * O(log n) amortized.
 *
 * Keys: a tree orders its blocks by address (FL_SPLAY_BY_ADDRESS) or by
 * (size, address) (FL_SPLAY_BY_SIZE); keys are unique because addresses
 * are.  Invariant: an in-order walk visits keys in ascending order.
 */
#include "internal.h"

#define LEFT(b) ((b)->next)
#define RIGHT(b) ((b)->prev)

/* Compares key k with block b.  k.self == b means "this very block", which
 * lets a caller find a block whose head already shows its next size. */
static int key_cmp(const struct fl_splay_key *k, const struct fl_block *b, enum fl_splay_order order)
{
	if (k->self == b)
		return 0;
	if (order == FL_SPLAY_BY_SIZE) {
		size_t s = fl_size(b);
		if (k->size != s)
			return k->size < s ? -1 : 1;
	}
	uintptr_t a = (uintptr_t)b;
	return k->addr < a ? -1 : k->addr > a;
}

/* Brings the node with key k, or the last node on its search path (k's
 * predecessor or successor), to the root. */
static struct fl_block *splay(struct fl_block *t, const struct fl_splay_key *k, enum fl_splay_order order)
{
	struct fl_block frame = {0}, *l = &frame, *r = &frame, *y;
	if (!t)
		return NULL;
	for (;;) {
		int c = key_cmp(k, t, order);
		if (c < 0) {
			if (!LEFT(t))
				break;
			if (key_cmp(k, LEFT(t), order) < 0) { /* zig-zig: rotate right */
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
			if (key_cmp(k, RIGHT(t), order) > 0) { /* zag-zag: rotate left */
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

void fl_splay_insert(struct fl_block **root, struct fl_block *b, enum fl_splay_order order)
{
	struct fl_splay_key k = fl_splay_key_of(b, fl_size(b));
	k.self = NULL;
	struct fl_block *t = splay(*root, &k, order);
	if (!t) {
		LEFT(b) = RIGHT(b) = NULL;
	} else if (key_cmp(&k, t, order) < 0) {
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

void fl_splay_remove(struct fl_block **root, const struct fl_splay_key *k, enum fl_splay_order order)
{
	struct fl_block *t = splay(*root, k, order);
	if (!LEFT(t)) {
		*root = RIGHT(t);
		return;
	}
	/* Every key in the left subtree is below k: splaying k there brings
	 * its maximum up, which has no right child. */
	struct fl_block *x = splay(LEFT(t), k, order);
	RIGHT(x) = RIGHT(t);
	*root = x;
}

void fl_splay_replace(struct fl_block **root, const struct fl_splay_key *k, struct fl_block *nb,
		      enum fl_splay_order order)
{
	struct fl_block *t = splay(*root, k, order);
	struct fl_block *l = LEFT(t), *r = RIGHT(t);
	LEFT(nb) = l;
	RIGHT(nb) = r;
	*root = nb;
}

struct fl_block *fl_splay_lower_bound(struct fl_block **root, const struct fl_splay_key *k,
				      enum fl_splay_order order)
{
	struct fl_block *t = splay(*root, k, order);
	*root = t;
	if (!t || key_cmp(k, t, order) <= 0)
		return t;
	/* t is k's predecessor, so everything right of it is above k: the
	 * answer is that subtree's minimum, which splaying k brings up. */
	if (!RIGHT(t))
		return NULL;
	RIGHT(t) = splay(RIGHT(t), k, order);
	return RIGHT(t);
}

struct fl_block *fl_splay_first_fit(struct fl_block *root, size_t size)
{
	/* Morris in-order walk: O(n), no stack, the tree restored on exit. */
	struct fl_block *found = NULL, *cur = root;
	while (cur) {
		if (!LEFT(cur)) {
			if (!found && fl_size(cur) >= size)
				found = cur;
			cur = RIGHT(cur);
			continue;
		}
		struct fl_block *pred = LEFT(cur);
		while (RIGHT(pred) && RIGHT(pred) != cur)
			pred = RIGHT(pred);
		if (!RIGHT(pred)) {
			RIGHT(pred) = cur;
			cur = LEFT(cur);
		} else {
			RIGHT(pred) = NULL;
			if (!found && fl_size(cur) >= size)
				found = cur;
			cur = RIGHT(cur);
		}
	}
	return found;
}

/* Recursion depth is bounded by the caller's budget: a degenerate tree
 * (a splay tree may be a path) must not overflow the stack. */
struct check_ctx {
	enum fl_splay_order order;
	size_t min_size, max_size;
	const char *who;
	size_t budget;
};

static int check_subtree(const struct fl_block *t, const struct fl_block *lo, const struct fl_block *hi,
			 struct check_ctx *ctx)
{
	enum fl_splay_order order = ctx->order;
	size_t *budget = &ctx->budget;
	while (t) {
		if (fl_check_listed((struct fl_block *)t, ctx->who))
			return -1;
		if (fl_size(t) < ctx->min_size || fl_size(t) >= ctx->max_size)
			return fl_check_fail("a block sits in the wrong size class", t);
		if (!(*budget)--)
			return fl_check_fail("a splay tree is deeper than its block count", t);
		struct fl_splay_key k = fl_splay_key_of(t, fl_size(t));
		k.self = NULL;
		if ((lo && key_cmp(&k, lo, order) <= 0) || (hi && key_cmp(&k, hi, order) >= 0))
			return fl_check_fail("a splay tree is out of key order", t);
		if (check_subtree(LEFT(t), lo, t, ctx))
			return -1;
		lo = t;
		t = RIGHT(t);
	}
	return 0;
}

int fl_splay_check(const struct fl_block *root, enum fl_splay_order order, size_t min_size,
		   size_t max_size, const char *who)
{
	struct check_ctx ctx = {order, min_size, max_size, who,
				(size_t)(fl_state.heap_free / FL_MIN_BLOCK) + 1};
	return check_subtree(root, NULL, NULL, &ctx);
}
