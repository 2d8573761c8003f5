/* console.h - a terminal for a process in the box: a pty from the box's own devpts (never the
 * host's), sized like the caller's terminal, as its stdio. Used by the box's PID 1 (Console=
 * interactive and read-only) and by `exec --tty`; the master goes to the host side, which relays
 * it (supervisor/tty.h). */
#pragma once
#include "util/util.h"

#include <sys/ioctl.h>

/* After devpts (newinstance,ptmxmode=0666) is mounted on /dev/pts and after pivot_root (or setns
 * into the box): opens /dev/pts/ptmx, verifies it is devpts's ptmx node, unlocks it, gets the
 * slave with TIOCGPTPEER (O_RDWR|O_NOCTTY|O_CLOEXEC) and sets the window size ws on it (if
 * non-NULL) before the payload runs. Both fds are O_CLOEXEC. */
int console_pty_open(int *ret_master, int *ret_slave, const struct winsize *ws);
/* The same on another ptmx path (tests, or a devpts mounted elsewhere). */
int console_pty_open_at(const char *ptmx, int *ret_master, int *ret_slave,
                        const struct winsize *ws);

/* The window size of the caller's terminal (stdout, else stdin) in *buf; NULL when neither is
 * a terminal. */
const struct winsize *console_caller_size(struct winsize *buf);

/* Makes fd the process's stdin, stdout and stderr. */
int console_attach(int fd);
