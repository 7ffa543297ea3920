/* tui: placeholder until the workbench lands. */
#include "config.h"
#include "tui.h"

#include <stdio.h>

int tui_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("fraudtree: the workbench is not available in this build yet\n", stderr);
	return 2;
}
