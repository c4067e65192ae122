/* test_identity.c - who a client is and which attempts are the same request (SPEC §3,
 * lib/classify/identity.h): the client string (explicit field, sha256: for key-like fields,
 * "addr UA" with "-" for what is missing, the cut to cap), and the key hashes: what
 * changes them and what does not. */
#include <stdlib.h>

#include "lib/classify/identity.h"
#include "tests/check.h"

static rl_record rec(const char *client_id, bool secret, const char *addr, const char *ua)
{
	rl_record r;
	rl_record_reset(&r);
	if (client_id)
		r.client_id = rl_str_make(client_id, strlen(client_id));
	r.client_is_secret = secret;
	if (addr)
		r.addr = rl_str_make(addr, strlen(addr));
	if (ua)
		r.user_agent = rl_str_make(ua, strlen(ua));
	return r;
}

static void test_client(void)
{
	char buf[RL_CLIENT_MAX + 1];
	rl_record r;
	/* an explicit client field wins over address and user agent */
	r = rec("svc-a", false, "10.0.0.1", "curl/8");
	CHECK_INT(rl_identity_client(&r, buf, sizeof buf), 5);
	CHECK_STR(buf, "svc-a");
	/* a key-like field: "sha256:" + the first 16 hex digits of SHA-256 of the raw value;
	 * SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad */
	r = rec("abc", true, "10.0.0.1", "curl/8");
	CHECK_INT(rl_identity_client(&r, buf, sizeof buf), 23);
	CHECK_STR(buf, "sha256:ba7816bf8f01cfea");
	/* else "addr UA" */
	r = rec(NULL, false, "10.0.0.1", "curl/8");
	CHECK_INT(rl_identity_client(&r, buf, sizeof buf), 15);
	CHECK_STR(buf, "10.0.0.1 curl/8");
	/* an empty client field counts as none */
	r = rec("", false, "10.0.0.1", "curl/8");
	rl_identity_client(&r, buf, sizeof buf);
	CHECK_STR(buf, "10.0.0.1 curl/8");
	r = rec("", true, "10.0.0.1", "curl/8");
	rl_identity_client(&r, buf, sizeof buf);
	CHECK_STR(buf, "10.0.0.1 curl/8");
	/* what is missing is "-" */
	r = rec(NULL, false, NULL, "curl/8");
	CHECK_INT(rl_identity_client(&r, buf, sizeof buf), 8);
	CHECK_STR(buf, "- curl/8");
	r = rec(NULL, false, "10.0.0.1", NULL);
	rl_identity_client(&r, buf, sizeof buf);
	CHECK_STR(buf, "10.0.0.1 -");
	r = rec(NULL, false, NULL, NULL);
	CHECK_INT(rl_identity_client(&r, buf, sizeof buf), 3);
	CHECK_STR(buf, "- -");
	/* raw bytes as logged (cleaning is for output), only the views' n bytes */
	const char line[] = "10.0.0.1 - - \"ua\x01\xff\" more";
	r = rec(NULL, false, NULL, NULL);
	r.addr = rl_str_make(line, 8);
	r.user_agent = rl_str_make(line + 14, 4);
	CHECK_INT(rl_identity_client(&r, buf, sizeof buf), 13);
	CHECK(memcmp(buf, "10.0.0.1 ua\x01\xff", 14) == 0);
	/* the cut: cap − 1 bytes and a NUL */
	char small[8];
	memset(small, 'Z', sizeof small);
	r = rec(NULL, false, "10.0.0.1", "curl/8");
	CHECK_INT(rl_identity_client(&r, small, sizeof small), 7);
	CHECK_STR(small, "10.0.0.");
	r = rec("svc-a", false, NULL, NULL);
	CHECK_INT(rl_identity_client(&r, small, 2), 1);
	CHECK_STR(small, "s");
	r = rec("abc", true, NULL, NULL);
	CHECK_INT(rl_identity_client(&r, small, sizeof small), 7);
	CHECK_STR(small, "sha256:");
	/* a long client is cut at the buffer, never past it */
	static char longid[RL_CLIENT_MAX * 2];
	memset(longid, 'k', sizeof longid - 1);
	r = rec(longid, false, NULL, NULL);
	CHECK_INT(rl_identity_client(&r, buf, RL_CLIENT_MAX), RL_CLIENT_MAX - 1);
	CHECK_INT(strlen(buf), RL_CLIENT_MAX - 1);
}

static rl_str S(const char *s)
{
	return s ? rl_str_make(s, strlen(s)) : RL_STR_NULL;
}

static rl_identity_keys keys(const char *client, const char *method, const char *target, const char *idem,
			     const char *rid)
{
	rl_identity_keys k;
	memset(&k, 0xaa, sizeof k);
	rl_identity_hash(S(client), S(method), S(target), S(idem), S(rid), &k);
	return k;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static void test_keys(void)
{
	rl_identity_keys a = keys("svc-a", "GET", "/v1/leads/1", NULL, NULL);
	rl_identity_keys b = keys("svc-a", "GET", "/v1/leads/1", NULL, NULL);
	/* the same fields, the same keys (a hash of the bytes, nothing else) */
	CHECK(a.client == b.client && a.base == b.base && a.reqkey == b.reqkey);
	CHECK(a.client != 0 && (a.client & 1));
	/* no idempotency key: the retry key is the base, idem 0; no request_id: rid 0 */
	CHECK(a.reqkey == a.base);
	CHECK(a.idem == 0);
	CHECK(a.rid == 0);
	/* a view, not a C string: only n bytes count */
	const char buf[] = "svc-aXGET/v1/leads/1?x";
	rl_identity_keys v;
	rl_identity_hash(rl_str_make(buf, 5), rl_str_make(buf + 6, 3), rl_str_make(buf + 9, 11), RL_STR_NULL,
			 RL_STR_NULL, &v);
	CHECK(v.client == a.client && v.base == a.base && v.reqkey == a.reqkey);

	/* each of client, method and target changes the base and the retry key */
	rl_identity_keys c = keys("svc-b", "GET", "/v1/leads/1", NULL, NULL);
	rl_identity_keys m = keys("svc-a", "POST", "/v1/leads/1", NULL, NULL);
	rl_identity_keys t = keys("svc-a", "GET", "/v1/leads/2", NULL, NULL);
	CHECK(c.client != a.client && c.base != a.base);
	CHECK(m.client == a.client && m.base != a.base && m.reqkey != a.reqkey);
	CHECK(t.client == a.client && t.base != a.base && t.reqkey != a.reqkey);
	CHECK(m.base != t.base);
	/* where one field ends and the next begins matters */
	rl_identity_keys s1 = keys("c", "GE", "T/x", NULL, NULL);
	rl_identity_keys s2 = keys("c", "GET", "/x", NULL, NULL);
	rl_identity_keys s3 = keys("cG", "ET", "/x", NULL, NULL);
	CHECK(s1.base != s2.base);
	CHECK(s2.base != s3.base);
	CHECK(s1.base != s3.base);

	/* an idempotency key: the retry key changes, the base does not; idem depends on the
	 * key alone */
	rl_identity_keys i1 = keys("svc-a", "POST", "/v1/leads", "k-1", NULL);
	rl_identity_keys i2 = keys("svc-a", "POST", "/v1/leads", "k-2", NULL);
	rl_identity_keys i0 = keys("svc-a", "POST", "/v1/leads", NULL, NULL);
	rl_identity_keys ib = keys("svc-b", "POST", "/v1/leads", "k-1", NULL);
	CHECK(i1.base == i0.base && i2.base == i0.base);
	CHECK(i1.reqkey != i0.reqkey && i2.reqkey != i0.reqkey && i1.reqkey != i2.reqkey);
	CHECK(i1.idem != 0 && i2.idem != 0 && i1.idem != i2.idem);
	CHECK(ib.idem == i1.idem);
	CHECK(ib.reqkey != i1.reqkey);
	CHECK(i1.rid == 0);
	/* an empty idempotency key is none */
	rl_identity_keys ie = keys("svc-a", "POST", "/v1/leads", "", NULL);
	CHECK(ie.idem == 0 && ie.reqkey == i0.reqkey);

	/* request_id: per client, independent of method and target, and never 0 */
	rl_identity_keys r1 = keys("svc-a", "GET", "/a", NULL, "req-1");
	rl_identity_keys r2 = keys("svc-a", "POST", "/b", "k", "req-1");
	rl_identity_keys r3 = keys("svc-b", "GET", "/a", NULL, "req-1");
	rl_identity_keys r4 = keys("svc-a", "GET", "/a", NULL, "req-2");
	CHECK(r1.rid != 0 && r1.rid == r2.rid);
	CHECK(r3.rid != 0 && r3.rid != r1.rid);
	CHECK(r4.rid != r1.rid);
	/* the request_id does not enter the retry key */
	CHECK(r1.reqkey == keys("svc-a", "GET", "/a", NULL, NULL).reqkey);
	rl_identity_keys re = keys("svc-a", "GET", "/a", NULL, "");
	CHECK(re.rid == 0);

	/* 10,000 clients: 10,000 distinct client hashes, all odd */
	enum { N = 10000 };
	static uint64_t h[N];
	char name[32];
	int odd = 1;
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "10.0.%d.%d ua", i / 256, i % 256);
		h[i] = keys(name, "GET", "/", NULL, NULL).client;
		odd &= (h[i] & 1) == 1;
	}
	CHECK(odd);
	qsort(h, N, sizeof *h, cmp_u64);
	int dup = 0;
	for (int i = 1; i < N; i++)
		dup += h[i] == h[i - 1];
	CHECK_INT(dup, 0);
}

int main(void)
{
	test_client();
	test_keys();
	return check_done("identity");
}
