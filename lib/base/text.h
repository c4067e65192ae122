/* base/text.h - byte views, hashing and safe text for output.
 *
 * Log content is untrusted bytes: not NUL-terminated, maybe not UTF-8, maybe holding
 * terminal escapes. Parsers pass rl_str views into the line buffer around; anything that
 * leaves the program (a template, a sample, a client name) goes through rl_text_clean()
 * first, so control bytes and invalid UTF-8 become visible \xNN text. */
#ifndef RL_TEXT_H
#define RL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A view of n bytes at p; p is not NUL-terminated and is borrowed from its owner. */
typedef struct rl_str {
	const char *p;
	size_t n;
} rl_str;

#define RL_STR_NULL ((rl_str){NULL, 0})

static inline rl_str rl_str_make(const char *p, size_t n)
{
	return (rl_str){p, n};
}

static inline bool rl_str_eq(rl_str a, const char *lit)
{
	size_t n = strlen(lit);
	return a.n == n && (n == 0 || memcmp(a.p, lit, n) == 0);
}

/* "-" or empty: the conventional "no value" of access logs. */
static inline bool rl_str_is_dash(rl_str a)
{
	return a.n == 0 || (a.n == 1 && a.p[0] == '-');
}

/* 64-bit hash of n bytes; fast, not cryptographic, stable across runs. */
uint64_t rl_hash_bytes(const void *p, size_t n, uint64_t seed);

/* FNV-1a 64 of n bytes (SPEC §4's shard hash). */
uint64_t rl_fnv1a64(const void *p, size_t n);

/* Mixes a 64-bit value (for integer keys). */
static inline uint64_t rl_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Copies src into dst (capacity cap ≥ 1, always NUL-terminated) so that it is valid
 * UTF-8 without control characters (C0, DEL, C1) or bidi overrides (U+202A..U+202E,
 * U+2066..U+2069): each such byte becomes "\xNN". Stops at a whole
 * character or escape; when src did not fit, the end is marked with "…". Returns the
 * length written. */
size_t rl_text_clean(char *dst, size_t cap, const char *src, size_t n);

/* Decodes the body of a JSON string (the text between its quotes, escapes as written)
 * into dst, at most cap bytes (no NUL added). \uXXXX escapes become UTF-8 (a pair of
 * surrogates one character, a lone one U+FFFD); other bytes are copied, a whole UTF-8
 * character at a time. Returns the length written; *cut (may be NULL) says that s did
 * not fit or ended inside an escape. A body that is valid JSON never decodes longer
 * than it is, so cap = n never cuts it. */
size_t rl_json_unescape(char *dst, size_t cap, const char *s, size_t n, bool *cut);

/* Parses an unsigned decimal of 1..18 digits; returns false on anything else. */
bool rl_parse_u64(rl_str s, uint64_t *out);

#endif
