/* alb.c - placeholder while the format is being written (this session). */
#include "lib/format/format.h"

int rl_alb_format_new(rl_format **out, const rl_format_opts *opts, rl_err *err)
{
	
	(void)opts;
	*out = NULL;
	return rl_err_set(err, RL_EUSAGE, "--format", 0, "format alb is not built yet");
}
