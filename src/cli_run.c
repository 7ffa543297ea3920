/* cli_run: placeholder until the verb lands. */
#include "config.h"
#include "cli.h"

int cli_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("run: not available in this build yet");
}
