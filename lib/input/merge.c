/* merge.c - the inputs merged by start time (lib/input/merge.h). */
#include "lib/input/merge.h"

size_t rl_merge_next(const rl_reader *readers, size_t n)
{
	size_t best = n;
	int64_t best_start = 0;
	for (size_t i = 0; i < n; i++) {
		if (!readers[i].has_rec)
			continue;
		int64_t st = rl_record_start_us(readers[i].cur);
		if (best == n || st < best_start || (st == best_start && readers[i].order < readers[best].order)) {
			best = i;
			best_start = st;
		}
	}
	return best;
}
