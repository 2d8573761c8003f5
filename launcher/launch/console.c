/* console.c - the box's ptys. */
#include "launch/console.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int console_pty_open_at(const char *ptmx, int *ret_master, int *ret_slave, const struct winsize *ws)
{
        _cleanup_close_ int master = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return -errno;

        /* A box-controlled path: make sure it is really devpts's ptmx node (inode 2), not
         * something planted in its place (runc's CVE-2025-52565 hardening checks the same). */
        struct statfs sfs;
        struct stat st;
        if (fstatfs(master, &sfs) < 0 || fstat(master, &st) < 0)
                return -errno;
        if (sfs.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode) || st.st_ino != 2)
                return -EINVAL;

        int unlock = 0;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return -errno;
        /* TIOCGPTPEER opens the slave through the master: no path lookup to race with. */
        _cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return -errno;
        /* Sized before the payload runs, or it starts at 0x0 until the first SIGWINCH. */
        if (ws && ioctl(slave, TIOCSWINSZ, ws) < 0)
                return -errno;

        *ret_master = TAKE_FD(master);
        *ret_slave = TAKE_FD(slave);
        return 0;
}

int console_pty_open(int *ret_master, int *ret_slave, const struct winsize *ws)
{
        return console_pty_open_at("/dev/pts/ptmx", ret_master, ret_slave, ws);
}

const struct winsize *console_caller_size(struct winsize *buf)
{
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, buf) == 0 || ioctl(STDIN_FILENO, TIOCGWINSZ, buf) == 0)
                return buf;
        return NULL;
}

int console_attach(int fd)
{
        for (int i = 0; i < 3; i++)
                if (dup2(fd, i) < 0)
                        return -errno;
        return 0;
}
