/* fuzz_tmp.c: scratch files for the fuzz targets (fuzz_tmp.h). */
#include "fuzz_tmp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp_dir[PATH_MAX];

static void fuzz_tmp_remove_dir(void)
{
	fuzz_tmp_clear();
	rmdir(tmp_dir);
}

const char *fuzz_tmp_dir(void)
{
	if (tmp_dir[0])
		return tmp_dir;
	/* /dev/shm is tmpfs on Linux; TMPDIR otherwise. */
	struct stat st;
	const char *base = getenv("FUZZ_TMPDIR");
	if (!base || !*base)
		base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
			       ? "/dev/shm"
			       : (getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	snprintf(tmp_dir, sizeof tmp_dir, "%s/fraglab-fuzz.XXXXXX", base);
	if (!mkdtemp(tmp_dir)) {
		fprintf(stderr, "fuzz: cannot create a directory in %s: %s\n", base, strerror(errno));
		abort();
	}
	atexit(fuzz_tmp_remove_dir);
	return tmp_dir;
}

const char *fuzz_tmp_path(const char *file_name)
{
	static char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", fuzz_tmp_dir(), file_name);
	return path;
}

const char *fuzz_tmp_write(const uint8_t *data, size_t size, const char *suffix)
{
	static char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/input%s", fuzz_tmp_dir(), suffix);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "fuzz: cannot create %s: %s\n", path, strerror(errno));
		abort();
	}
	size_t done = 0;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "fuzz: cannot write %s: %s\n", path, strerror(errno));
			abort();
		}
		done += (size_t)n;
	}
	close(fd);
	return path;
}

void fuzz_tmp_clear(void)
{
	if (!tmp_dir[0])
		return;
	DIR *d = opendir(tmp_dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}
