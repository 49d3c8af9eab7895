/*
 * prog_record_threads.c: a program with known allocation counts, recorded
 * by tests/record_basic.sh.
 *
 *   prog_record_threads THREADS ITERS [fork|churn]
 *
 * The main thread (tid 0 in the trace) allocates THREADS*ITERS "handoff"
 * blocks of 1000..1499 bytes, then starts THREADS workers.  Every worker
 * iteration makes exactly 14 trace events, all with sizes >= 1000 so they
 * are told apart from the C library's own allocations:
 *   malloc 2 (one via realloc(NULL, n)), calloc 1, realloc 1,
 *   memalign 3 (memalign, posix_memalign, aligned_alloc),
 *   free 7 (one via realloc(p, 0), one the main thread's handoff block:
 *   a cross-thread free); free(NULL) is not an event.
 * With "fork", the main thread then forks a child that runs one worker
 * iteration ITERS times on its own and exits; the parent waits for it.
 * With "churn", the main thread then runs 20 short threads one after the
 * other, each one iteration without a handoff block (13 events): the
 * recorder gives each the trace tid of a thread that has exited, so the
 * trace has THREADS + 1 tids in all.
 * Exits 0; any failure exits 1 with a message.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void **handoff;
static int iters;

static void die(const char *what)
{
	fprintf(stderr, "prog_record_threads: %s failed\n", what);
	exit(1);
}

/* One iteration: 14 events, see above.  HANDOFF may be NULL (fork child:
 * then 13 events and a malloc/free pair of its own instead). */
static void iteration(int i, void *other)
{
	void *a = malloc(1000 + (size_t)(i % 500));
	void *b = calloc(10, 100);
	if (!a || !b)
		die("malloc/calloc");
	memset(a, 1, 1000);
	b = realloc(b, 1500);
	void *c = memalign(64, 1100);
	void *d = NULL;
	if (posix_memalign(&d, 128, 1200) != 0)
		die("posix_memalign");
	void *e = aligned_alloc(256, 1280);
	void *f = realloc(NULL, 1010);
	if (!b || !c || !e || !f)
		die("realloc/memalign/aligned_alloc");
	free(NULL);
	f = realloc(f, 0); /* glibc frees and returns NULL */
	free(f);           /* so this is free(NULL): not an event */
	free(other);
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

static void *churn_thread(void *arg)
{
	iteration((int)(long)arg, NULL);
	return NULL;
}

/* No worker exits before every worker has finished allocating: the
 * recorder would give an exited worker's tid to a later one, and the test
 * counts events per worker. */
static pthread_barrier_t all_done;

static void *worker(void *arg)
{
	int t = (int)(long)arg;
	for (int i = 0; i < iters; i++)
		iteration(i, handoff[(size_t)t * (size_t)iters + (size_t)i]);
	pthread_barrier_wait(&all_done);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		die("usage: THREADS ITERS [fork|churn]; argument parsing");
	int threads = atoi(argv[1]);
	iters = atoi(argv[2]);
	if (threads < 1 || threads > 64 || iters < 1)
		die("argument parsing");
	handoff = malloc((size_t)threads * (size_t)iters * sizeof *handoff); /* +1 malloc (size < 1000 only if small) */
	if (!handoff)
		die("malloc");
	for (int k = 0; k < threads * iters; k++)
		if (!(handoff[k] = malloc(1000 + (size_t)(k % 500))))
			die("malloc");
	pthread_t tid[64];
	if (pthread_barrier_init(&all_done, NULL, (unsigned)threads))
		die("pthread_barrier_init");
	for (int t = 0; t < threads; t++)
		if (pthread_create(&tid[t], NULL, worker, (void *)(long)t))
			die("pthread_create");
	for (int t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	if (argc > 3 && !strcmp(argv[3], "churn")) {
		for (int i = 0; i < 20; i++) {
			pthread_t t;
			if (pthread_create(&t, NULL, churn_thread, (void *)(long)i) || pthread_join(t, NULL))
				die("churn thread");
		}
	}
	if (argc > 3 && !strcmp(argv[3], "fork")) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			for (int i = 0; i < iters; i++) {
				void *mine = malloc(1200);
				iteration(i, mine);
			}
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			die("fork child");
	}
	free(handoff);
	return 0;
}
