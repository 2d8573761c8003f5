/* exec.c - a new process in a running container. */
#include "cli/runc/runc.h"

#include "util/log.h"

int runc_exec(const struct runc_globals *g, int argc, char **argv)
{
        log_error("exec: not implemented yet");
        return 1;
}
