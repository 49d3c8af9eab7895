/*
 * alloc_fork.c: fork while other threads allocate (issue 2 "fork-safe",
 * issue 5; glibc's tst-mallocfork2 and tst-malloc-fork-deadlock in spirit).
 *
 * Background threads run malloc/realloc/free in a tight loop, so at the
 * moment of each fork some thread is likely inside the allocator holding
 * its lock.  Without pthread_atfork handling the child inherits that lock
 * held by a thread that no longer exists and deadlocks on its first
 * malloc; with it, the child must be able to allocate, realloc and free
 * freely, find a consistent heap, and exit 0.  A watchdog alarm in the
 * child turns a deadlock into a SIGALRM death the parent reports.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "flmalloc.h"
#include "lib/block_pattern.h"
#include "lib/check.h"

#define BACKGROUND_THREADS 3
#define FORKS 20
#define CHILD_BLOCKS 512
#define CHILD_OPS 5000
#define CHILD_WATCHDOG_SECONDS 20

/* Child exit codes, so the parent can say what went wrong. */
enum child_status {
	CHILD_OK = 0,
	CHILD_ALLOC_FAILED = 10,
	CHILD_CORRUPT = 11,
	CHILD_HEAP_INCONSISTENT = 12,
	CHILD_PARENT_BLOCK_DAMAGED = 13,
};

static atomic_bool stop_background;
static atomic_ulong background_ops;

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *background_main(void *arg)
{
	uint64_t rng = (uintptr_t)arg * 0x9e3779b97f4a7c15ULL | 1;
	enum { SLOTS = 64 };
	void *slots[SLOTS] = { 0 };
	while (!atomic_load_explicit(&stop_background, memory_order_relaxed)) {
		uint64_t r = xorshift(&rng);
		void **s = &slots[r % SLOTS];
		size_t size = (r >> 8) % 3000;
		if (*s == NULL) {
			/* Now and then a big block, so forks also catch the mmap path. */
			if ((r >> 40) % 256 == 0)
				size = 600 * 1024;
			*s = flmalloc_malloc(size);
			if (*s)
				memset(*s, 0x5c, size);
		} else if ((r >> 20) & 1) {
			void *q = flmalloc_realloc(*s, size + 1);
			if (q)
				*s = q;
		} else {
			flmalloc_free(*s);
			*s = NULL;
		}
		atomic_fetch_add_explicit(&background_ops, 1, memory_order_relaxed);
	}
	for (int i = 0; i < SLOTS; i++)
		flmalloc_free(slots[i]);
	return NULL;
}

/* The child: only async-signal-safe calls besides the allocator, since
 * another thread of the parent may have held any libc lock at fork time. */
static int child_main(unsigned fork_index, const unsigned char *parent_block, size_t parent_size,
		      uint64_t parent_tag)
{
	alarm(CHILD_WATCHDOG_SECONDS);
	/* A block the parent filled before forking is still intact. */
	if (block_first_mismatch(parent_block, parent_size, parent_tag, parent_size) != parent_size)
		return CHILD_PARENT_BLOCK_DAMAGED;

	static unsigned char *blocks[CHILD_BLOCKS];
	static size_t sizes[CHILD_BLOCKS];
	static uint64_t tags[CHILD_BLOCKS];
	uint64_t rng = 0x1234567ULL + fork_index, next_tag = 0;
	for (int op = 0; op < CHILD_OPS; op++) {
		uint64_t r = xorshift(&rng);
		unsigned i = (unsigned)(r % CHILD_BLOCKS);
		size_t size = (r >> 16) % 2000;
		if ((r >> 48) % 512 == 0)
			size = 300 * 1024;
		if (blocks[i] == NULL) {
			blocks[i] = flmalloc_malloc(size);
			if (blocks[i] == NULL)
				return CHILD_ALLOC_FAILED;
			sizes[i] = size;
			tags[i] = ++next_tag;
			block_fill(blocks[i], size, tags[i]);
			continue;
		}
		if (block_first_mismatch(blocks[i], sizes[i], tags[i], sizes[i]) != sizes[i])
			return CHILD_CORRUPT;
		if ((r >> 32) & 1) {
			unsigned char *q = flmalloc_realloc(blocks[i], size + 1);
			if (q == NULL)
				return CHILD_ALLOC_FAILED;
			blocks[i] = q;
			sizes[i] = size + 1;
			tags[i] = ++next_tag;
			block_fill(q, sizes[i], tags[i]);
		} else {
			flmalloc_free(blocks[i]);
			blocks[i] = NULL;
		}
	}
	for (unsigned i = 0; i < CHILD_BLOCKS; i++) {
		if (blocks[i] &&
		    block_first_mismatch(blocks[i], sizes[i], tags[i], sizes[i]) != sizes[i])
			return CHILD_CORRUPT;
		flmalloc_free(blocks[i]);
	}
	if (flmalloc_check_heap() != 0)
		return CHILD_HEAP_INCONSISTENT;
	return CHILD_OK;
}

static const char *describe_child_exit(int code)
{
	switch (code) {
	case CHILD_ALLOC_FAILED: return "an allocation failed";
	case CHILD_CORRUPT: return "a block's contents changed";
	case CHILD_HEAP_INCONSISTENT: return "flmalloc_check_heap() failed";
	case CHILD_PARENT_BLOCK_DAMAGED: return "a block inherited from the parent was damaged";
	default: return "unexpected exit code";
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_t threads[BACKGROUND_THREADS];
	for (uintptr_t t = 0; t < BACKGROUND_THREADS; t++)
		REQUIRE(pthread_create(&threads[t], NULL, background_main, (void *)(t + 1)) == 0,
			"pthread_create failed");

	const size_t parent_size = 777;
	const uint64_t parent_tag = 0xfeedULL;
	unsigned char *parent_block = flmalloc_malloc(parent_size);
	REQUIRE(parent_block != NULL, "malloc failed");
	block_fill(parent_block, parent_size, parent_tag);

	unsigned ok = 0;
	for (unsigned f = 0; f < FORKS; f++) {
		/* Let the background threads get going (and into the allocator). */
		unsigned long seen = atomic_load(&background_ops);
		while (atomic_load(&background_ops) < seen + 2000)
			sched_yield();

		fflush(NULL);
		pid_t pid = fork();
		REQUIRE(pid >= 0, "fork failed: %s", strerror(errno));
		if (pid == 0)
			_exit(child_main(f, parent_block, parent_size, parent_tag));

		int status;
		pid_t got;
		do
			got = waitpid(pid, &status, 0);
		while (got < 0 && errno == EINTR);
		REQUIRE(got == pid, "waitpid failed: %s", strerror(errno));
		if (WIFSIGNALED(status)) {
			CHECK(0, "fork %u: child killed by signal %d (%s)%s", f, WTERMSIG(status),
			      strsignal(WTERMSIG(status)),
			      WTERMSIG(status) == SIGALRM ? ": deadlocked in the allocator after fork" : "");
		} else if (WEXITSTATUS(status) != 0) {
			CHECK(0, "fork %u: child exited %d: %s", f, WEXITSTATUS(status),
			      describe_child_exit(WEXITSTATUS(status)));
		} else {
			ok++;
		}
	}

	atomic_store(&stop_background, true);
	for (int t = 0; t < BACKGROUND_THREADS; t++)
		pthread_join(threads[t], NULL);
	printf("%u of %d children allocated and exited cleanly; background threads did %lu ops\n", ok,
	       FORKS, atomic_load(&background_ops));

	size_t bad = block_first_mismatch(parent_block, parent_size, parent_tag, parent_size);
	CHECK(bad == parent_size, "the parent's block changed at byte %zu across forks", bad);
	flmalloc_free(parent_block);
	CHECK(flmalloc_check_heap() == 0, "parent heap inconsistent after the forks");
	return check_exit_status("alloc_fork");
}
