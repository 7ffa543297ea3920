/* cli_describe: placeholder until the verb lands. */
#include "config.h"
#include "cli.h"

int cli_describe(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("describe: not available in this build yet");
}
