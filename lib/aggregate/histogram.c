/* aggregate/histogram.c - log-linear bucket arithmetic. */
#include "lib/aggregate/histogram.h"

#define SUB (1u << RL_HIST_SUB_BITS)

uint32_t rl_hist_index(int64_t us)
{
	if (us < (int64_t)SUB)
		return us < 0 ? 0 : (uint32_t)us;
	unsigned e = 63 - (unsigned)__builtin_clzll((unsigned long long)us);
	if (e > 47)
		return RL_HIST_MAX_INDEX - 1;
	uint32_t sub = (uint32_t)(us >> (e - RL_HIST_SUB_BITS)) & (SUB - 1);
	return (e - RL_HIST_SUB_BITS + 1) * SUB + sub;
}

int64_t rl_hist_upper_us(uint32_t idx)
{
	if (idx < SUB)
		return idx;
	unsigned e = idx / SUB + RL_HIST_SUB_BITS - 1;
	int64_t sub = idx % SUB;
	int64_t lo = (1LL << e) + (sub << (e - RL_HIST_SUB_BITS));
	return lo + (1LL << (e - RL_HIST_SUB_BITS)) - 1;
}

int64_t rl_hist_percentile(const rl_hist_bin *bins, size_t n, unsigned p)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += bins[i].count;
	if (total == 0)
		return -1;
	uint64_t rank = (p * total + 99) / 100;
	if (rank == 0)
		rank = 1;
	uint64_t cum = 0;
	for (size_t i = 0; i < n; i++) {
		cum += bins[i].count;
		if (cum >= rank)
			return rl_hist_upper_us(bins[i].index);
	}
	return rl_hist_upper_us(bins[n - 1].index);
}
