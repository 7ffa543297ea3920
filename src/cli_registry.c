/* cli_registry: placeholder until the verb lands. */
#include "config.h"
#include "cli.h"

int cli_registry(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("registry: not available in this build yet");
}
