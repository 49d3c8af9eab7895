/*
 * libbroken_nomalloc.c: a shared object that loads fine but defines no
 * malloc, so preloading it leaves glibc serving every call.  fraglab replay
 * must report status preload-failed for it, never a run measured on glibc.
 */
int broken_nomalloc_marker(void)
{
	return 42;
}
