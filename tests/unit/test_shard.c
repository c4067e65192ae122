/* test_shard.c - the partition by client (SPEC §4): "I/N" read by --shard, the shard of
 * a record (FNV-1a 64 of its client string, mod N, against an FNV-1a written here from
 * its definition: offset basis 14695981039346656037, prime 1099511628211), and the
 * --jobs part of a client (every part gets some, the same client always the same). */
#include <stdlib.h>

#include "lib/classify/identity.h"
#include "lib/retry/chain.h"
#include "lib/store/identity.h"
#include "tests/check.h"

static uint64_t fnv(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void test_parse(void)
{
	uint32_t i = 9, n = 9;
	CHECK(rl_store_shard_parse("0/4", &i, &n) && i == 0 && n == 4);
	CHECK(rl_store_shard_parse("3/4", &i, &n) && i == 3 && n == 4);
	CHECK(rl_store_shard_parse("0/1", &i, &n) && i == 0 && n == 1);
	CHECK(rl_store_shard_parse("65535/65536", &i, &n) && i == 65535 && n == 65536);
	static const char *const bad[] = {"4/4", "1/0",	 "0/0",	 "x/2",	    "-1/3", "2",    "1/",
					  "/4",	 "1/4x", " 1/4", "1/65537", "",	    "1//4", "1/+4"};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
		i = n = 7;
		CHECK(!rl_store_shard_parse(bad[k], &i, &n));
		CHECK(i == 7 && n == 7); /* untouched */
	}
}

static void test_shard_of_record(void)
{
	/* FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the published test vector) */
	CHECK(fnv("a") == 0xaf63dc4c8601ec8cULL);
	CHECK(rl_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cULL);
	rl_record r;
	rl_record_reset(&r);
	r.addr = rl_str_make("203.0.113.7", 11);
	r.user_agent = rl_str_make("leadey-node/3.2.1", 17);
	uint64_t h = fnv("203.0.113.7 leadey-node/3.2.1");
	for (uint32_t n = 1; n <= 64; n++)
		CHECK_INT(rl_identity_shard(&r, n), h % n);
	/* an explicit client field is the client */
	rl_record_reset(&r);
	r.client_id = rl_str_make("svc-a", 5);
	r.addr = rl_str_make("10.0.0.1", 8);
	CHECK_INT(rl_identity_shard(&r, 1000), fnv("svc-a") % 1000);
}

static void test_parts(void)
{
	/* the same client is always in the same part, 0 with one part, and 4 parts each get
	 * a fair share of 4,000 clients */
	size_t count[4] = {0};
	for (uint64_t c = 1; c <= 4000; c++) {
		uint64_t client =
			fnv((char[]){(char)('a' + c % 26), (char)('a' + c / 26 % 26), (char)('a' + c / 676), 0}) | 1;
		size_t p = rl_chain_part(client, 4);
		CHECK(p < 4);
		CHECK(p == rl_chain_part(client, 4));
		CHECK(rl_chain_part(client, 1) == 0);
		count[p]++;
	}
	for (int p = 0; p < 4; p++)
		CHECK(count[p] > 800 && count[p] < 1200);
}

int main(void)
{
	test_parse();
	test_shard_of_record();
	test_parts();
	return check_done("shard");
}
