/* check.h - a tiny test harness: CHECK macros that print file:line and both values,
 * and a summary "N passed, N failed" whose exit status ctest reads. */
#ifndef RL_CHECK_H
#define RL_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (cond) {                                                                      \
			check_passed++;                                                          \
		} else {                                                                         \
			check_failed++;                                                          \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		}                                                                                \
	} while (0)

#define CHECK_INT(got, want)                                                                                 \
	do {                                                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);                                     \
		if (g_ == w_) {                                                                              \
			check_passed++;                                                                      \
		} else {                                                                                     \
			check_failed++;                                                                      \
			fprintf(stderr, "%s:%d: %s == %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); \
		}                                                                                            \
	} while (0)

#define CHECK_STR(got, want)                                                                            \
	do {                                                                                            \
		const char *g_ = (got), *w_ = (want);                                                   \
		if (g_ && w_ && strcmp(g_, w_) == 0) {                                                  \
			check_passed++;                                                                 \
		} else {                                                                                \
			check_failed++;                                                                 \
			fprintf(stderr, "%s:%d: %s == \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got, \
				g_ ? g_ : "(null)", w_ ? w_ : "(null)");                                \
		}                                                                                       \
	} while (0)

/* A view compared with a C string; NULL want means "not set". */
#define CHECK_VIEW(view, want)                                                                               \
	do {                                                                                                 \
		rl_str v_ = (view);                                                                          \
		const char *w_ = (want);                                                                     \
		int ok_ = w_ ? (v_.p && v_.n == strlen(w_) && memcmp(v_.p, w_, v_.n) == 0) : v_.p == NULL;   \
		if (ok_) {                                                                                   \
			check_passed++;                                                                      \
		} else {                                                                                     \
			check_failed++;                                                                      \
			fprintf(stderr, "%s:%d: %s == \"%.*s\"%s, want \"%s\"\n", __FILE__, __LINE__, #view, \
				(int)v_.n, v_.p ? v_.p : "", v_.p ? "" : " (unset)", w_ ? w_ : "(unset)");   \
		}                                                                                            \
	} while (0)

/* How many rounds a randomized test runs: n, or a twentieth of it where every
 * instruction is many times slower (RL_UNDER_VALGRIND, set by tests/CMakeLists.txt
 * for the valgrind build). */
static inline long check_rounds(long n)
{
	return getenv("RL_UNDER_VALGRIND") ? n / 20 : n;
}

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
