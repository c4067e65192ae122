/* base/scan.h - the first of two bytes in a run, sixteen bytes at a time where the
 * machine has SSE2 (every x86-64; a run of 16 bytes or more ends with its last 16,
 * overlapping), a byte at a time elsewhere and in a shorter run. For the line formats'
 * hand matchers: memchr finds one byte, and its call costs more than a short field. */
#ifndef RL_SCAN_H
#define RL_SCAN_H

#include <stddef.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The first byte in [p, end) equal to a or b; end when there is none. Reads nothing
 * outside [p, end). */
static inline const char *rl_find2(const char *p, const char *end, char a, char b)
{
#ifdef __SSE2__
	const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
	if (end - p >= 16) {
		while (end - p >= 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
			unsigned m =
				(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)));
			if (m)
				return p + __builtin_ctz(m);
			p += 16;
		}
		if (p == end)
			return end;
		/* the tail: the last 16 bytes of the run, those before p already seen */
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(end - 16));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)));
		m >>= 16 - (unsigned)(end - p);
		return m ? p + __builtin_ctz(m) : end;
	}
#endif
	while (p < end && *p != a && *p != b)
		p++;
	return p;
}

#endif
