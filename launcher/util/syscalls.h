/* syscalls.h - the system calls glibc 2.36 has no wrapper for, and the constants older headers
 * lack, defined once. Each wrapper returns what the system call returns (-1 with errno set),
 * like a libc wrapper would. */
#pragma once
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* struct clone_args up to CLONE_INTO_CGROUP (kernel 5.7), whatever the headers ship. */
struct clone_args_v2 {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
                set_tid_size, cgroup;
};

static inline pid_t sys_clone3(struct clone_args_v2 *args)
{
        return (pid_t)syscall(SYS_clone3, args, sizeof(*args));
}

static inline int sys_pidfd_open(pid_t pid, unsigned flags)
{
        return (int)syscall(SYS_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags)
{
        return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

/* openat2() with O_CLOEXEC always added. */
static inline int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
        struct open_how how = {.flags = flags | 02000000 /* O_CLOEXEC */, .resolve = resolve};
        return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* rt_sigaction(2)'s own struct (x86-64 layout): glibc's sigaction() refuses the two signals it
 * reserves (32, 33), which only the raw call can reset to SIG_DFL. */
struct kernel_sigaction {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        uint64_t mask;
};
