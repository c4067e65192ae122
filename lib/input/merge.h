/* merge.h - the inputs merged by time (SPEC §3.1.3).
 *
 * Of the readers that hold a record, the next is the one whose record starts first;
 * ties go to the lower r->order: the source seen first by the database (a rotated file
 * holds the lines written before those of the file that took its name), then the
 * earlier input on the command line (`access.log*` lists the live file first). Each input stays in its own order:
 * what one input has out of order is put back in order later, by the retry worker's
 * reorder buffer (lib/retry/reorder.h). */
#ifndef RL_INPUT_MERGE_H
#define RL_INPUT_MERGE_H

#include <stddef.h>

#include "lib/input/reader.h"

/* The index of the reader whose record comes next, or n when none holds one. */
size_t rl_merge_next(const rl_reader *readers, size_t n);

#endif
