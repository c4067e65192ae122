/* reader.h - one input as a stream of records.
 *
 * A reader takes lines from its source (lib/input/source.h), sniffs the format when the spec
 * is "auto" (lib/input/sniff.h), parses each line, skips blank ones and counts the rest: a
 * line that does not parse is a reject, counted and sampled (SPEC §2), never an error.
 * A document format (HAR) takes every line first and hands its entries out at the end.
 * It also notes the source's resolution (SPEC §3.1.1), which the retry worker reads.
 * Readers run on the parser thread; the record they hold is a view into the line
 * buffer, valid until the next rl_reader_pull(). */
#ifndef RL_INPUT_READER_H
#define RL_INPUT_READER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/store/writer.h"
#include "lib/base/err.h"
#include "lib/format/format.h"
#include "lib/format/record.h"
#include "lib/input/sniff.h"
#include "lib/input/source.h"
#include "lib/store/store.h"

/* What the readers of one run share: options, counters, the sample buffer of a flush. */
typedef struct rl_readers {
	const char *format_spec; /* the format given (NULL: auto, each source's own) */
	const rl_format_opts *format_opts;
	size_t max_line; /* bytes of a line (documents: RL_DOCUMENT_MAX_BYTES) */
	size_t max_samples; /* rejected-line samples per reader and run */
	uint64_t lines, rejected, skipped; /* over the run, every reader */
	rl_writer_sample *samples; /* since the last flush (the caller empties it) */
	size_t nsamples, cap_samples;
	void (*notice)(void *ctx, const char *source, const char *msg, bool is_error);
	void *notice_ctx;
	/* ticks of streams (lib/input/source.h): a commit may be due, or the run stopped */
	bool (*tick)(void *ctx);
	void *tick_ctx;
	int64_t tick_us;
	bool keep_pending; /* a plain file's last line without its newline waits (ingest) */
	/* ingest --shard I/N with I > 0: lines that hold no record (blank, rejected, other
	 * records of a JSON log) are shard 0's (SPEC §4), so they count nothing here */
	bool others_elsewhere;
	/* split: each line taken that holds no record, its bytes as read (cut: longer than
	 * max_line, p holds its first bytes only); a record's own line is the caller's
	 * (rec_p); split refuses a format that assembles records from parts */
	void (*other_line)(void *ctx, const char *p, size_t n, bool cut);
	void *other_line_ctx;
} rl_readers;

/* Formats a one-line message for the user and hands it to all->notice (when set). */
void rl_readers_notice(const rl_readers *all, const char *source, bool is_error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

typedef struct rl_reader {
	rl_readers *all;
	size_t index; /* the input's place on the command line */
	rl_source *src;
	rl_format *fmt;
	char name[256];
	uint32_t name_hash;
	dev_t dev;
	ino_t ino;
	bool skip; /* the same file as an earlier input */
	bool eof; /* no more records */
	int error; /* RL_EINPUT once a read failed (err says why); the caller clears it */
	bool failed; /* the caller reported a failure of this input */
	rl_err err;
	rl_store_source_delta *delta; /* counts since the last flush */
	_Atomic int64_t *time_res_pub, *dur_res_pub; /* the resolution, for the retry worker */
	size_t samples_taken; /* this run */
	rl_sniff sniff; /* lines read while sniffing, handed out before the source's own */
	struct rl_prefetch *prefetch; /* the lines read and parsed ahead, once started */
	bool no_prefetch; /* never for this input (a stream, a document, turned off) */
	/* the record waiting in the merge: *cur, which is rec or the prefetch's copy */
	rl_record rec;
	const rl_record *cur;
	const char *cur_tpl; /* its endpoint template when the prefetch made it, else NULL */
	size_t cur_tpl_n;
	bool has_rec;
	long long rec_line; /* its line, or its item number in a document */
	const char *rec_p; /* its line's bytes as read (a line format's), and their length */
	size_t rec_n;
	uint64_t parts_seen; /* lines that were a part of a record (CRI P lines) */
	/* a document format (har): its lines are taken, then its items handed out */
	long long last_line;
	bool doc_finished;
	int64_t time_res, dur_res; /* the finest in the first records */
	uint64_t res_lines;
	/* this run: lines that were not blank, and those the format read (records, parts
	 * of one, other records of a JSON log, records with a bad value) — none of many
	 * means the wrong format */
	uint64_t run_nonblank, run_parsed;
	/* where it was left (lib/input/checkpoint.h); a stream has none */
	long cp; /* index into the run's checkpoints, -1: none */
	uint64_t order; /* ties in the merge (lib/input/merge.h): its checkpoint's id, else after
			 * those, by its place on the command line */
	uint32_t fp_len; /* its fingerprint: FNV-1a 64 of its first fp_len bytes */
	uint64_t fp_hash;
	uint64_t file_size; /* at open (compressed for gzip) */
	int64_t mtime_ns;
	unsigned owed_lines; /* taken, counted with the record they make (rl_reader_count_record) */
	uint64_t done_offset; /* after the last line taken, and its number */
	long long done_lines;
	/* parts of a record the format holds (CRI's P lines) until its last part comes:
	 * nheld of them, from held_offset (after line held_lines); a checkpoint stops before
	 * them, and at the end of a plain file they are pending, with their bytes (held) */
	size_t nheld;
	uint64_t held_offset;
	long long held_lines;
	char *held;
	size_t nheld_bytes, capheld;
	bool part_held; /* the line just parsed was such a part */
	size_t pending_parts; /* at the end: the held parts made pending (with any line after them) */
	bool hold_unterminated; /* a last line without its newline waits (a plain file's) */
	char *pending; /* that line, held (malloc'd) */
	size_t npending;
	bool cut; /* a stop ended it midway */
	bool no_checkpoint; /* none of its lines parsed: it is read again next time */
} rl_reader;

/* Opens path ("-" is stdin) as reader index of all, noting its device and inode (to
 * tell a repeated input). The caller may set r->fmt; without one, rl_reader_start
 * sniffs. Returns 0 or RL_EINPUT (err names the file). */
int rl_reader_open(rl_reader *r, rl_readers *all, size_t index, const char *path, rl_err *err);

/* Chooses the format (sniffing for "auto") and reads the first record. An input whose
 * format cannot be told is read to its end as unreadable (r->error set). Returns 0, or
 * a system failure (RL_ENOMEM). */
int rl_reader_start(rl_reader *r, rl_err *err);

/* Reads until a record is held (r->has_rec) or the input ends (r->eof). */
void rl_reader_pull(rl_reader *r);

/* The record r holds is counted (its attempt goes to the analysis): its line is counted
 * with it. */
void rl_reader_count_record(rl_reader *r);

/* A line-format record's line is not counted: it is another shard's (ingest --shard). */
void rl_reader_drop_record(rl_reader *r);

/* Opens n bytes at data (copied) as an input named name: a pending line a report counts
 * (lib/input/checkpoint.h). */
int rl_reader_open_mem(rl_reader *r, rl_readers *all, size_t index, const char *name, const void *data, size_t n,
		       rl_err *err);

void rl_reader_close(rl_reader *r);

#endif
