/*
 * libbump.c: a bump allocator that never reuses memory, preloaded by the
 * replay tests and the harness-cost benchmark.
 *
 * Its cost per call is a few instructions, so replaying with it measures the
 * harness's own loop; and its syscalls are known exactly, so the syscall
 * counts fraglab reports can be checked:
 *   - blocks come from chunks of BUMP_CHUNK bytes (default 64 MiB), one
 *     mmap each, taken when the current chunk cannot hold the next block;
 *   - a request of BUMP_CHUNK/4 bytes or more gets a mapping of its own
 *     (one mmap), returned with one munmap when freed;
 *   - nothing else: chunk memory is never freed, never reused.
 * With BUMP_POPULATE=1 chunks are mapped with MAP_POPULATE, so the replay
 * never page-faults in chunk memory (the first chunk is mapped by fraglab's
 * warm-up malloc, before the measured region): with a chunk as large as
 * the whole trace needs, what remains of ns_per_op is the harness's loop
 * plus a call of a dozen instructions.
 * Each thread bumps in its own chunk (initial-exec TLS), so no lock or
 * atomic instruction adds to that cost.
 * Every block has a 16-byte header (its size, and its mapping length when it
 * has its own), so realloc can copy and free can unmap.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEADER 16

struct header {
	size_t size;  /* bytes requested */
	char *own;    /* the block's own mapping (its first word holds the
			 mapping's length), or NULL for a block in a chunk */
};

static __thread char *cursor __attribute__((tls_model("initial-exec")));
static __thread char *limit __attribute__((tls_model("initial-exec")));
static size_t chunk_size;
static int populate;

static size_t chunk_bytes(void)
{
	if (!chunk_size) {
		const char *s = getenv("BUMP_CHUNK");
		size_t v = s ? strtoull(s, NULL, 10) : 0;
		chunk_size = v >= 65536 ? v : (size_t)64 << 20;
		const char *pop = getenv("BUMP_POPULATE");
		populate = pop && *pop == '1';
	}
	return chunk_size;
}

static uintptr_t round_up(uintptr_t n, uintptr_t a)
{
	return (n + a - 1) & ~(a - 1);
}

static void *map(size_t len)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0);
	return m == MAP_FAILED ? NULL : m;
}

/* A block of size bytes at a multiple of align (a power of two >= 16). */
static void *bump(size_t size, size_t align)
{
	if (size > PTRDIFF_MAX / 2 || align > PTRDIFF_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	const size_t chunk = chunk_bytes();
	const size_t need = size + HEADER + sizeof(size_t) + align;
	char *p;
	if (need >= chunk / 4) {
		size_t len = round_up(need, 4096);
		char *m = map(len);
		if (!m) {
			errno = ENOMEM;
			return NULL;
		}
		*(size_t *)m = len;
		p = (char *)round_up((uintptr_t)m + sizeof(size_t) + HEADER, align);
		*(struct header *)(p - HEADER) = (struct header){size, m};
		return p;
	}
	p = (char *)round_up((uintptr_t)cursor + HEADER, align);
	if (!cursor || p + size > limit) {
		char *m = map(chunk);
		if (!m) {
			errno = ENOMEM;
			return NULL;
		}
		cursor = m;
		limit = m + chunk;
		p = (char *)round_up((uintptr_t)cursor + HEADER, align);
	}
	cursor = p + size;
	*(struct header *)(p - HEADER) = (struct header){size, NULL};
	return p;
}

static struct header *header_of(void *ptr)
{
	return (struct header *)((char *)ptr - HEADER);
}

void *malloc(size_t size)
{
	return bump(size, 16);
}

void free(void *ptr)
{
	if (ptr && header_of(ptr)->own)
		munmap(header_of(ptr)->own, *(size_t *)header_of(ptr)->own);
}

void *calloc(size_t nmemb, size_t size)
{
	size_t total;
	if (__builtin_mul_overflow(nmemb, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	return bump(total, 16); /* fresh mmap memory is zero and never reused */
}

void *realloc(void *ptr, size_t size)
{
	if (!ptr)
		return malloc(size);
	void *q = malloc(size);
	if (q) {
		size_t old = header_of(ptr)->size;
		memcpy(q, ptr, old < size ? old : size);
		free(ptr);
	}
	return q;
}

void *memalign(size_t align, size_t size)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	return bump(size, align < 16 ? 16 : align);
}

void *aligned_alloc(size_t align, size_t size)
{
	return memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	if (!align || (align & (align - 1)) || align % sizeof(void *))
		return EINVAL;
	void *p = memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *valloc(size_t size)
{
	return memalign(4096, size);
}

void *pvalloc(size_t size)
{
	return memalign(4096, round_up(size, 4096));
}

size_t malloc_usable_size(void *ptr)
{
	return ptr ? header_of(ptr)->size : 0;
}
