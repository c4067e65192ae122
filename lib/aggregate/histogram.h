/* aggregate/histogram.h - latency buckets that merge by addition (SPEC §4).
 *
 * A duration in µs maps to a bucket index with integers only: values below 128 µs get a
 * bucket each; above, each power of two is cut into 128 buckets, so a bucket is at most
 * 1/128 (< 1 %) of its values wide. Counts per bucket add across minutes, runs and
 * databases; percentiles are nearest-rank and report the bucket's upper edge. */
#ifndef RL_HISTOGRAM_H
#define RL_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

#define RL_HIST_SUB_BITS 7
#define RL_HIST_MAX_INDEX ((48 - RL_HIST_SUB_BITS + 1) << RL_HIST_SUB_BITS)

/* Bucket index of a duration (negative durations count as 0). */
uint32_t rl_hist_index(int64_t us);

/* The largest duration in µs that falls into bucket idx. */
int64_t rl_hist_upper_us(uint32_t idx);

typedef struct rl_hist_bin {
	uint32_t index;
	uint64_t count;
} rl_hist_bin;

/* Nearest-rank percentile p (1..100) over bins sorted by index; returns the bucket's
 * upper edge in µs, or -1 when the bins are empty. */
int64_t rl_hist_percentile(const rl_hist_bin *bins, size_t n, unsigned p);

#endif
