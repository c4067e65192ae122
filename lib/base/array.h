/* base/array.h - growing a malloc'd array by doubling. */
#ifndef RL_ARRAY_H
#define RL_ARRAY_H

#include <stdint.h>
#include <stdlib.h>

/* Makes room in *arr (elements of sz bytes, *cap of them) for element n: doubles the
 * capacity (from 16) until n fits. Returns 0, or -1 when out of memory (*arr is then
 * unchanged). */
static inline int rl_array_grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap : 16;
	while (nc <= n) {
		if (nc > SIZE_MAX / 2 / (sz ? sz : 1))
			return -1; /* no doubling fits in memory */
		nc *= 2;
	}
	void *p = realloc(*arr, nc * sz);
	if (!p)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

#endif
