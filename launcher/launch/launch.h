/* launch.h - the launch pipeline: one validated config in, the box's exit code out. */
#pragma once
#include "core/config.h"

/* Exit codes of boxlaunch itself (design §3). */
enum {
        EXIT_BOX_REBOOT = 133,   /* the machine rebooted */
        EXIT_SETUP_FAILED = 125, /* bad config or a set-up step failed */
        EXIT_CANNOT_EXEC = 126,  /* the command exists but could not be executed */
        EXIT_NOT_FOUND = 127,    /* the command was not found */
};

struct launch_opts {
        /* --detach: write one int to this fd (0 once the box runs, else the exit code) and close
         * it; the box's stdin is /dev/null and its output goes to console.log in the state dir,
         * so no caller's pipe or terminal is held. -1: run in the foreground. */
        int detach_fd;
};

/* Runs the box and returns the exit code to pass on. Every host-side resource acquired on the
 * way is released before it returns, on every path. */
int launch_box(struct box_config *c, const struct launch_opts *o);
