/* cli_predict: placeholder until the verb lands. */
#include "config.h"
#include "cli.h"

int cli_predict(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("predict: not available in this build yet");
}
