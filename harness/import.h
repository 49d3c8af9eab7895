/* import.h: converters from other trace formats to fraglab's v1 JSONL. */
#ifndef FRAGLAB_IMPORT_H
#define FRAGLAB_IMPORT_H

#include "record_writer.h"

/* Converts the CS:APP malloclab trace IN_PATH (.rep) into W's events.
 * Returns 0, or -1 after printing "fraglab import: FILE:LINE: WHAT". */
int import_malloclab(const char *in_path, struct record_writer *w);

#endif
