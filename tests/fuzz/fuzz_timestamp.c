/* fuzz_timestamp.c - every time and duration parser on the same arbitrary text.
 *
 * The input, copied to a buffer of exactly its size, goes through each parser of
 * lib/base/timestamp.h (CLF plain and cached, ISO 8601, epoch and durations in s/ms/µs, HTTP
 * dates), rl_retry_after_us() and rl_record_split_request(). One property is checked:
 * a time the ISO 8601 parser reads, written back by rl_timestamp_format(), reads back
 * as the same microsecond (for years 1..9999, which the writer's four digits hold). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/record.h"
#include "lib/base/timestamp.h"

#define YEAR1_US (-62135596800LL * RL_US_PER_S) /* 0001-01-01T00:00:00Z */
#define YEAR10000_US (253402300800LL * RL_US_PER_S) /* 10000-01-01T00:00:00Z */

static rl_clf_cache cache; /* kept across inputs, as a format keeps it across lines */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	rl_str s = rl_str_make(buf, size);
	int64_t us, res;
	char out[64];

	(void)rl_timestamp_parse_clf(s, &us);
	int64_t cached;
	if (rl_timestamp_parse_clf_cached(&cache, s, &cached)) {
		if (!rl_timestamp_parse_clf(s, &us) || us != cached)
			abort(); /* the cache must not change the answer */
	}
	if (rl_timestamp_parse_iso8601(s, &us, &res)) {
		if (res < 1)
			abort();
		if (us >= YEAR1_US && us < YEAR10000_US) {
			rl_timestamp_format(us, out);
			int64_t back;
			if (!rl_timestamp_parse_iso8601(rl_str_make(out, strlen(out)), &back, NULL) || back != us)
				abort();
		}
	}
	(void)rl_timestamp_parse_iso8601(s, &us, NULL);
	static const int64_t units[] = {RL_US_PER_S, 1000, 1, 60 * RL_US_PER_S};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		(void)rl_timestamp_parse_epoch(s, units[i], &us, &res);
		(void)rl_timestamp_parse_epoch(s, units[i], &us, NULL);
		(void)rl_duration_parse(s, units[i], &us, &res);
	}
	if (rl_timestamp_parse_http_date(s, &us))
		rl_timestamp_format(us, out);
	(void)rl_retry_after_us(s, 1700000000LL * RL_US_PER_S);
	(void)rl_retry_after_us(s, 0);
	rl_record rec;
	rl_record_reset(&rec);
	rl_record_split_request(&rec, s);
	if (size >= 12) {
		int64_t y = (int64_t)(int32_t)((uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16) -
			    (1 << 22);
		unsigned m = 1 + data[3] % 12, d = 1 + data[4] % rl_days_in_month(y, m);
		int64_t yy;
		unsigned mm, dd;
		rl_civil_from_days(rl_days_from_civil(y, m, d), &yy, &mm, &dd);
		if (yy != y || mm != m || dd != d)
			abort();
	}
	free(buf);
	return 0;
}
