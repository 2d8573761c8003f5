/* tty.h - the host-side relay between boxlaunch's terminal and the master of the box's pty (which
 * the box allocates from its own devpts: launch/console.h). */
#pragma once
#include "util/util.h"

#include <sys/ioctl.h>
#include <termios.h>

/* Host side. Read-only mode relays master -> stdout only and leaves the host terminal cooked, so
 * ^C still reaches boxlaunch; interactive mode also relays stdin -> master and puts stdin in raw
 * mode (cfmakeraw; OPOST kept when stdin and stdout are the same terminal). The window size of
 * stdout (else stdin) is copied to the master. fds 0 and 1 are never made non-blocking: they are
 * reopened through /proc/self/fd/N and only the copies are O_NONBLOCK; if that fails the
 * originals are used with one read per readiness event. The master is not owned by the relay. */
struct tty_relay;
int tty_relay_new(int master, bool read_only, struct tty_relay **ret);
/* Registers the relay's fds (level-triggered) on epfd; events for them go to tty_relay_dispatch. */
int tty_relay_add(struct tty_relay *t, int epfd);
/* Boot mode: a hangup of the box's console (the guest's init calls vhangup) is not the end of
 * the console; the relay waits for the slave to be opened again. Call before tty_relay_add. */
int tty_relay_ignore_vhangup(struct tty_relay *t);
/* True if fd is one the relay registered. */
bool tty_relay_owns_fd(const struct tty_relay *t, int fd);
/* Handles an epoll event for one of the relay's fds: 0 to go on, 1 once the box side hung up
 * (EIO/EOF on the master) and all its output was written, or a negative errno. */
int tty_relay_dispatch(struct tty_relay *t, int fd, uint32_t events);
/* On SIGWINCH: TIOCGWINSZ(stdout, else stdin) -> TIOCSWINSZ(master). */
void tty_relay_winch(struct tty_relay *t);
/* Writes out what the master still holds (bounded wait), removes the fds from the epoll set,
 * restores the saved termios exactly and frees. NULL is fine. */
void tty_relay_free(struct tty_relay *t);
static inline void tty_relay_freep(struct tty_relay **t)
{
        tty_relay_free(*t);
        *t = NULL;
}
/* Restores the termios saved by tty_relay_new, from anywhere (fatal paths too); idempotent and
 * async-signal-safe. */
void tty_restore_saved(void);
