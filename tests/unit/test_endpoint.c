/* test_endpoint.c - endpoint templates (SPEC §4) and the capped interner. */
#include "lib/classify/endpoint.h"
#include "lib/mem/intern.h"
#include "tests/check.h"

static const char *tpl(const char *target)
{
	static char out[RL_ENDPOINT_MAX_LEN + 1];
	size_t n = rl_endpoint_template(rl_str_make(target, strlen(target)), out, RL_ENDPOINT_MAX_LEN);
	out[n] = 0;
	return out;
}

static void test_templates(void)
{
	CHECK_STR(tpl("/v1/leads/12345"), "/v1/leads/{id}");
	CHECK_STR(tpl("/v1/leads/12345?x=1&y=2"), "/v1/leads/{id}");
	CHECK_STR(tpl("/v1/leads/12345#frag"), "/v1/leads/{id}");
	CHECK_STR(tpl("/v1/users/550e8400-e29b-41d4-a716-446655440000/profile"), "/v1/users/{id}/profile");
	CHECK_STR(tpl("/v1/users/550E8400-E29B-41D4-A716-446655440000"), "/v1/users/{id}");
	CHECK_STR(tpl("/v1/tasks/0123456789abcdef"), "/v1/tasks/{id}"); /* 16 hex */
	CHECK_STR(tpl("/v1/tasks/0123456789abcde"), "/v1/tasks/0123456789abcde"); /* 15 hex: kept */
	CHECK_STR(tpl("/v1/tasks/deadbeefdeadbeefz"), "/v1/tasks/deadbeefdeadbeefz");
	CHECK_STR(tpl("/v1/users/jane.doe@example.com/leads"), "/v1/users/{email}/leads");
	CHECK_STR(tpl("/v1/users/jane%40example.com"), "/v1/users/{email}");
	CHECK_STR(tpl("/v1/users/@example.com"), "/v1/users/@example.com");
	CHECK_STR(tpl("/v1/users/jane@localhost"), "/v1/users/jane@localhost");
	CHECK_STR(tpl("/v2/items/7/sub/8"), "/v2/items/{id}/sub/{id}");
	CHECK_STR(tpl("/"), "/");
	CHECK_STR(tpl("/a//b/"), "/a//b/");
	CHECK_STR(tpl("*"), "*");
	CHECK_STR(tpl(""), "-");
	CHECK_STR(tpl("?x=1"), "/");
	CHECK_STR(tpl("http://example.com/v1/leads/9?x"), "/v1/leads/{id}");
	CHECK_STR(tpl("https://example.com"), "/");
	CHECK_STR(tpl("/v1/leads/v2"), "/v1/leads/v2");
	/* a long path is cut at the cap, never overflowing */
	char longp[1200];
	memset(longp, 'g', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = 0;
	CHECK_INT(strlen(tpl(longp)), RL_ENDPOINT_MAX_LEN);
}

static void test_intern(void)
{
	rl_intern *t = rl_intern_new(3, 8, "{other}");
	uint32_t a = rl_intern_id(t, "/a", 2), b = rl_intern_id(t, "/b", 2);
	CHECK_INT(a, 1);
	CHECK_INT(b, 2);
	CHECK_INT(rl_intern_id(t, "/a", 2), 1);
	CHECK_INT(rl_intern_id(t, "/c", 2), 3);
	CHECK(!rl_intern_overflowed(t));
	uint32_t o = rl_intern_id(t, "/d", 2);
	CHECK_INT(o, 4);
	CHECK_STR(rl_intern_str(t, o), "{other}");
	CHECK_INT(rl_intern_id(t, "/e", 2), o);
	CHECK(rl_intern_overflowed(t));
	CHECK_INT(rl_intern_id(t, "/b", 2), 2); /* known strings keep their id */
	CHECK_INT(rl_intern_find(t, "/zz", 3), 0);
	/* cut at max_len */
	rl_intern *u = rl_intern_new(10, 4, "{other}");
	CHECK_INT(rl_intern_id(u, "abcdef", 6), rl_intern_id(u, "abcdXY", 6));
	rl_intern_set_db_id(t, 2, 42);
	CHECK_INT(rl_intern_db_id(t, 2), 42);
	CHECK_INT(rl_intern_db_id(t, 1), 0);
	rl_intern_free(t);
	rl_intern_free(u);
}

int main(void)
{
	test_templates();
	test_intern();
	return check_done("endpoint");
}
