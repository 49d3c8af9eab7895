/*
 * rss.h: this process's resident memory, read from /proc without malloc or
 * stdio (raw read(2) into stack buffers), so it can run next to a replay.
 */
#ifndef FRAGLAB_RSS_H
#define FRAGLAB_RSS_H

#include <stddef.h>
#include <stdint.h>

/* Opens /proc/self/statm once; the returned fd is then read with pread at
 * offset 0 for each sample (no open per sample).  -1 on failure. */
int rss_open(void);

/* Resident bytes now (statm's second field times the page size); -1 on
 * failure. */
int64_t rss_current_bytes(int statm_fd);

/* Resets the kernel's resident high-water mark (VmHWM) to the current RSS by
 * writing "5" to /proc/self/clear_refs.  -1 if the kernel refuses. */
int rss_reset_peak(void);

/* VmHWM from /proc/self/status in bytes; -1 on failure. */
int64_t rss_peak_bytes(void);

#endif

/* Makes every page of every readable file-backed mapping resident (program
 * and library code, read-only data) by reading one byte per page, and
 * touches `stack_bytes` of stack below the caller.  Run before taking a
 * baseline, so that the first execution of harness or allocator code during
 * the replay does not fault pages in (fault-around maps up to 64 KiB per
 * fault) and count them as heap.  Anonymous mappings are left alone:
 * touching an allocator's reserved-but-unused memory would commit it.
 * Uses no malloc and no stdio. */
void rss_prefault_code(size_t stack_bytes);
