/*
 * alloc_misuse.c: double frees and frees of pointers libflmalloc never
 * returned end the process with SIGABRT and a message on stderr naming the
 * call and the pointer (issue 2 "Misuse").
 *
 * Each misuse runs in a forked child whose stderr is a pipe; the child
 * first tells the parent (through a second pipe) which pointer it is about
 * to misuse, so the parent can look for that exact value in the message.
 * The pointer may be printed in any width as long as it is hex with a 0x
 * prefix, the way %p prints it.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flmalloc.h"
#include "lib/check.h"

/* A misuse scenario: sets things up, writes the pointer it will misuse to
 * report_fd, then misuses it.  Returning means the misuse went unnoticed. */
struct scenario {
	const char *name;
	const char *call;   /* the function the message must name */
	void (*run)(int report_fd);
};

static void report_pointer(int fd, const void *p)
{
	uintptr_t v = (uintptr_t)p;
	if (write(fd, &v, sizeof v) != (ssize_t)sizeof v)
		_exit(100);
}

static void double_free_between_live_neighbours(int fd)
{
	void *a = flmalloc_malloc(64), *b = flmalloc_malloc(64), *c = flmalloc_malloc(64);
	memset(b, 0x11, 64);
	flmalloc_free(b);
	report_pointer(fd, b);
	flmalloc_free(b);
	flmalloc_free(a);
	flmalloc_free(c);
}

/* After b coalesces into a's free block, b's old header lies inside a free
 * block; it must not still look like a live block's header. */
static void double_free_after_coalescing(int fd)
{
	void *a = flmalloc_malloc(200), *b = flmalloc_malloc(200), *c = flmalloc_malloc(200);
	flmalloc_free(b);
	flmalloc_free(a);
	report_pointer(fd, b);
	flmalloc_free(b);
	flmalloc_free(c);
}

/* A double free in the middle of a burst of frees, so the block's
 * neighbours are a mix of free and live ones.  (The second free comes
 * before any allocation: once the block is handed out again, freeing it
 * is a legal free of a live block that no header check could tell apart.) */
static void double_free_among_many(int fd)
{
	enum { N = 100 };
	void *blocks[N];
	for (int i = 0; i < N; i++)
		blocks[i] = flmalloc_malloc((size_t)(i * 13 % 300) + 1);
	for (int i = 0; i < N; i += 2)
		flmalloc_free(blocks[i]);
	report_pointer(fd, blocks[50]);
	flmalloc_free(blocks[50]);
}

/* A big block has a mapping of its own that free unmaps, header and all:
 * reading the header of a block freed twice faults unless the allocator
 * first makes sure the memory is still there.  A program's double free of
 * a large buffer is as common as of a small one, so it must get the same
 * message, not a SIGSEGV.  8 MiB is far above any sensible FLMALLOC_BIG. */
static void double_free_of_big_block(int fd)
{
	void *big = flmalloc_malloc(8 << 20), *small = flmalloc_malloc(100);
	memset(big, 0x22, 4096);
	flmalloc_free(big);
	report_pointer(fd, big);
	flmalloc_free(big);
	flmalloc_free(small);
}

/* The same for a big block with a large alignment, whose payload may sit
 * at a different place in its first page than a plain big block's. */
static void double_free_of_aligned_big_block(int fd)
{
	void *big = flmalloc_memalign(64 << 10, 4 << 20);
	memset(big, 0x23, 4096);
	flmalloc_free(big);
	report_pointer(fd, big);
	flmalloc_free(big);
}

/* A pointer where a big block's payload would be, into memory that is not
 * mapped at all (a stale pointer into a mapping long gone). */
static void free_into_unmapped_memory(int fd)
{
	unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				   -1, 0);
	if (page == MAP_FAILED || munmap(page, 4096) != 0)
		_exit(102);
	report_pointer(fd, page + 16);
	flmalloc_free(page + 16);
}

static void realloc_of_freed_block(int fd)
{
	void *a = flmalloc_malloc(48), *b = flmalloc_malloc(48), *c = flmalloc_malloc(48);
	flmalloc_free(b);
	report_pointer(fd, b);
	void *r = flmalloc_realloc(b, 100);
	(void)r;
	flmalloc_free(a);
	flmalloc_free(c);
}

static void free_of_interior_pointer(int fd)
{
	char *p = flmalloc_malloc(256);
	memset(p, 0, 256);
	report_pointer(fd, p + 16);
	flmalloc_free(p + 16);
}

static void free_of_pointer_plus_8(int fd)
{
	char *p = flmalloc_malloc(256);
	memset(p, 0x7f, 256);
	report_pointer(fd, p + 8);
	flmalloc_free(p + 8);
}

static void free_of_misaligned_pointer(int fd)
{
	char *p = flmalloc_malloc(100);
	report_pointer(fd, p + 1);
	flmalloc_free(p + 1);
}

static void free_of_stack_address(int fd)
{
	/* The "header" in front of the pointer is inside the array, so even
	 * the sanitized build may read it. */
	alignas(16) unsigned char stack_buffer[128];
	memset(stack_buffer, 0x41, sizeof stack_buffer);
	report_pointer(fd, stack_buffer + 64);
	flmalloc_free(stack_buffer + 64);
	/* Keep the buffer alive past the free. */
	if (stack_buffer[0] != 0x41)
		_exit(101);
}

static alignas(64) unsigned char static_buffer[256];

static void free_of_static_address(int fd)
{
	memset(static_buffer, 0, sizeof static_buffer);
	report_pointer(fd, static_buffer + 128);
	flmalloc_free(static_buffer + 128);
}

/* A page the allocator never mapped, full of plausible-looking zeros. */
static void free_of_foreign_mapping(int fd)
{
	unsigned char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				   -1, 0);
	if (page == MAP_FAILED)
		_exit(102);
	report_pointer(fd, page + 256);
	flmalloc_free(page + 256);
}

static void realloc_of_stack_address(int fd)
{
	alignas(16) unsigned char stack_buffer[128];
	memset(stack_buffer, 0x5a, sizeof stack_buffer);
	report_pointer(fd, stack_buffer + 64);
	void *r = flmalloc_realloc(stack_buffer + 64, 1000);
	(void)r;
	if (stack_buffer[0] != 0x5a)
		_exit(101);
}

static const struct scenario scenarios[] = {
	{ "double free between live neighbours", "free", double_free_between_live_neighbours },
	{ "double free after coalescing", "free", double_free_after_coalescing },
	{ "double free among many frees", "free", double_free_among_many },
	{ "double free of a big block", "free", double_free_of_big_block },
	{ "double free of a 64 KiB-aligned big block", "free", double_free_of_aligned_big_block },
	{ "free into unmapped memory", "free", free_into_unmapped_memory },
	{ "realloc of a freed block", "realloc", realloc_of_freed_block },
	{ "free of an interior pointer (+16)", "free", free_of_interior_pointer },
	{ "free of malloc's pointer + 8", "free", free_of_pointer_plus_8 },
	{ "free of a misaligned pointer (+1)", "free", free_of_misaligned_pointer },
	{ "free of a stack address", "free", free_of_stack_address },
	{ "free of a static array's address", "free", free_of_static_address },
	{ "free inside a foreign mmap", "free", free_of_foreign_mapping },
	{ "realloc of a stack address", "realloc", realloc_of_stack_address },
};

/* Does `text` contain a 0x-prefixed hex number equal to `value`? */
static bool mentions_pointer(const char *text, uintptr_t value)
{
	for (const char *s = strstr(text, "0x"); s; s = strstr(s + 2, "0x")) {
		const char *digits = s + 2;
		if (!isxdigit((unsigned char)*digits))
			continue;
		errno = 0;
		unsigned long long parsed = strtoull(digits, NULL, 16);
		if (errno == 0 && parsed == value)
			return true;
	}
	return false;
}

static size_t read_all(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == cap - 1)
			break;
	}
	buf[len] = '\0';
	return len;
}

static void run_scenario(const struct scenario *sc)
{
	int err_pipe[2], report_pipe[2];
	REQUIRE(pipe(err_pipe) == 0 && pipe(report_pipe) == 0, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		/* No core files: this abort is the expected outcome. */
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		close(err_pipe[0]);
		close(report_pipe[0]);
		dup2(err_pipe[1], STDERR_FILENO);
		close(err_pipe[1]);
		sc->run(report_pipe[1]);
		_exit(0);
	}
	close(err_pipe[1]);
	close(report_pipe[1]);

	uintptr_t pointer = 0;
	bool have_pointer = read(report_pipe[0], &pointer, sizeof pointer) == (ssize_t)sizeof pointer;
	close(report_pipe[0]);
	char message[4096];
	read_all(err_pipe[0], message, sizeof message);
	close(err_pipe[0]);
	int status;
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));

	printf("%-40s -> %s %d; stderr: %s%s", sc->name, WIFSIGNALED(status) ? "signal" : "exit",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
	       message[0] ? message : "(nothing)\n",
	       message[0] && message[strlen(message) - 1] != '\n' ? "\n" : "");
	CHECK(have_pointer, "%s: the child never got to the misuse", sc->name);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT,
	      "%s: expected death by SIGABRT, got %s %d", sc->name,
	      WIFSIGNALED(status) ? "signal" : "exit status",
	      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	CHECK(strstr(message, sc->call) != NULL, "%s: the message does not name the call %s()",
	      sc->name, sc->call);
	CHECK(!have_pointer || mentions_pointer(message, pointer),
	      "%s: the message does not name the pointer %#llx", sc->name,
	      (unsigned long long)pointer);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The runner's per-policy runs matter here: where the header check
	 * looks differs between policies' block layouts. */
	struct flmalloc_stats s;
	flmalloc_stats(&s);
	printf("policy %s\n", s.policy);
	for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		run_scenario(&scenarios[i]);
	/* The misuse happened in children only: this heap is untouched. */
	CHECK(flmalloc_check_heap() == 0, "the parent's heap is inconsistent");
	return check_exit_status("alloc_misuse");
}
