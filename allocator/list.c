/*
 * list.c: doubly linked free lists threaded through the free blocks' own
 * next/prev cells.  Invariant: head->prev == NULL, tail->next == NULL,
 * x->next->prev == x for every listed x; head and tail are NULL together.
 */
#include "internal.h"

void fl_list_push_front(struct fl_list *l, struct fl_block *b)
{
	b->prev = NULL;
	b->next = l->head;
	if (l->head)
		l->head->prev = b;
	else
		l->tail = b;
	l->head = b;
}

void fl_list_push_back(struct fl_list *l, struct fl_block *b)
{
	b->next = NULL;
	b->prev = l->tail;
	if (l->tail)
		l->tail->next = b;
	else
		l->head = b;
	l->tail = b;
}

void fl_list_insert_before(struct fl_list *l, struct fl_block *pos, struct fl_block *b)
{
	if (!pos) {
		fl_list_push_back(l, b);
		return;
	}
	b->next = pos;
	b->prev = pos->prev;
	if (pos->prev)
		pos->prev->next = b;
	else
		l->head = b;
	pos->prev = b;
}

void fl_list_unlink(struct fl_list *l, struct fl_block *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		l->head = b->next;
	if (b->next)
		b->next->prev = b->prev;
	else
		l->tail = b->prev;
}

void fl_list_substitute(struct fl_list *l, struct fl_block *old, struct fl_block *nb)
{
	struct fl_block *next = old->next, *prev = old->prev;
	nb->next = next;
	nb->prev = prev;
	if (prev)
		prev->next = nb;
	else
		l->head = nb;
	if (next)
		next->prev = nb;
	else
		l->tail = nb;
}

int fl_list_check_links(const struct fl_list *l, const char *who)
{
	if (!l->head != !l->tail)
		return fl_check_fail(who, l->head ? (void *)l->head : (void *)l->tail);
	if (l->head && l->head->prev)
		return fl_check_fail(who, l->head);
	for (struct fl_block *b = l->head; b; b = b->next) {
		if (b->next ? b->next->prev != b : l->tail != b)
			return fl_check_fail(who, b);
	}
	return 0;
}
