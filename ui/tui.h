/* tui: the full-screen workbench. */
#ifndef FT_TUI_H
#define FT_TUI_H

/* Parse the workbench options, run it, restore the terminal; exit status. */
int tui_main(int argc, char **argv);

#endif
