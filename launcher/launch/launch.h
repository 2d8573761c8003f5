/* launch.h - the launch pipeline: one validated config in, the box's exit code out (its codes:
 * core/exitcodes.h). */
#pragma once
#include "core/config.h"

struct launch_opts {
        /* --detach: write one int to this fd (0 once the box runs, else the exit code) and close
         * it; the box's stdin is /dev/null and its output goes to the console log beside the
         * state file (state.h), so no caller's pipe or terminal is held. -1: run in the
         * foreground. */
        int detach_fd;
};

/* Runs the box and returns the exit code to pass on. c is not changed: what the launch decides
 * on the way (runtime.h) is kept apart. Every host-side resource acquired on the way is
 * released before it returns, on every path. */
int launch_box(const struct box_config *c, const struct launch_opts *o);
