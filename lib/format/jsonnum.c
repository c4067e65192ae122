/* jsonnum.c - the text of a JSON number that jansson has already turned into a double.
 *
 * Times and durations are read exactly from decimal text (SPEC §3.1.1); jansson keeps
 * reals as doubles, so the formats that read JSON with it (trace, har) recover the text
 * the writer printed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/internal.h"

/* The decimal text a writer printed for a JSON number: an integer exactly; a real as the
 * shortest text that reads back as the same double (what JSON.stringify and Python's repr
 * print), written out without an exponent. The text is then read with integers, like
 * every number in retrylens; the double only serves to find it. */
bool rl_json_number_text(const json_t *v, char *buf, size_t cap)
{
	int k;
	if (json_is_integer(v)) {
		k = snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		double d = json_real_value(v);
		char g[40];
		for (int prec = 1; prec <= 17; prec++) {
			snprintf(g, sizeof g, "%.*g", prec, d);
			if (strtod(g, NULL) == d)
				break;
		}
		const char *e = strchr(g, 'e'), *dot = strchr(g, '.');
		long frac = dot ? (long)((e ? e : g + strlen(g)) - dot - 1) : 0;
		long decimals = frac - (e ? strtol(e + 1, NULL, 10) : 0);
		decimals = decimals < 0 ? 0 : decimals > 20 ? 20 : decimals;
		k = snprintf(buf, cap, "%.*f", (int)decimals, d);
	} else {
		k = -1;
	}
	if (k > 0 && (size_t)k < cap)
		return true;
	if (cap)
		buf[0] = 0; /* an empty text: unreadable to every caller */
	return false;
}
