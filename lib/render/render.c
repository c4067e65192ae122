/* render.c - the table of renderers (lib/render/render.h). */
#include "lib/render/render.h"

#include <string.h>

const rl_renderer rl_renderers[] = {
	{"text", rl_render_text},
	{"json", rl_render_json},
	{"csv", rl_render_csv},
	{"markdown", rl_render_markdown},
	{"html", rl_render_html},
	{"prometheus", rl_render_prometheus},
	{NULL, NULL},
};

bool rl_render_client_column(int k, bool violations)
{
	return k < RL_CL_CHECKED || (k > RL_CL_OF_RC(RL_RC_COMPLIANT) && k < RL_CL_VIOLATIONS) ||
	       (violations && k == RL_CL_VIOLATIONS);
}

const rl_renderer *rl_renderer_find(const char *name)
{
	for (const rl_renderer *r = rl_renderers; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}
