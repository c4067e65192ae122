/* test_intern.c - the capped string table (lib/mem/intern.h): dense ids in insertion order,
 * views that are not NUL-terminated, embedded NULs, the max_len cut, the overflow entry,
 * database ids and preloading, and a table filled to its cap. */
#include <stdlib.h>

#include "lib/base/err.h"
#include "lib/mem/intern.h"
#include "tests/check.h"

static void test_ids(void)
{
	rl_intern *t = rl_intern_new(8, 32, "{other}");
	CHECK(t != NULL);
	CHECK_INT(rl_intern_count(t), 0);
	/* dense from 1, in insertion order; the same bytes give the same id */
	CHECK_INT(rl_intern_id(t, "GET", 3), 1);
	CHECK_INT(rl_intern_id(t, "POST", 4), 2);
	CHECK_INT(rl_intern_id(t, "GET", 3), 1);
	CHECK_INT(rl_intern_id(t, "get", 3), 3); /* bytes, not case */
	CHECK_INT(rl_intern_count(t), 3);
	CHECK_STR(rl_intern_str(t, 1), "GET");
	CHECK_STR(rl_intern_str(t, 2), "POST");
	CHECK_STR(rl_intern_str(t, 3), "get");
	/* views into a longer buffer: only n bytes count, and the copy is NUL-terminated */
	const char line[] = "POSTGET /v1/x";
	CHECK_INT(rl_intern_id(t, line, 4), 2);
	CHECK_INT(rl_intern_id(t, line + 4, 3), 1);
	CHECK_INT(rl_intern_id(t, line + 8, 5), 4);
	CHECK_STR(rl_intern_str(t, 4), "/v1/x");
	CHECK_INT(rl_intern_id(t, line, 3), 5); /* "POS", a prefix, is another string */
	CHECK_STR(rl_intern_str(t, 5), "POS");
	/* the empty string is a string too */
	CHECK_INT(rl_intern_id(t, "", 0), 6);
	CHECK_INT(rl_intern_id(t, "x", 0), 6);
	CHECK_STR(rl_intern_str(t, 6), "");
	/* find never adds */
	CHECK_INT(rl_intern_find(t, "PUT", 3), 0);
	CHECK_INT(rl_intern_count(t), 6);
	CHECK_INT(rl_intern_find(t, "POST!", 4), 2);
	CHECK_INT(rl_intern_find(t, "", 0), 6);
	/* ids never handed out have no string */
	CHECK(rl_intern_str(t, 0) == NULL);
	CHECK(rl_intern_str(t, 7) == NULL);
	CHECK(rl_intern_str(t, 1000) == NULL);
	CHECK(!rl_intern_overflowed(t));
	rl_intern_free(t);
	rl_intern_free(NULL);
}

static void test_embedded_nul(void)
{
	rl_intern *t = rl_intern_new(8, 32, "{other}");
	/* lengths, not NULs, end a string */
	CHECK_INT(rl_intern_id(t, "a\0b", 3), 1);
	CHECK_INT(rl_intern_id(t, "a\0c", 3), 2);
	CHECK_INT(rl_intern_id(t, "a", 1), 3);
	CHECK_INT(rl_intern_id(t, "a\0", 2), 4);
	CHECK_INT(rl_intern_id(t, "a\0b", 3), 1);
	CHECK_INT(rl_intern_find(t, "a\0c", 3), 2);
	CHECK_INT(rl_intern_find(t, "a\0d", 3), 0);
	/* the copy holds every byte and a NUL after them */
	CHECK(memcmp(rl_intern_str(t, 1), "a\0b", 4) == 0);
	CHECK(memcmp(rl_intern_str(t, 2), "a\0c", 4) == 0);
	/* bytes ≥ 0x80 are bytes like any other */
	CHECK_INT(rl_intern_id(t, "\xff\xfe", 2), 5);
	CHECK_INT(rl_intern_id(t, "\xff\xff", 2), 6);
	CHECK_INT(rl_intern_id(t, "\xff\xfe", 2), 5);
	rl_intern_free(t);
}

static void test_cut(void)
{
	/* bytes past max_len are cut, so strings that agree on the first max_len bytes share an id */
	rl_intern *t = rl_intern_new(8, 8, "{other}");
	CHECK_INT(rl_intern_id(t, "/v1/leads/1001", 14), 1);
	CHECK_STR(rl_intern_str(t, 1), "/v1/lead");
	CHECK_INT(rl_intern_id(t, "/v1/leads/2002", 14), 1);
	CHECK_INT(rl_intern_id(t, "/v1/lead", 8), 1);
	CHECK_INT(rl_intern_find(t, "/v1/leadZZZZ", 12), 1);
	CHECK_INT(rl_intern_id(t, "/v1/lea", 7), 2);
	CHECK_INT(rl_intern_count(t), 2);
	rl_intern_free(t);
}

static void test_overflow(void)
{
	rl_intern *t = rl_intern_new(3, 32, "{other}");
	CHECK_INT(rl_intern_id(t, "/a", 2), 1);
	CHECK_INT(rl_intern_id(t, "/b", 2), 2);
	CHECK_INT(rl_intern_id(t, "/c", 2), 3);
	CHECK(!rl_intern_overflowed(t));
	/* full: a new string gets the overflow entry, id max + 1, added once */
	CHECK_INT(rl_intern_id(t, "/d", 2), 4);
	CHECK(rl_intern_overflowed(t));
	CHECK_STR(rl_intern_str(t, 4), "{other}");
	CHECK_INT(rl_intern_id(t, "/e", 2), 4);
	CHECK_INT(rl_intern_id(t, "/d", 2), 4);
	CHECK_INT(rl_intern_count(t), 4);
	/* strings added before keep their ids; the ones that overflowed are not in the table */
	CHECK_INT(rl_intern_id(t, "/b", 2), 2);
	CHECK_INT(rl_intern_find(t, "/c", 2), 3);
	CHECK_INT(rl_intern_find(t, "/d", 2), 0);
	/* the overflow entry is found by its own name */
	CHECK_INT(rl_intern_find(t, "{other}", 7), 4);
	CHECK_INT(rl_intern_id(t, "{other}", 7), 4);
	rl_intern_free(t);

	/* an overflow name already interned is reused, not added again */
	t = rl_intern_new(2, 32, "{other}");
	CHECK_INT(rl_intern_id(t, "{other}", 7), 1);
	CHECK_INT(rl_intern_id(t, "/x", 2), 2);
	CHECK(!rl_intern_overflowed(t));
	CHECK_INT(rl_intern_id(t, "/y", 2), 1);
	CHECK(rl_intern_overflowed(t));
	CHECK_INT(rl_intern_count(t), 2);
	rl_intern_free(t);

	/* max 0: every string is the overflow entry, id 1 */
	t = rl_intern_new(0, 32, "OTHER");
	CHECK_INT(rl_intern_id(t, "GET", 3), 1);
	CHECK_INT(rl_intern_id(t, "PUT", 3), 1);
	CHECK_STR(rl_intern_str(t, 1), "OTHER");
	CHECK_INT(rl_intern_count(t), 1);
	CHECK(rl_intern_overflowed(t));
	rl_intern_free(t);
}

static void test_db_ids(void)
{
	rl_intern *t = rl_intern_new(4, 32, "{other}");
	uint32_t get = rl_intern_id(t, "GET", 3);
	CHECK_INT(rl_intern_db_id(t, get), 0);
	rl_intern_set_db_id(t, get, 17);
	CHECK_INT(rl_intern_db_id(t, get), 17);
	/* out of range ids read 0, and setting them is ignored */
	CHECK_INT(rl_intern_db_id(t, 0), 0);
	CHECK_INT(rl_intern_db_id(t, 99), 0);
	rl_intern_set_db_id(t, 0, 5);
	rl_intern_set_db_id(t, 99, 5);
	CHECK_INT(rl_intern_db_id(t, 0), 0);
	CHECK_INT(rl_intern_count(t), 1);
	/* preload: a name the database holds gets a local id and its db id; a name already
	 * interned keeps its local id and takes the db id */
	CHECK_INT(rl_intern_preload(t, 42, "POST"), 0);
	CHECK_INT(rl_intern_find(t, "POST", 4), 2);
	CHECK_INT(rl_intern_db_id(t, 2), 42);
	CHECK_INT(rl_intern_preload(t, 7, "GET"), 0);
	CHECK_INT(rl_intern_find(t, "GET", 3), 1);
	CHECK_INT(rl_intern_db_id(t, 1), 7);
	CHECK_INT(rl_intern_count(t), 2);
	/* the overflow entry has a db id of its own */
	CHECK_INT(rl_intern_id(t, "A", 1), 3);
	CHECK_INT(rl_intern_id(t, "B", 1), 4);
	CHECK_INT(rl_intern_id(t, "C", 1), 5);
	rl_intern_set_db_id(t, 5, 1234);
	CHECK_INT(rl_intern_db_id(t, 5), 1234);
	CHECK_INT(rl_intern_db_id(t, 4), 0);
	rl_intern_free(t);
}

static void test_many(void)
{
	/* 5,000 distinct strings: ids 1..5000 in order, all found again, then the cap */
	enum { N = 5000 };
	rl_intern *t = rl_intern_new(N, 64, "{other}");
	char buf[64];
	int ok_add = 1, ok_again = 1, ok_str = 1;
	for (int i = 0; i < N; i++) {
		int n = snprintf(buf, sizeof buf, "/v1/items/%d", i * 7919);
		ok_add &= rl_intern_id(t, buf, (size_t)n) == (uint32_t)i + 1;
	}
	for (int i = N - 1; i >= 0; i--) {
		int n = snprintf(buf, sizeof buf, "/v1/items/%d", i * 7919);
		ok_again &= rl_intern_id(t, buf, (size_t)n) == (uint32_t)i + 1;
		ok_again &= rl_intern_find(t, buf, (size_t)n) == (uint32_t)i + 1;
		ok_str &= strcmp(rl_intern_str(t, (uint32_t)i + 1), buf) == 0;
	}
	CHECK(ok_add);
	CHECK(ok_again);
	CHECK(ok_str);
	CHECK_INT(rl_intern_count(t), N);
	CHECK(!rl_intern_overflowed(t));
	CHECK_INT(rl_intern_id(t, "/v1/new", 7), N + 1);
	CHECK_STR(rl_intern_str(t, N + 1), "{other}");
	CHECK_INT(rl_intern_count(t), N + 1);
	rl_intern_free(t);
}

int main(void)
{
	test_ids();
	test_embedded_nul();
	test_cut();
	test_overflow();
	test_db_ids();
	test_many();
	return check_done("intern");
}
