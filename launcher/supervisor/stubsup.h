/* stubsup.h - the slim supervisor (stubsup.c), the stub image's second program:
 * `boxlaunch --supervise ...` runs it instead of the stub init. Part of the stub image: it
 * includes nothing of boxlaunch's. */
#pragma once

/* The option that selects it (argv[1]) and the clean-up verb it executes boxlaunch with. */
#define STUBSUP_OPTION      "--supervise"
#define STUBSUP_FINISH_VERB "__finish"

/* The clean-up steps that may follow the fixed arguments, each with a path, done in order once
 * PID 1 is reaped: a file counting OOM kills ("oom_kill N" in cgroup2's memory.events, v1's
 * memory.oom_control), a group to remove, a group to remove if unused, a file to unlink. An OOM
 * kill seen or a group that will not go hands the rest to boxlaunch's clean-up instead. */
#define STUBSUP_OOM        "-o"
#define STUBSUP_RMDIR      "-r"
#define STUBSUP_RMDIR_IDLE "-i"
#define STUBSUP_UNLINK     "-u"

/* Supervises the box until its PID 1 is gone, then executes boxlaunch's clean-up; returns only
 * if it cannot (an exit code). */
int stub_supervise(int argc, char **argv);
