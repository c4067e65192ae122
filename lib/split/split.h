/* split/split.h - the map step of a shuffle by client (SPEC §4, retrylens split).
 *
 * The inputs are read once, merged by time as ingest merges them (lib/input/merge.h), and
 * each line is written unchanged to DIR/shard-I-of-N.log.gz, I the shard of its record's
 * client (lib/classify/identity.h: FNV-1a 64 of the client string, mod N). A line that
 * holds no record (blank, rejected, another record of a JSON log, one longer than
 * --max-line) goes to shard 0, so `ingest --shard I/N` of each part counts every line
 * once. Each file is written as FILE.tmp and renamed when the run ends. Refused, with
 * nothing left written (ingest such inputs with --shard instead, or split each format
 * apart): a document format (HAR), a format that makes records of parts (CRI P lines),
 * inputs of two formats (a part is read with one). A part holds the lines of every input merged by time, so the
 * sources of its ingest are the parts, not the original files. */
#ifndef RL_SPLIT_SPLIT_H
#define RL_SPLIT_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/err.h"
#include "lib/format/format.h"

typedef struct rl_split rl_split;

typedef struct rl_split_opts {
	const char *format; /* a format spec or "auto" */
	rl_format_opts format_opts; /* --field, --client, --trusted-proxy: who the client is */
	size_t max_line; /* of the ingest that reads the parts (0: 64 KiB) */
	uint32_t shards; /* N ≥ 1 */
	const char *out_dir; /* created when missing */
	int level; /* gzip level of the parts (0: 1, the fastest) */
	void (*notice)(void *ctx, const char *source, const char *msg, bool is_error);
	void *notice_ctx;
} rl_split_opts;

typedef struct rl_split_stats {
	uint64_t lines; /* written, every shard */
	uint64_t records; /* of them, lines of a record */
	uint64_t others; /* lines that hold no record: shard 0's */
	int stopped; /* the why given to rl_split_stop, 0 when input ended */
} rl_split_stats;

int rl_split_new(rl_split **out, const rl_split_opts *o, rl_err *err);
/* Reads every path ("-": stdin) and writes the parts. Returns 0; RL_EUSAGE for an
 * input split refuses (above); RL_EINPUT for a missing input (nothing written) or one that failed
 * midway (its lines so far, and the others', are written; the notice said which);
 * RL_EDB-free: a part that cannot be written is RL_EINPUT naming it. */
int rl_split_run(rl_split *sp, const char *const *paths, size_t n, rl_err *err);
/* Ends the run as if every input ended after the line it is reading (a signal). */
void rl_split_stop(rl_split *sp, int why);
const rl_split_stats *rl_split_stats_of(const rl_split *sp);
void rl_split_free(rl_split *sp);

#endif
