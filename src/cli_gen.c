/* cli_gen: placeholder until the verb lands. */
#include "config.h"
#include "cli.h"

int cli_gen(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("gen: not available in this build yet");
}
