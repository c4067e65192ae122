/* test_fields.c - the field table (lib/format/fields.h): every row has a name and a
 * setter, every name is known once in each vocabulary, the lookups the formats make
 * find the right row and nothing for unknown names, the setters store what they say,
 * and units are applied the same way whichever format names the field (a
 * request_time in seconds, a %D in µs, a Go duration, a JSON number with an
 * exponent). */
#include <stdio.h>
#include <stdlib.h>

#include "lib/format/fields.h"
#include "lib/format/format.h"
#include "lib/base/timestamp.h"
#include "tests/check.h"

static const unsigned vocabularies[] = {RL_IN_GROUP, RL_IN_TEMPLATE, RL_IN_JSON};

static rl_field find(unsigned in, const char *name, const rl_field_name **nm)
{
	return rl_field_find(in, name, strlen(name), nm);
}

static void test_rows(void)
{
	for (int f = 0; f < RL_FIELD_COUNT; f++) {
		const rl_field_row *row = &rl_fields[f];
		CHECK(row->name && row->name[0]);
		CHECK(row->set != NULL);
		CHECK(row->names && row->names[0].name); /* every field is named somewhere */
		if (row->option != RL_OPTION_NONE)
			CHECK_INT(rl_field_by_option(row->name, strlen(row->name)), f);
		for (const rl_field_name *nm = row->names; nm->name; nm++) {
			CHECK(nm->in != 0);
			CHECK((nm->in & ~(unsigned)RL_IN_NGINX) == 0);
			/* the Apache compiler names its group after the entry */
			if (nm->apache)
				CHECK(nm->in & RL_IN_GROUP);
			/* a template's member becomes --field NAME=PATH */
			if (nm->in & RL_IN_TEMPLATE)
				CHECK(row->option != RL_OPTION_NONE);
			/* units belong to times and durations */
			if (f != RL_FIELD_TIME && f != RL_FIELD_DURATION)
				CHECK_INT(nm->unit, RL_UNIT_NONE);
			if (f == RL_FIELD_DURATION)
				CHECK(rl_unit_ns(nm->unit) > 0);
			if (nm->start)
				CHECK_INT(f, RL_FIELD_TIME);
		}
	}
	/* row names are unique */
	for (int f = 0; f < RL_FIELD_COUNT; f++)
		for (int g = f + 1; g < RL_FIELD_COUNT; g++)
			CHECK(strcmp(rl_fields[f].name, rl_fields[g].name) != 0);
}

/* Each name once per vocabulary, each Apache directive once in the table; and every
 * lookup finds the entry it was made from. */
static void test_unique(void)
{
	for (size_t v = 0; v < sizeof vocabularies / sizeof vocabularies[0]; v++) {
		unsigned in = vocabularies[v];
		int seen = 0;
		for (int f = 0; f < RL_FIELD_COUNT; f++)
			for (const rl_field_name *nm = rl_fields[f].names; nm->name; nm++) {
				if (!(nm->in & in))
					continue;
				seen++;
				const rl_field_name *got;
				CHECK_INT(find(in, nm->name, &got), f);
				CHECK(got == nm);
			}
		CHECK(seen > 10);
	}
	for (int f = 0; f < RL_FIELD_COUNT; f++)
		for (const rl_field_name *nm = rl_fields[f].names; nm->name; nm++)
			for (const char *d = nm->apache; d && *d;) {
				size_t n = strcspn(d, " ");
				const rl_field_name *got;
				CHECK_INT(rl_field_find(RL_IN_APACHE, d, n, &got), f);
				CHECK(got == nm);
				d += n + (d[n] == ' ');
			}
}

static void test_lookups(void)
{
	const rl_field_name *nm;
	/* nginx variables: their field, unit, end and shape */
	CHECK_INT(find(RL_IN_GROUP, "msec", &nm), RL_FIELD_TIME);
	CHECK_INT(nm->unit, RL_UNIT_S);
	CHECK(!nm->start);
	CHECK_INT(nm->shape, RL_VAL_DECIMAL);
	CHECK_INT(find(RL_IN_GROUP, "time_local", &nm), RL_FIELD_TIME);
	CHECK_INT(nm->unit, RL_UNIT_CLF);
	CHECK_INT(nm->shape, RL_VAL_CLF_TIME);
	CHECK_INT(find(RL_IN_GROUP, "request_time", &nm), RL_FIELD_DURATION);
	CHECK_INT(nm->unit, RL_UNIT_S);
	CHECK_INT(find(RL_IN_GROUP, "http_x_forwarded_for", &nm), RL_FIELD_FORWARDED_FOR);
	CHECK_INT(nm->shape, RL_VAL_LIST);
	CHECK_INT(find(RL_IN_GROUP, "sent_http_retry_after", NULL), RL_FIELD_RETRY_AFTER);
	CHECK_INT(find(RL_IN_GROUP, "upstream_status", NULL), RL_FIELD_UPSTREAM_STATUS);
	CHECK_INT(find(RL_IN_GROUP, "duration_ns", &nm), RL_FIELD_DURATION);
	CHECK_INT(nm->unit, RL_UNIT_NS);
	/* precedence: in a row, the earlier name wins ($msec over $time_local) */
	const rl_field_name *msec, *local;
	find(RL_IN_TEMPLATE, "msec", &msec);
	find(RL_IN_TEMPLATE, "time_local", &local);
	CHECK(msec && local && msec < local);
	CHECK_STR(rl_fields[RL_FIELD_TIME].names[0].name, "msec");
	CHECK_STR(rl_fields[RL_FIELD_REQUEST_ID].names[0].name, "http_x_request_id");
	/* one name, two meanings: $uri is the path in a text format, the target in a
	 * template (its $args cannot be joined there) */
	CHECK_INT(find(RL_IN_GROUP, "uri", NULL), RL_FIELD_URI);
	CHECK_INT(find(RL_IN_JSON, "uri", NULL), RL_FIELD_URI);
	CHECK_INT(find(RL_IN_TEMPLATE, "uri", NULL), RL_FIELD_TARGET);
	/* JSON keys that are no group, and groups that are no key */
	CHECK_INT(find(RL_IN_JSON, "@timestamp", &nm), RL_FIELD_TIME);
	CHECK_INT(nm->unit, RL_UNIT_AUTO);
	CHECK_INT(find(RL_IN_GROUP, "@timestamp", &nm), RL_FIELD_NONE);
	CHECK(nm == NULL);
	CHECK_INT(find(RL_IN_JSON, "server_protocol", NULL), RL_FIELD_PROTOCOL);
	CHECK_INT(find(RL_IN_GROUP, "server_protocol", NULL), RL_FIELD_NONE);
	CHECK_INT(find(RL_IN_GROUP, "apache_time_usec_end", &nm), RL_FIELD_TIME);
	CHECK_INT(find(RL_IN_JSON, "apache_time_usec_end", NULL), RL_FIELD_NONE);
	/* Apache directives */
	CHECK_INT(find(RL_IN_APACHE, "%D", &nm), RL_FIELD_DURATION);
	CHECK_STR(nm->name, "duration_us");
	CHECK_INT(nm->unit, RL_UNIT_US);
	CHECK_INT(find(RL_IN_APACHE, "%{us}T", &nm), RL_FIELD_DURATION);
	CHECK_STR(nm->name, "duration_us");
	CHECK_INT(find(RL_IN_APACHE, "%T", &nm), RL_FIELD_DURATION);
	CHECK_INT(nm->unit, RL_UNIT_S);
	CHECK_INT(find(RL_IN_APACHE, "%t", &nm), RL_FIELD_TIME);
	CHECK(nm->start);
	CHECK_INT(nm->unit, RL_UNIT_CLF);
	CHECK_INT(find(RL_IN_APACHE, "%{end:msec}t", &nm), RL_FIELD_TIME);
	CHECK(!nm->start);
	CHECK_INT(nm->unit, RL_UNIT_MS);
	CHECK_INT(find(RL_IN_APACHE, "%{begin:usec}t", &nm), RL_FIELD_TIME);
	CHECK(nm->start);
	CHECK_INT(find(RL_IN_APACHE, "%b", NULL), RL_FIELD_BYTES);
	CHECK_INT(find(RL_IN_APACHE, "%h", NULL), RL_FIELD_ADDR);
	CHECK_INT(find(RL_IN_APACHE, "%U", NULL), RL_FIELD_URI);
	/* unknown names, and names that are only the start of one */
	CHECK_INT(find(RL_IN_GROUP, "nope", &nm), RL_FIELD_NONE);
	CHECK(nm == NULL);
	CHECK_INT(find(RL_IN_JSON, "", NULL), RL_FIELD_NONE);
	CHECK_INT(find(RL_IN_APACHE, "%Z", NULL), RL_FIELD_NONE);
	CHECK_INT(find(RL_IN_APACHE, "%{c}h", NULL), RL_FIELD_NONE);
	CHECK_INT(find(RL_IN_APACHE, "%{sec}", NULL), RL_FIELD_NONE);
	CHECK_INT(find(RL_IN_GROUP, "mse", NULL), RL_FIELD_NONE);
	CHECK_INT(rl_field_find(RL_IN_GROUP, "msec_and_more", 4, NULL), RL_FIELD_TIME); /* n bytes, no NUL */
	/* --field NAME: the rows with an option, none of the pieces */
	CHECK_INT(rl_field_by_option("time", 4), RL_FIELD_TIME);
	CHECK_INT(rl_field_by_option("vhost", 5), RL_FIELD_VHOST);
	CHECK_INT(rl_field_by_option("uri", 3), RL_FIELD_NONE);
	CHECK_INT(rl_field_by_option("upstream_status", 15), RL_FIELD_NONE);
	CHECK_INT(rl_field_by_option("msec", 4), RL_FIELD_NONE);
	CHECK_INT(rl_field_by_option("timex", 4), RL_FIELD_TIME);
}

static void test_units(void)
{
	CHECK_INT(rl_unit_by_name("s", 1), RL_UNIT_S);
	CHECK_INT(rl_unit_by_name("ms", 2), RL_UNIT_MS);
	CHECK_INT(rl_unit_by_name("us", 2), RL_UNIT_US);
	CHECK_INT(rl_unit_by_name("\xc2\xb5s", 3), RL_UNIT_US);
	CHECK_INT(rl_unit_by_name("ns", 2), RL_UNIT_NS);
	CHECK_INT(rl_unit_by_name("min", 3), RL_UNIT_NONE);
	CHECK_INT(rl_unit_by_name("", 0), RL_UNIT_NONE);
	CHECK_INT(rl_unit_ns(RL_UNIT_S), 1000000000);
	CHECK_INT(rl_unit_ns(RL_UNIT_US), 1000);
	CHECK_INT(rl_unit_ns(RL_UNIT_CLF), 0);
	CHECK_INT(rl_unit_ns(RL_UNIT_AUTO), 0);
	rl_str s = rl_str_make("1.5ms", 5);
	CHECK_INT(rl_unit_cut_suffix(&s), RL_UNIT_MS); /* not "s" */
	CHECK_VIEW(s, "1.5");
	s = rl_str_make("250\xc2\xb5s", 6);
	CHECK_INT(rl_unit_cut_suffix(&s), RL_UNIT_US);
	CHECK_VIEW(s, "250");
	s = rl_str_make("3s", 2);
	CHECK_INT(rl_unit_cut_suffix(&s), RL_UNIT_S);
	CHECK_VIEW(s, "3");
	s = rl_str_make("12", 2);
	CHECK_INT(rl_unit_cut_suffix(&s), RL_UNIT_NONE);
	CHECK_VIEW(s, "12");
	s = rl_str_make("s", 1); /* a unit alone is no number with a unit */
	CHECK_INT(rl_unit_cut_suffix(&s), RL_UNIT_NONE);

	/* the decimal reader JSON formats use, unit in ns (timestamp.c) */
	int64_t us, res;
	CHECK(rl_timestamp_parse_decimal(rl_str_make("0.250", 5), rl_unit_ns(RL_UNIT_S), &us, &res));
	CHECK_INT(us, 250000);
	CHECK_INT(res, 1000);
	CHECK(rl_timestamp_parse_decimal(rl_str_make("250", 3), rl_unit_ns(RL_UNIT_US), &us, &res));
	CHECK_INT(us, 250);
	CHECK_INT(res, 1);
	CHECK(rl_timestamp_parse_decimal(rl_str_make("7.314e-05", 9), rl_unit_ns(RL_UNIT_S), &us, &res));
	CHECK_INT(us, 73);
	CHECK_INT(res, 1);
	CHECK(rl_timestamp_parse_decimal(rl_str_make("1500", 4), rl_unit_ns(RL_UNIT_NS), &us, &res));
	CHECK_INT(us, 1);
	/* an epoch number without a unit: by its digits */
	CHECK(rl_timestamp_parse_decimal(rl_str_make("1795946401123", 13), 0, &us, &res));
	CHECK_INT(us, 1795946401123000);
	CHECK_INT(res, 1000);
	CHECK(rl_timestamp_parse_decimal(rl_str_make("1795946401.5", 12), 0, &us, NULL));
	CHECK_INT(us, 1795946401500000);
	CHECK(!rl_timestamp_parse_decimal(rl_str_make("1e19", 4), rl_unit_ns(RL_UNIT_S), &us, &res));
	CHECK(!rl_timestamp_parse_decimal(rl_str_make("1.", 2), rl_unit_ns(RL_UNIT_S), &us, &res));
	CHECK(!rl_timestamp_parse_decimal(rl_str_make("12ms", 4), rl_unit_ns(RL_UNIT_S), &us, &res));
}

static bool same_view(rl_str a, rl_str b)
{
	return a.n == b.n && a.p == b.p;
}

/* Every member the setters fill. */
static bool same_record(const rl_record *a, const rl_record *b)
{
	return a->time_us == b->time_us && a->time_res_us == b->time_res_us && a->time_is_start == b->time_is_start &&
	       a->duration_us == b->duration_us && a->duration_res_us == b->duration_res_us && a->status == b->status &&
	       a->bytes == b->bytes && a->attempt == b->attempt && a->client_is_secret == b->client_is_secret &&
	       same_view(a->method, b->method) && same_view(a->target, b->target) &&
	       same_view(a->protocol, b->protocol) && same_view(a->addr, b->addr) &&
	       same_view(a->user_agent, b->user_agent) && same_view(a->referer, b->referer) &&
	       same_view(a->vhost, b->vhost) && same_view(a->client_id, b->client_id) &&
	       same_view(a->forwarded_for, b->forwarded_for) && same_view(a->request_id, b->request_id) &&
	       same_view(a->idempotency_key, b->idempotency_key) && same_view(a->retry_after, b->retry_after) &&
	       same_view(a->body, b->body);
}

static void test_setters(void)
{
	static const char req[] = "GET /a?b=1 HTTP/1.1";
	rl_field_value v = {rl_str_make(req, sizeof req - 1), 42, 1000, true, true};
	rl_record a, b, reset;
	rl_record_reset(&reset);
	for (int f = 0; f < RL_FIELD_COUNT; f++) {
		/* the row's setter and rl_field_set are one, and each stores something */
		rl_record_reset(&a);
		rl_record_reset(&b);
		rl_fields[f].set(&a, &v);
		rl_field_set(&b, (rl_field)f, &v);
		CHECK(same_record(&a, &b));
		CHECK(!same_record(&a, &reset));
	}
	rl_record_reset(&a);
	rl_field_set(&a, RL_FIELD_TIME, &(rl_field_value){.num = 5, .res_us = 0, .start = true});
	CHECK_INT(a.time_us, 5);
	CHECK_INT(a.time_res_us, 1); /* at least 1 µs */
	CHECK(a.time_is_start);
	rl_field_set(&a, RL_FIELD_REQUEST, &v);
	CHECK_VIEW(a.method, "GET");
	CHECK_VIEW(a.target, "/a?b=1");
	CHECK_VIEW(a.protocol, "HTTP/1.1");
	/* "-" is "not logged" for the fields servers write so, kept for the others */
	rl_field_value dash = {.text = rl_str_make("-", 1), .secret = true};
	rl_field_set(&a, RL_FIELD_METHOD, &dash);
	CHECK_VIEW(a.method, NULL);
	rl_field_set(&a, RL_FIELD_RETRY_AFTER, &dash);
	CHECK_VIEW(a.retry_after, NULL);
	rl_field_set(&a, RL_FIELD_USER_AGENT, &dash);
	CHECK_VIEW(a.user_agent, "-");
	rl_field_set(&a, RL_FIELD_CLIENT, &dash);
	CHECK_VIEW(a.client_id, NULL);
	CHECK(!a.client_is_secret);
	rl_field_set(&a, RL_FIELD_CLIENT, &(rl_field_value){.text = rl_str_make("k", 1), .secret = true});
	CHECK_VIEW(a.client_id, "k");
	CHECK(a.client_is_secret);
	rl_field_set(&a, RL_FIELD_UPSTREAM_STATUS, &(rl_field_value){.num = 502});
	CHECK_INT(a.status, 502);
}

/* --- units applied, whichever format names the field -------------------------------- */

static rl_record rec;

static rl_reject parse_with(const char *spec, const char *line)
{
	rl_format *f = NULL;
	rl_err err;
	rl_err_clear(&err);
	int rc = rl_format_new(&f, spec, NULL, &err);
	if (rc)
		fprintf(stderr, "rl_format_new(%s): %s\n", spec, err.msg);
	CHECK_INT(rc, 0);
	if (!f)
		return RL_REJECT_NO_MATCH;
	rl_reject rj = rl_format_parse(f, line, strlen(line), &rec);
	rl_format_free(f);
	return rj;
}

static void test_units_applied(void)
{
	/* a request_time in seconds, in every format that knows the variable */
	CHECK_INT(parse_with("nginx:$msec $request_time $status", "1795946401.250 0.250 200"), RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1795946401250000);
	CHECK_INT(rec.time_res_us, 1000);
	CHECK(!rec.time_is_start);
	CHECK_INT(rec.duration_us, 250000);
	CHECK_INT(rec.duration_res_us, 1000);
	CHECK_INT(parse_with("regex:^(?<msec>\\S+) (?<request_time>\\S+)$", "1795946401.250 0.250"), RL_REJECT_NONE);
	CHECK_INT(rec.duration_us, 250000);
	CHECK_INT(parse_with("json:nginx", "{\"msec\":1795946401.25,\"request_time\":0.25,\"status\":200}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1795946401250000);
	CHECK_INT(rec.duration_us, 250000);
	CHECK_INT(parse_with("nginx:{\"t\":\"$msec\",\"d\":$request_time,\"s\":$status}",
			     "{\"t\":\"1795946401.250\",\"d\":0.250,\"s\":200}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.duration_us, 250000);
	/* the same number of µs: Apache %D, a regex's duration_us */
	CHECK_INT(parse_with("apache:%{msec}t %D %>s", "1795946401250 250 200"), RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1795946401250000);
	CHECK(rec.time_is_start);
	CHECK_INT(rec.duration_us, 250);
	CHECK_INT(rec.duration_res_us, 1);
	CHECK_INT(parse_with("regex:^(?<time>\\S+) (?<duration_us>\\S+)$", "1795946401 250"), RL_REJECT_NONE);
	CHECK_INT(rec.duration_us, 250);
	CHECK_INT(parse_with("apache:%{msec}t %{ms}T %>s", "1795946401250 250 200"), RL_REJECT_NONE);
	CHECK_INT(rec.duration_us, 250000);
	CHECK_INT(parse_with("apache:%{end:usec}t %T %>s", "1795946401250000 2 200"), RL_REJECT_NONE);
	CHECK(!rec.time_is_start);
	CHECK_INT(rec.duration_us, 2000000);
	CHECK_INT(parse_with("regex:^(?<time>\\S+) (?<duration_ns>\\S+)$", "1795946401 2500"), RL_REJECT_NONE);
	CHECK_INT(rec.duration_us, 2);
	/* JSON: a Go duration's own unit over the profile's, an exponent */
	CHECK_INT(parse_with("json:nginx", "{\"msec\":1795946401,\"request_time\":\"250us\",\"status\":200}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.duration_us, 250);
	CHECK_INT(parse_with("json:nginx", "{\"msec\":1795946401,\"request_time\":2.5e-1,\"status\":200}"),
		  RL_REJECT_NONE);
	CHECK_INT(rec.duration_us, 250000);
	/* an epoch number in a JSON time whose form is a text one: by its digits */
	CHECK_INT(parse_with("json:nginx", "{\"time_iso8601\":1795946401250,\"status\":200}"), RL_REJECT_NONE);
	CHECK_INT(rec.time_us, 1795946401250000);
}

int main(void)
{
	test_rows();
	test_unique();
	test_lookups();
	test_units();
	test_setters();
	test_units_applied();
	return check_done("fields");
}
