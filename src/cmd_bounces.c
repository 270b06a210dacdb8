/* mailvet bounces — placeholder until the bounce analyser lands. */
#include "mailvet/cmd.h"

int cmd_bounces(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "mailvet bounces: not built yet\n");
	return 1;
}
