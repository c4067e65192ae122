/* base/text.c - hashing and output-safe text. */
#include "lib/base/text.h"

#include <stdio.h>

static inline uint64_t read64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* A 32-bit load as little-endian: the byte order the short keys were always hashed in. */
static inline uint64_t le32(uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline uint64_t mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t rl_hash_bytes(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	const uint64_t k1 = 0xa0761d6478bd642fULL, k2 = 0xe7037ed1a0b428dbULL;
	uint64_t h = seed ^ k1 ^ (n * k2);
	while (n >= 16) {
		h = mix(read64(p) ^ k2 ^ h, read64(p + 8) ^ k1);
		p += 16;
		n -= 16;
	}
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		a = read64(p);
		b = read64(p + n - 8);
	} else if (n >= 4) { /* the n bytes little-endian, as the byte loop had them: two loads */
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		a = le32(lo) | (uint64_t)le32(hi) << (8 * (n - 4));
	} else if (n > 0) {
		a = p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1));
	}
	return mix(h ^ a ^ k2, b ^ k1 ^ n);
}

uint64_t rl_fnv1a64(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	unsigned min;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	unsigned cp = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 controls (U+0080..U+009F) act on some terminals: escape them too. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	/* bidi embeddings, overrides and isolates reorder what a terminal shows ("Trojan
	 * Source", CVE-2021-42574): a log line must not disguise itself; escape them too */
	if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
		return 0;
	return len;
}

/* Bytes one step of cleaning consumes (*l) and writes (return). */
static size_t clean_step(const unsigned char *s, size_t left, size_t *l)
{
	size_t k = utf8_len(s, left);
	if (k == 0 || (k == 1 && (s[0] < 0x20 || s[0] == 0x7f))) {
		*l = 1;
		return 4; /* \xNN */
	}
	*l = k;
	return k;
}

size_t rl_text_clean(char *dst, size_t cap, const char *src, size_t n)
{
	static const char ellipsis[] = "\xe2\x80\xa6";
	const size_t el = sizeof ellipsis - 1;
	const unsigned char *s = (const unsigned char *)src;
	if (cap == 0)
		return 0;
	size_t total = 0, l;
	for (size_t i = 0; i < n; i += l)
		total += clean_step(s + i, n - i, &l);
	/* room for everything, or for what fits before an ellipsis */
	size_t room = total < cap ? total : (cap - 1 > el ? cap - 1 - el : 0);
	size_t o = 0, i = 0;
	while (i < n) {
		size_t out = clean_step(s + i, n - i, &l);
		if (o + out > room)
			break;
		if (out == 4 && l == 1)
			snprintf(dst + o, 5, "\\x%02x", s[i]);
		else
			memcpy(dst + o, s + i, l);
		o += out;
		i += l;
	}
	if (i < n && o + el < cap) {
		memcpy(dst + o, ellipsis, el);
		o += el;
	}
	dst[o] = 0;
	return o;
}

bool rl_parse_u64(rl_str s, uint64_t *out)
{
	if (s.n == 0 || s.n > 18)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';
		if (d > 9)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* --- JSON strings ------------------------------------------------------------- */

/* Appends the UTF-8 form of code point cp to dst[*o..max); false when it does not fit. */
static bool put_utf8(char *dst, size_t *o, size_t max, unsigned long cp)
{
	char b[4];
	size_t k;
	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (*o + k > max)
		return false;
	memcpy(dst + *o, b, k);
	*o += k;
	return true;
}

static int hex4(const char *s, size_t n, size_t i, unsigned long *cp)
{
	if (i + 4 > n)
		return 0;
	unsigned long v = 0;
	for (size_t k = i; k < i + 4; k++) {
		char c = s[k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (unsigned long)((c | 0x20) - 'a' + 10);
		else
			return 0;
	}
	*cp = v;
	return 1;
}

size_t rl_json_unescape(char *dst, size_t max, const char *s, size_t n, bool *cut_out)
{
	size_t o = 0, i = 0;
	bool cut = false;
	while (i < n) {
		unsigned long cp;
		size_t adv = 1;
		if (s[i] != '\\') {
			/* raw bytes, a whole character at a time */
			size_t l = 1;
			while (i + l < n && ((unsigned char)s[i + l] & 0xc0) == 0x80)
				l++;
			if (o + l > max) {
				cut = true;
				break;
			}
			memcpy(dst + o, s + i, l);
			o += l;
			i += l;
			continue;
		}
		if (i + 1 >= n) {
			cut = true;
			break;
		}
		adv = 2;
		switch (s[i + 1]) {
		case 'n':
			cp = '\n';
			break;
		case 't':
			cp = '\t';
			break;
		case 'r':
			cp = '\r';
			break;
		case 'b':
			cp = '\b';
			break;
		case 'f':
			cp = '\f';
			break;
		case 'u':
			if (i + 6 > n) {
				cut = true; /* the escape runs past the end of the body */
				cp = 0;
				break;
			}
			if (!hex4(s, n, i + 2, &cp)) {
				cp = '?'; /* not an escape: "\\u" stands for one character, no longer */
				break;
			}
			adv = 6;
			unsigned long lo;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 12 <= n && s[i + 6] == '\\' && s[i + 7] == 'u' &&
			    hex4(s, n, i + 8, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				adv = 12;
			} else if (cp >= 0xd800 && cp < 0xe000) {
				cp = 0xfffd;
			}
			break;
		default:
			cp = (unsigned char)s[i + 1]; /* \" \\ \/ and anything else as itself */
		}
		if (cut)
			break;
		if (!put_utf8(dst, &o, max, cp)) {
			cut = true;
			break;
		}
		i += adv;
	}
	if (cut_out)
		*cut_out = cut;
	return o;
}
