/* html.c - PLACEHOLDER while issue 13 is built: replaced by the real renderer. */
#include "lib/render/render.h"

int rl_render_html(const rl_report *r, FILE *out, const rl_render_opts *o)
{
	(void)r;
	(void)out;
	(void)o;
	return RL_EOUTPUT;
}
