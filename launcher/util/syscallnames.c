/* syscallnames.c - systemd's system call groups, and name checks through libseccomp. */
#include "util/syscallnames.h"

#include <seccomp.h>

#define GROUP(n, ...)                                                                              \
        {                                                                                          \
                n, (const char *const[])                                                           \
                {                                                                                  \
                        __VA_ARGS__, NULL                                                          \
                }                                                                                  \
        }

/* Membership follows the groups systemd documents in systemd.exec(5); names unknown to
 * libseccomp on this architecture (32-bit variants and the like) are skipped at compile time. */
static const struct syscall_group groups[] = {
        GROUP("@aio", "io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
              "io_pgetevents_time64", "io_setup", "io_submit", "io_uring_enter",
              "io_uring_register", "io_uring_setup"),
        GROUP("@basic-io", "_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek",
              "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readv",
              "write", "writev"),
        GROUP("@chown", "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32"),
        GROUP("@clock", "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime",
              "clock_settime64", "settimeofday", "stime"),
        GROUP("@cpu-emulation", "modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old"),
        GROUP("@debug", "lookup_dcookie", "perf_event_open", "pidfd_getfd", "ptrace",
              "process_vm_readv", "process_vm_writev", "rtas", "s390_runtime_instr",
              "sys_debug_setcontext"),
        GROUP("@default", "arch_prctl", "brk", "cacheflush", "clock_getres", "clock_getres_time64",
              "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
              "execve", "exit", "exit_group", "futex", "futex_time64", "futex_waitv",
              "get_robust_list", "get_thread_area", "getegid", "getegid32", "geteuid", "geteuid32",
              "getgid", "getgid32", "getgroups", "getgroups32", "getpgid", "getpgrp", "getpid",
              "getppid", "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32",
              "getrlimit", "getsid", "gettid", "gettimeofday", "getuid", "getuid32", "membarrier",
              "mmap", "mmap2", "mprotect", "munmap", "nanosleep", "pause", "prlimit64",
              "restart_syscall", "riscv_flush_icache", "rseq", "rt_sigreturn", "sched_getaffinity",
              "sched_yield", "set_robust_list", "set_thread_area", "set_tid_address", "set_tls",
              "sigreturn", "time", "ugetrlimit"),
        GROUP("@file-system", "access", "chdir", "chmod", "close", "creat", "faccessat",
              "faccessat2", "fallocate", "fchdir", "fchmod", "fchmodat", "fcntl", "fcntl64",
              "fgetxattr", "flistxattr", "fremovexattr", "fsetxattr", "fstat", "fstat64",
              "fstatat64", "fstatfs", "fstatfs64", "ftruncate", "ftruncate64", "futimesat",
              "getcwd", "getdents", "getdents64", "getxattr", "inotify_add_watch", "inotify_init",
              "inotify_init1", "inotify_rm_watch", "lgetxattr", "link", "linkat", "listxattr",
              "llistxattr", "lremovexattr", "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat",
              "mknod", "mknodat", "newfstatat", "oldfstat", "oldlstat", "oldstat", "open", "openat",
              "openat2", "readlink", "readlinkat", "removexattr", "rename", "renameat", "renameat2",
              "rmdir", "setxattr", "stat", "stat64", "statfs", "statfs64", "statx", "symlink",
              "symlinkat", "truncate", "truncate64", "unlink", "unlinkat", "utime", "utimensat",
              "utimensat_time64", "utimes"),
        GROUP("@io-event", "_newselect", "epoll_create", "epoll_create1", "epoll_ctl",
              "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old",
              "eventfd", "eventfd2", "poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64",
              "select"),
        /* process_vm_* are left to @debug: the profile gates them on CAP_SYS_PTRACE. */
        GROUP("@ipc", "ipc", "memfd_create", "mq_getsetattr", "mq_notify", "mq_open",
              "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
              "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "pipe", "pipe2", "semctl",
              "semget", "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt",
              "shmget"),
        GROUP("@keyring", "add_key", "keyctl", "request_key"),
        GROUP("@memlock", "mlock", "mlock2", "mlockall", "munlock", "munlockall"),
        GROUP("@module", "delete_module", "finit_module", "init_module"),
        GROUP("@mount", "chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount",
              "mount_setattr", "move_mount", "open_tree", "pivot_root", "umount", "umount2"),
        GROUP("@network-io", "accept", "accept4", "bind", "connect", "getpeername", "getsockname",
              "getsockopt", "listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
              "send", "sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socket",
              "socketcall", "socketpair"),
        GROUP("@obsolete", "_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime",
              "get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof", "profil",
              "putpmsg", "query_module", "security", "sgetmask", "ssetmask", "stty", "sysfs",
              "tuxcall", "ulimit", "uselib", "ustat", "vserver"),
        GROUP("@pkey", "pkey_alloc", "pkey_free", "pkey_mprotect"),
        GROUP("@process", "capget", "clone", "clone3", "execveat", "fork", "getrusage", "kill",
              "pidfd_open", "pidfd_send_signal", "prctl", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
              "setns", "swapcontext", "tgkill", "times", "tkill", "unshare", "vfork", "wait4",
              "waitid", "waitpid"),
        GROUP("@raw-io", "ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write",
              "s390_pci_mmio_read", "s390_pci_mmio_write"),
        GROUP("@reboot", "kexec_file_load", "kexec_load", "reboot"),
        GROUP("@resources", "ioprio_set", "mbind", "migrate_pages", "move_pages", "nice",
              "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
              "set_mempolicy", "set_mempolicy_home_node", "setpriority", "setrlimit"),
        GROUP("@setuid", "setgid", "setgid32", "setgroups", "setgroups32", "setregid", "setregid32",
              "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
              "setuid", "setuid32"),
        GROUP("@signal", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigsuspend",
              "rt_sigtimedwait", "rt_sigtimedwait_time64", "sigaction", "sigaltstack", "signal",
              "signalfd", "signalfd4", "sigpending", "sigprocmask", "sigsuspend"),
        GROUP("@swap", "swapoff", "swapon"),
        GROUP("@sync", "fdatasync", "fsync", "msync", "sync", "sync_file_range", "sync_file_range2",
              "syncfs"),
        GROUP("@timer", "alarm", "getitimer", "setitimer", "timer_create", "timer_delete",
              "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
              "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
              "timerfd_settime", "timerfd_settime64", "times"),
};

const struct syscall_group *syscall_group_find(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
                if (streq(groups[i].name, name))
                        return &groups[i];
        return NULL;
}

bool syscall_name_known(const char *name)
{
        if (name[0] == '@')
                return syscall_group_find(name) != NULL;
        return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

void syscall_groups_dump(FILE *f)
{
        for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
                fprintf(f, "%s:", groups[i].name);
                for (const char *const *m = groups[i].members; *m; m++)
                        fprintf(f, " %s", *m);
                fputc('\n', f);
        }
}
