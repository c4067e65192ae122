/* jsonsub.c - compares JSON documents for the end-to-end tests.
 *
 *   jsonsub EXPECTED ACTUAL           every value in EXPECTED is in ACTUAL (objects may
 *                                     have more keys; arrays match element by element)
 *   jsonsub --equal A B [--ignore KEY]... [--ignore-field NAME]...
 *                                     A and B are equal but for the named top-level keys
 *                                     and for fields called NAME at any depth
 *   jsonsub --get DOC PATH...         prints the value at each dotted PATH of DOC
 *                                     ("retries.outcomes.open", "timeline.2.retries";
 *                                     a number of array elements for "timeline.#"), one
 *                                     per line; exit 1 when one is missing
 *
 * Reals compare with a relative tolerance of 1e-12. Each difference is printed with
 * its path, both values, and the exit status is 1. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int diffs;

static void show(const char *path, json_t *want, json_t *got)
{
	char *w = want ? json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT) : strdup("(missing)");
	char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : strdup("(missing)");
	fprintf(stderr, "  %s: want %.300s, got %.300s\n", path[0] ? path : "(root)", w, g);
	free(w);
	free(g);
	diffs++;
}

static int num_eq(json_t *a, json_t *b)
{
	double x = json_number_value(a), y = json_number_value(b);
	if (json_is_integer(a) && json_is_integer(b))
		return json_integer_value(a) == json_integer_value(b);
	return x == y || fabs(x - y) <= 1e-12 * fmax(fabs(x), fabs(y));
}

static void compare(const char *path, json_t *want, json_t *got, int subset)
{
	char sub[1024];
	if (!got) {
		show(path, want, got);
		return;
	}
	if (json_is_number(want) && json_is_number(got)) {
		if (!num_eq(want, got))
			show(path, want, got);
		return;
	}
	if (json_typeof(want) != json_typeof(got)) {
		show(path, want, got);
		return;
	}
	if (json_is_object(want)) {
		const char *k;
		json_t *v;
		json_object_foreach (want, k, v) {
			snprintf(sub, sizeof sub, "%s.%s", path, k);
			compare(sub, v, json_object_get(got, k), subset);
		}
		if (!subset) {
			json_object_foreach (got, k, v) {
				if (json_object_get(want, k))
					continue;
				snprintf(sub, sizeof sub, "%s.%s", path, k);
				show(sub, NULL, v);
			}
		}
	} else if (json_is_array(want)) {
		if (json_array_size(want) != json_array_size(got)) {
			snprintf(sub, sizeof sub, "%s (array length %zu, want %zu)", path, json_array_size(got),
				 json_array_size(want));
			show(sub, want, got);
			return;
		}
		size_t i;
		json_t *v;
		json_array_foreach (want, i, v) {
			snprintf(sub, sizeof sub, "%s[%zu]", path, i);
			compare(sub, v, json_array_get(got, i), subset);
		}
	} else if (!json_equal(want, got)) {
		show(path, want, got);
	}
}

/* Deletes every member called name, at any depth. */
static void drop_field(json_t *j, const char *name)
{
	if (json_is_object(j)) {
		json_object_del(j, name);
		const char *k;
		json_t *v;
		json_object_foreach (j, k, v)
			drop_field(v, name);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach (j, i, v)
			drop_field(v, name);
	}
}

static json_t *load(const char *p)
{
	json_error_t e;
	json_t *j = json_load_file(p, 0, &e);
	if (!j)
		fprintf(stderr, "jsonsub: %s:%d: %s\n", p, e.line, e.text);
	return j;
}

/* --get: the value at a dotted path ("a.b.0.c"; "#" as the last part: the length). */
static int get(json_t *doc, const char *path)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", path);
	json_t *v = doc;
	for (char *part = strtok(buf, "."); part && v; part = strtok(NULL, ".")) {
		if (json_is_array(v) && strcmp(part, "#") == 0) {
			printf("%zu\n", json_array_size(v));
			return 0;
		}
		v = json_is_array(v) ? json_array_get(v, strtoul(part, NULL, 10)) : json_object_get(v, part);
	}
	if (!v) {
		fprintf(stderr, "jsonsub: no %s\n", path);
		return 1;
	}
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	printf("%s\n", text);
	free(text);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--get") == 0) {
		json_t *doc = load(argv[2]);
		if (!doc)
			return 2;
		int rc = 0;
		for (int i = 3; i < argc; i++)
			rc |= get(doc, argv[i]);
		json_decref(doc);
		return rc;
	}
	int equal = argc > 1 && strcmp(argv[1], "--equal") == 0;
	int a0 = equal ? 2 : 1;
	if (argc < a0 + 2) {
		fprintf(stderr, "usage: jsonsub [--equal] EXPECTED ACTUAL [--ignore KEY]...\n");
		return 2;
	}
	json_t *want = load(argv[a0]), *got = load(argv[a0 + 1]);
	if (!want || !got)
		return 2;
	for (int i = a0 + 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--ignore") == 0) {
			json_object_del(want, argv[i + 1]);
			json_object_del(got, argv[i + 1]);
		} else if (strcmp(argv[i], "--ignore-field") == 0) {
			drop_field(want, argv[i + 1]);
			drop_field(got, argv[i + 1]);
		} else {
			fprintf(stderr, "jsonsub: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	compare("", want, got, !equal);
	if (diffs)
		fprintf(stderr, "jsonsub: %d difference%s between %s and %s\n", diffs, diffs == 1 ? "" : "s", argv[a0],
			argv[a0 + 1]);
	json_decref(want);
	json_decref(got);
	return diffs ? 1 : 0;
}
