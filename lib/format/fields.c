/* fields.c - the rows of the field table (fields.h) and the lookups the formats make in
 * them when they are made. */
#include "lib/format/fields.h"

#include <string.h>

/* --- the rows -------------------------------------------------------------------- */

#define RL_FIELD_ROW(id, name, option, setter, ...) \
	[RL_FIELD_##id] = {name, option, setter,    \
			   (const rl_field_name[]){__VA_ARGS__, {NULL, 0, RL_UNIT_NONE, false, RL_VAL_TEXT, NULL}}},

const rl_field_row rl_fields[RL_FIELD_COUNT] = {RL_FIELDS(RL_FIELD_ROW)};

#undef RL_FIELD_ROW

/* --- lookups --------------------------------------------------------------------- */

static bool same(const char *a, const char *b, size_t n)
{
	return strlen(a) == n && memcmp(a, b, n) == 0;
}

/* Whether the space-separated list has the word w (n bytes). */
static bool has_word(const char *list, const char *w, size_t n)
{
	while (list && *list) {
		size_t k = strcspn(list, " ");
		if (k == n && memcmp(list, w, n) == 0)
			return true;
		list += k + (list[k] == ' ');
	}
	return false;
}

rl_field rl_field_find(unsigned in, const char *name, size_t n, const rl_field_name **found)
{
	if (found)
		*found = NULL;
	for (int f = 0; f < RL_FIELD_COUNT; f++)
		for (const rl_field_name *nm = rl_fields[f].names; nm->name; nm++)
			if (in == RL_IN_APACHE ? has_word(nm->apache, name, n)
					       : (nm->in & in) && same(nm->name, name, n)) {
				if (found)
					*found = nm;
				return (rl_field)f;
			}
	return RL_FIELD_NONE;
}

rl_field rl_field_by_option(const char *name, size_t n)
{
	for (int f = 0; f < RL_FIELD_COUNT; f++)
		if (rl_fields[f].option != RL_OPTION_NONE && same(rl_fields[f].name, name, n))
			return (rl_field)f;
	return RL_FIELD_NONE;
}

/* --- units ----------------------------------------------------------------------- */

/* Longer names first: a suffix "s" must not take the end of "ms". */
static const struct {
	const char *name;
	rl_unit unit;
} unit_names[] = {
	{"ns", RL_UNIT_NS}, {"us", RL_UNIT_US}, {"\xc2\xb5s", RL_UNIT_US}, {"ms", RL_UNIT_MS}, {"s", RL_UNIT_S},
};

rl_unit rl_unit_by_name(const char *name, size_t n)
{
	for (size_t k = 0; k < sizeof unit_names / sizeof unit_names[0]; k++)
		if (same(unit_names[k].name, name, n))
			return unit_names[k].unit;
	return RL_UNIT_NONE;
}

rl_unit rl_unit_cut_suffix(rl_str *s)
{
	for (size_t k = 0; k < sizeof unit_names / sizeof unit_names[0]; k++) {
		size_t m = strlen(unit_names[k].name);
		if (s->n > m && memcmp(s->p + s->n - m, unit_names[k].name, m) == 0) {
			s->n -= m;
			return unit_names[k].unit;
		}
	}
	return RL_UNIT_NONE;
}
