#include <stdio.h>
#include "cmd/cmd.h"
int cmd_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "serve: not built yet\n");
	return 1;
}
int cmd_explain(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}
