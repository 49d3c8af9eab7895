/* allocators.c: allocator names to preloadable libraries, and the child's
 * proof that the preloaded library really serves malloc. */
#include "allocators.h"

#include "../allocator/flmalloc.h"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const kind_names[] = {
	[ALLOCATOR_GLIBC] = "glibc",       [ALLOCATOR_FLMALLOC] = "flmalloc",
	[ALLOCATOR_JEMALLOC] = "jemalloc", [ALLOCATOR_MIMALLOC] = "mimalloc",
	[ALLOCATOR_TCMALLOC] = "tcmalloc", [ALLOCATOR_PATH] = "path",
};

/* The Debian packages' sonames, most preferred first. */
static const char *const jemalloc_sonames[] = {"libjemalloc.so.2", NULL};
static const char *const mimalloc_sonames[] = {"libmimalloc.so.2", NULL};
static const char *const tcmalloc_sonames[] = {"libtcmalloc_minimal.so.4", "libtcmalloc.so.4", NULL};

const char *allocators_kind_name(enum allocator_kind kind)
{
	return kind_names[kind];
}

int allocators_kind_parse(const char *name)
{
	for (size_t k = 0; k < sizeof kind_names / sizeof kind_names[0]; k++)
		if (!strcmp(name, kind_names[k]))
			return (int)k;
	return -1;
}

static int is_regular_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The directory the running C library lives in (its multiarch directory on
 * Debian, e.g. /lib/x86_64-linux-gnu); "" if unknown. */
static void libc_dir(char *out, size_t len)
{
	Dl_info info;
	out[0] = '\0';
	if (!dladdr((void *)gnu_get_libc_version, &info) || !info.dli_fname)
		return;
	const char *slash = strrchr(info.dli_fname, '/');
	if (!slash)
		return;
	snprintf(out, len, "%.*s", (int)(slash - info.dli_fname), info.dli_fname);
}

/* Looks SONAME up in the linker cache (ldconfig -p), the last resort. */
static int find_in_ldconfig(const char *soname, char *out, size_t len)
{
	FILE *p = popen("ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null", "r");
	if (!p)
		return -1;
	char line[1024];
	int found = -1;
	while (fgets(line, sizeof line, p)) {
		char name[256], path[768];
		/* "\tlibjemalloc.so.2 (libc6,x86-64) => /lib/x86_64-linux-gnu/libjemalloc.so.2" */
		if (sscanf(line, " %255s (%*[^)]) => %767s", name, path) != 2)
			continue;
		if (found != 0 && !strcmp(name, soname) && is_regular_file(path)) {
			snprintf(out, len, "%s", path);
			found = 0;
		}
	}
	pclose(p);
	return found;
}

static int find_library(const char *const *sonames, char *out, size_t len, char *tried,
			size_t triedlen)
{
	char dir[PATH_MAX];
	libc_dir(dir, sizeof dir);
	const char *prefixes[] = {"", "/usr"};
	tried[0] = '\0';
	for (const char *const *s = sonames; *s; s++) {
		for (size_t i = 0; dir[0] && i < 2; i++) {
			/* /lib/ARCH and /usr/lib/ARCH (merged-usr or not) */
			const char *d = dir;
			if (i == 1 && !strncmp(dir, "/usr/", 5))
				d = dir + 4;
			snprintf(out, len, "%s%s/%s", prefixes[i], d, *s);
			if (is_regular_file(out))
				return 0;
		}
		const char *plain[] = {"/usr/lib", "/usr/local/lib", "/lib"};
		for (size_t i = 0; i < 3; i++) {
			snprintf(out, len, "%s/%s", plain[i], *s);
			if (is_regular_file(out))
				return 0;
		}
		if (find_in_ldconfig(*s, out, len) == 0)
			return 0;
		size_t used = strlen(tried);
		snprintf(tried + used, triedlen - used, "%s%s", used ? ", " : "", *s);
	}
	return -1;
}

int allocators_resolve(const char *name, const char *self_dir, struct allocator *out,
		       char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (strlen(name) >= sizeof out->label) {
		snprintf(err, errlen, "allocator name too long");
		return -1;
	}
	snprintf(out->label, sizeof out->label, "%s", name);
	if (!strcmp(name, "glibc")) {
		out->kind = ALLOCATOR_GLIBC;
		return 0;
	}
	if (!strcmp(name, "flmalloc") || !strncmp(name, "flmalloc:", 9)) {
		out->kind = ALLOCATOR_FLMALLOC;
		if (name[8] == ':') {
			const char *policy = name + 9;
			if (!*policy || strlen(policy) >= sizeof out->policy ||
			    strspn(policy, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(policy)) {
				snprintf(err, errlen, "allocator '%s': bad policy name", name);
				return -1;
			}
			snprintf(out->policy, sizeof out->policy, "%s", policy);
		}
		if ((size_t)snprintf(out->so_path, sizeof out->so_path, "%s/libflmalloc.so", self_dir) >=
			    sizeof out->so_path ||
		    !is_regular_file(out->so_path)) {
			snprintf(err, errlen, "allocator '%s': %s/libflmalloc.so not found (build it with make)",
				 name, self_dir);
			return -1;
		}
		return 0;
	}
	const char *const *sonames = NULL;
	if (!strcmp(name, "jemalloc")) {
		out->kind = ALLOCATOR_JEMALLOC;
		sonames = jemalloc_sonames;
	} else if (!strcmp(name, "mimalloc")) {
		out->kind = ALLOCATOR_MIMALLOC;
		sonames = mimalloc_sonames;
	} else if (!strcmp(name, "tcmalloc")) {
		out->kind = ALLOCATOR_TCMALLOC;
		sonames = tcmalloc_sonames;
	}
	if (sonames) {
		char tried[512];
		if (find_library(sonames, out->so_path, sizeof out->so_path, tried, sizeof tried) < 0) {
			snprintf(err, errlen, "allocator '%s': library not found (looked for %s)", name, tried);
			return -1;
		}
		return 0;
	}
	if (!strchr(name, '/')) {
		snprintf(err, errlen,
			 "unknown allocator '%s' (glibc, flmalloc, flmalloc:POLICY, jemalloc, mimalloc, "
			 "tcmalloc, or a path to a .so)",
			 name);
		return -1;
	}
	out->kind = ALLOCATOR_PATH;
	if (!is_regular_file(name)) {
		snprintf(err, errlen, "allocator '%s': no such file", name);
		return -1;
	}
	/* LD_PRELOAD wants a path the child can find from any directory. */
	if (!realpath(name, out->so_path)) {
		snprintf(err, errlen, "allocator '%s': cannot resolve path", name);
		return -1;
	}
	return 0;
}

/* 0 if symbol NAME's definition lies in the file with identity *want. */
static int symbol_in(const char *name, const struct stat *want, char *where, size_t wherelen)
{
	void *sym = dlsym(RTLD_DEFAULT, name);
	Dl_info info;
	struct stat st;
	snprintf(where, wherelen, "nowhere");
	if (!sym)
		return -1;
	if (!dladdr(sym, &info) || !info.dli_fname) {
		snprintf(where, wherelen, "an unknown object");
		return -1;
	}
	snprintf(where, wherelen, "%s", info.dli_fname[0] ? info.dli_fname : "the executable");
	if (stat(info.dli_fname, &st) != 0)
		return -1;
	return st.st_dev == want->st_dev && st.st_ino == want->st_ino ? 0 : -1;
}

int allocators_check_served(enum allocator_kind kind, const char *so_path, char *msg,
			    size_t msglen)
{
	static const char *const served[] = {"malloc", "calloc", "realloc", "memalign", "free"};
	static const char *const signature[] = {
		[ALLOCATOR_FLMALLOC] = "flmalloc_stats", [ALLOCATOR_JEMALLOC] = "mallctl",
		[ALLOCATOR_MIMALLOC] = "mi_version", [ALLOCATOR_TCMALLOC] = "tc_version",
	};
	char want_path[PATH_MAX];
	struct stat want;
	if (kind == ALLOCATOR_GLIBC) {
		Dl_info info;
		if (!dladdr((void *)gnu_get_libc_version, &info) || !info.dli_fname) {
			snprintf(msg, msglen, "cannot locate the C library");
			return -1;
		}
		snprintf(want_path, sizeof want_path, "%s", info.dli_fname);
	} else {
		snprintf(want_path, sizeof want_path, "%s", so_path);
	}
	if (stat(want_path, &want) != 0) {
		snprintf(msg, msglen, "%s: no such file", want_path);
		return -1;
	}
	char where[PATH_MAX];
	for (size_t i = 0; i < sizeof served / sizeof served[0]; i++)
		if (symbol_in(served[i], &want, where, sizeof where) != 0) {
			snprintf(msg, msglen, "%s is served by %s, not %s (preload failed?)", served[i],
				 where, want_path);
			return -1;
		}
	if (kind != ALLOCATOR_GLIBC && kind != ALLOCATOR_PATH &&
	    symbol_in(signature[kind], &want, where, sizeof where) != 0) {
		snprintf(msg, msglen, "%s does not define %s, so it is not %s", want_path,
			 signature[kind], kind_names[kind]);
		return -1;
	}
	/* flmalloc:POLICY: the policy asked for is the one running. */
	const char *policy = getenv("FLMALLOC_POLICY");
	if (kind == ALLOCATOR_FLMALLOC && policy) {
		void (*stats)(struct flmalloc_stats *);
		*(void **)&stats = dlsym(RTLD_DEFAULT, "flmalloc_stats");
		struct flmalloc_stats st = {0};
		stats(&st);
		if (!st.policy || strcmp(st.policy, policy)) {
			snprintf(msg, msglen, "FLMALLOC_POLICY=%s but flmalloc runs policy %s", policy,
				 st.policy ? st.policy : "(none)");
			return -1;
		}
	}
	return 0;
}
