/* input/checkpoint.h - where each file input was left, and where it goes on (SPEC §4).
 *
 * A file source is known by its content, not its name: the FNV-1a 64 hash of its first
 * L bytes after decompression (L = min(size, 4 KiB), extended as it grows). Before a
 * run reads anything, each regular file's first bytes are peeked and matched against
 * the database's checkpoints: first by fingerprint and device/inode (the file itself,
 * perhaps renamed), then by fingerprint alone (a copy: logrotate's copytruncate, or a
 * compressed copy). A matched file goes on from its checkpoint (a seek, or inflating
 * and discarding for gzip); one that is shorter than what was read is read again from
 * its start (truncated in place and written anew); an unchanged compressed copy read to
 * its end is not opened further; a second input with the same first bytes as one
 * already placed is the same source, read once. Anything else is a new source.
 *
 * The checkpoints are written in the run's last transaction, with the counts they
 * cover (lib/store/writer.h keeps a file run in one transaction), so a run killed
 * midway leaves them where they were. Streams have none: they cannot be read again.
 *
 * A plain file's last line without its newline yet is pending (SPEC §4): not counted,
 * kept in the checkpoint, which stops before it; the next run reads it again, whole once
 * it has its newline, and a report counts it as if input ended there (rl_ingest_run_pending
 * on a copy of the database). A compressed copy cannot grow: its last line counts. */
#ifndef RL_INPUT_CHECKPOINT_H
#define RL_INPUT_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/base/err.h"
#include "lib/input/reader.h"
#include "lib/store/store.h"

#define RL_FINGERPRINT_MAX 4096

typedef struct rl_checkpoints {
	rl_store_checkpoint *v; /* the database's, then the run's new sources */
	bool *claimed; /* by an input of this run */
	size_t n, cap;
} rl_checkpoints;

/* Loads the database's checkpoints. */
int rl_checkpoints_load(rl_checkpoints *c, rl_store *st, rl_err *err);

/* Places every file input of srcs (opened, not started) at its checkpoint, as said
 * above: sets r->cp, seeks, restores the source's resolution and, when auto_format,
 * makes its format from the one it was read with; an input with nothing new, or
 * already placed, gets r->skip and a notice (through all's notice). Returns 0, or a
 * system failure (RL_ENOMEM); an input that cannot be peeked is left to fail as usual. */
int rl_checkpoints_place(rl_checkpoints *c, rl_reader *srcs, size_t n, bool auto_format, rl_err *err);

/* How many checkpoints hold a pending last line (one without its newline yet). */
size_t rl_checkpoints_pending(const rl_checkpoints *c);

/* Binds reader r (a memory source of checkpoint k's pending line, for a report) to its
 * source: its place in ties, its resolution and its format. */
void rl_checkpoints_bind(rl_checkpoints *c, rl_reader *r, size_t k);

/* In the run's last transaction: each placed input's checkpoint, as far as its lines
 * were counted. */
int rl_checkpoints_save(rl_checkpoints *c, const rl_reader *srcs, size_t n, rl_store *st, int64_t run_id, rl_err *err);

void rl_checkpoints_free(rl_checkpoints *c);

#endif
