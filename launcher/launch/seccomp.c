/* seccomp_profile.c - the default allow-list profiles, compiled with libseccomp and cached on disk.
 *
 * Two profiles: Docker's semantics for application boxes, systemd-nspawn's for machine boxes
 * (Boot=yes). Allowed system calls get an explicit rule; everything else libseccomp knows on the
 * native architecture fails with the box's errno (the default action); numbers it does not know
 * fail with ENOSYS (a preamble in front of the program), so that a libc probing a syscall newer
 * than our tables falls back instead of treating EPERM as fatal. */
#include "launch/seccomp.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "util/log.h"

/* Bump whenever the generated filter changes for the same inputs (rule layout, attributes). */
#define PROFILE_FORMAT 2
/* Native x86_64 numbers stay well below this; anything above is left to the default action. */
#define SYSCALL_NR_MAX 1024
#define CACHE_DEFAULT  "/var/cache/boxlaunch"

struct syscall_group {
        const char *name;
        const char *const *members; /* NULL-terminated; may name other groups */
};

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

/* A profile entry: a syscall or group, allowed always or only when the box keeps `cap` (without
 * the capability the kernel refuses most of them anyway, and the filter keeps the attack surface
 * off the table). Some calls are also reachable through argument rules when not allowed as a
 * whole (see add_fallback_rules()). */
struct profile_entry {
        const char *name;
        int cap; /* -1: always */
};

/* Machine boxes (Boot=yes): systemd-nspawn's profile. systemd inside needs namespaces, mounts
 * and the keyring-free rest of @process; its own user namespace (User=pick) confines them. */
static const struct profile_entry machine_profile[] = {
        {"@aio", -1},
        {"@basic-io", -1},
        {"@chown", -1},
        {"@default", -1},
        {"@file-system", -1},
        {"@io-event", -1},
        {"@ipc", -1},
        {"@mount", -1},
        {"@network-io", -1},
        {"@process", -1},
        {"@resources", -1},
        {"@setuid", -1},
        {"@signal", -1},
        {"@sync", -1},
        {"@timer", -1},
        {"capget", -1},
        {"capset", -1},
        {"copy_file_range", -1},
        {"fadvise64", -1},
        {"fadvise64_64", -1},
        {"flock", -1},
        {"get_mempolicy", -1},
        {"getcpu", -1},
        {"getpriority", -1},
        {"ioctl", -1},
        {"ioprio_get", -1},
        {"kcmp", -1},
        {"madvise", -1},
        {"mincore", -1},
        {"mremap", -1},
        {"name_to_handle_at", -1},
        {"oldolduname", -1},
        {"olduname", -1},
        {"personality", -1},
        {"readahead", -1},
        {"readdir", -1},
        {"remap_file_pages", -1},
        {"sched_get_priority_max", -1},
        {"sched_get_priority_min", -1},
        {"sched_getattr", -1},
        {"sched_getparam", -1},
        {"sched_getscheduler", -1},
        {"sched_rr_get_interval", -1},
        {"sched_rr_get_interval_time64", -1},
        {"sched_yield", -1},
        {"seccomp", -1},
        {"sendfile", -1},
        {"sendfile64", -1},
        {"setdomainname", -1},
        {"setfsgid", -1},
        {"setfsgid32", -1},
        {"setfsuid", -1},
        {"setfsuid32", -1},
        {"sethostname", -1},
        {"setpgid", -1},
        {"setsid", -1},
        {"splice", -1},
        {"sysinfo", -1},
        {"tee", -1},
        {"umask", -1},
        {"uname", -1},
        {"userfaultfd", -1},
        {"vmsplice", -1},
        {"@clock", CAP_SYS_TIME},
        {"@memlock", CAP_IPC_LOCK},
        {"@module", CAP_SYS_MODULE},
        {"@raw-io", CAP_SYS_RAWIO},
        {"acct", CAP_SYS_PACCT},
        {"process_vm_readv", CAP_SYS_PTRACE},
        {"process_vm_writev", CAP_SYS_PTRACE},
        {"ptrace", CAP_SYS_PTRACE},
        {"reboot", CAP_SYS_BOOT},
        {"syslog", CAP_SYSLOG},
        {"vhangup", CAP_SYS_TTY_CONFIG},
};

/* Application boxes: the semantics of Docker's default profile, call by call. No namespace
 * creation or entry, no mount family, no keyring, no io_uring (its operations bypass this
 * filter: IORING_OP_SOCKET makes sockets socket() is refused), no userfaultfd, personality()
 * only for the harmless values; each re-allowed by the capability Docker ties it to. Stricter
 * than Docker where nspawn was already: ptrace and process_vm_* need CAP_SYS_PTRACE, @clock
 * CAP_SYS_TIME, @memlock CAP_IPC_LOCK; modify_ldt and the pkey calls stay off. */
static const struct profile_entry app_profile[] = {
        {"@basic-io", -1},
        {"@chown", -1},
        {"@default", -1},
        {"@file-system", -1},
        {"@io-event", -1},
        {"@ipc", -1},
        {"@network-io", -1},
        {"@setuid", -1},
        {"@signal", -1},
        {"@sync", -1},
        {"@timer", -1},
        /* @aio without io_uring_* */
        {"io_cancel", -1},
        {"io_destroy", -1},
        {"io_getevents", -1},
        {"io_pgetevents", -1},
        {"io_pgetevents_time64", -1},
        {"io_setup", -1},
        {"io_submit", -1},
        /* @process without clone, clone3, setns, unshare (below) */
        {"capget", -1},
        {"execveat", -1},
        {"fork", -1},
        {"getrusage", -1},
        {"kill", -1},
        {"pidfd_open", -1},
        {"pidfd_send_signal", -1},
        {"prctl", -1},
        {"rt_sigqueueinfo", -1},
        {"rt_tgsigqueueinfo", -1},
        {"swapcontext", -1},
        {"tgkill", -1},
        {"times", -1},
        {"tkill", -1},
        {"vfork", -1},
        {"wait4", -1},
        {"waitid", -1},
        {"waitpid", -1},
        /* @resources without the NUMA calls (below) */
        {"ioprio_set", -1},
        {"nice", -1},
        {"sched_setaffinity", -1},
        {"sched_setattr", -1},
        {"sched_setparam", -1},
        {"sched_setscheduler", -1},
        {"setpriority", -1},
        {"setrlimit", -1},
        {"capset", -1},
        {"copy_file_range", -1},
        {"fadvise64", -1},
        {"fadvise64_64", -1},
        {"fanotify_mark", -1},
        {"flock", -1},
        {"getcpu", -1},
        {"getpriority", -1},
        {"ioctl", -1},
        {"ioprio_get", -1},
        {"landlock_add_rule", -1},
        {"landlock_create_ruleset", -1},
        {"landlock_restrict_self", -1},
        {"madvise", -1},
        {"mincore", -1},
        {"mremap", -1},
        {"name_to_handle_at", -1},
        {"oldolduname", -1},
        {"olduname", -1},
        {"readahead", -1},
        {"readdir", -1},
        {"remap_file_pages", -1},
        {"sched_get_priority_max", -1},
        {"sched_get_priority_min", -1},
        {"sched_getattr", -1},
        {"sched_getparam", -1},
        {"sched_getscheduler", -1},
        {"sched_rr_get_interval", -1},
        {"sched_rr_get_interval_time64", -1},
        {"sched_yield", -1},
        {"seccomp", -1},
        {"sendfile", -1},
        {"sendfile64", -1},
        {"setfsgid", -1},
        {"setfsgid32", -1},
        {"setfsuid", -1},
        {"setfsuid32", -1},
        {"setpgid", -1},
        {"setsid", -1},
        {"splice", -1},
        {"sysinfo", -1},
        {"tee", -1},
        {"umask", -1},
        {"uname", -1},
        {"vmsplice", -1},
        /* CAP_SYS_ADMIN: namespaces, mounts and the administrative calls Docker ties to it. */
        {"bpf", CAP_SYS_ADMIN},
        {"clone", CAP_SYS_ADMIN},
        {"clone3", CAP_SYS_ADMIN},
        {"fanotify_init", CAP_SYS_ADMIN},
        {"fsconfig", CAP_SYS_ADMIN},
        {"fsmount", CAP_SYS_ADMIN},
        {"fsopen", CAP_SYS_ADMIN},
        {"fspick", CAP_SYS_ADMIN},
        {"lookup_dcookie", CAP_SYS_ADMIN},
        {"mount", CAP_SYS_ADMIN},
        {"mount_setattr", CAP_SYS_ADMIN},
        {"move_mount", CAP_SYS_ADMIN},
        {"open_tree", CAP_SYS_ADMIN},
        {"perf_event_open", CAP_SYS_ADMIN},
        {"pivot_root", CAP_SYS_ADMIN},
        {"quotactl", CAP_SYS_ADMIN},
        {"quotactl_fd", CAP_SYS_ADMIN},
        {"setdomainname", CAP_SYS_ADMIN},
        {"sethostname", CAP_SYS_ADMIN},
        {"setns", CAP_SYS_ADMIN},
        {"syslog", CAP_SYS_ADMIN},
        {"umount", CAP_SYS_ADMIN},
        {"umount2", CAP_SYS_ADMIN},
        {"unshare", CAP_SYS_ADMIN},
        {"bpf", CAP_BPF},
        {"perf_event_open", CAP_PERFMON},
        {"chroot", CAP_SYS_CHROOT},
        {"open_by_handle_at", CAP_DAC_READ_SEARCH},
        {"get_mempolicy", CAP_SYS_NICE},
        {"mbind", CAP_SYS_NICE},
        {"migrate_pages", CAP_SYS_NICE},
        {"move_pages", CAP_SYS_NICE},
        {"set_mempolicy", CAP_SYS_NICE},
        {"set_mempolicy_home_node", CAP_SYS_NICE},
        {"kcmp", CAP_SYS_PTRACE},
        {"pidfd_getfd", CAP_SYS_PTRACE},
        {"process_madvise", CAP_SYS_PTRACE},
        {"process_vm_readv", CAP_SYS_PTRACE},
        {"process_vm_writev", CAP_SYS_PTRACE},
        {"ptrace", CAP_SYS_PTRACE},
        {"@clock", CAP_SYS_TIME},
        {"@memlock", CAP_IPC_LOCK},
        {"@module", CAP_SYS_MODULE},
        {"@raw-io", CAP_SYS_RAWIO},
        {"acct", CAP_SYS_PACCT},
        {"reboot", CAP_SYS_BOOT},
        {"syslog", CAP_SYSLOG},
        {"vhangup", CAP_SYS_TTY_CONFIG},
};

struct profile {
        const char *name;
        const struct profile_entry *entries;
        size_t n;
};

static const struct profile profiles[] = {
        {"application", app_profile, ARRAY_SIZE(app_profile)},
        {"machine", machine_profile, ARRAY_SIZE(machine_profile)},
};

static const struct profile *profile_for(const struct box_config *c)
{
        return &profiles[c->boot ? 1 : 0];
}

static const struct syscall_group *group_find(const char *name)
{
        for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
                if (streq(groups[i].name, name))
                        return &groups[i];
        return NULL;
}

/* A growable list of borrowed names (static tables or the config's strings). */
struct name_set {
        const char **v;
        size_t n, alloc;
};

static void name_set_done(struct name_set *s)
{
        free(s->v);
}

static void name_set_push(struct name_set *s, const char *name)
{
        if (s->n == s->alloc) {
                s->alloc = s->alloc ? s->alloc * 2 : 64;
                s->v = xrealloc(s->v, s->alloc * sizeof(*s->v));
        }
        s->v[s->n++] = name;
}

static int name_set_expand(struct name_set *s, const char *name, unsigned depth)
{
        if (name[0] != '@') {
                name_set_push(s, name);
                return 0;
        }
        const struct syscall_group *g = group_find(name);
        if (!g || depth > 4)
                return -EINVAL;
        for (const char *const *m = g->members; *m; m++) {
                int r = name_set_expand(s, *m, depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int cmp_name(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void name_set_sort_unique(struct name_set *s)
{
        size_t k = 0;

        if (s->n == 0)
                return;
        qsort(s->v, s->n, sizeof(*s->v), cmp_name);
        for (size_t i = 1; i < s->n; i++)
                if (!streq(s->v[i], s->v[k]))
                        s->v[++k] = s->v[i];
        s->n = k + 1;
}

static bool name_set_has(const struct name_set *s, const char *name)
{
        return bsearch(&name, s->v, s->n, sizeof(*s->v), cmp_name) != NULL;
}

int seccomp_check_names(char *const *names, char **bad)
{
        for (char *const *n = names; n && *n; n++) {
                bool ok;
                if ((*n)[0] == '@')
                        ok = group_find(*n) != NULL;
                else
                        ok = seccomp_syscall_resolve_name(*n) != __NR_SCMP_ERROR;
                if (!ok) {
                        if (bad)
                                *bad = xstrdup(*n);
                        return -EINVAL;
                }
        }
        return 0;
}

void seccomp_dump_groups(FILE *f)
{
        for (size_t i = 0; i < ARRAY_SIZE(groups); i++) {
                fprintf(f, "%s:", groups[i].name);
                for (const char *const *m = groups[i].members; *m; m++)
                        fprintf(f, " %s", *m);
                fputc('\n', f);
        }
}

void seccomp_prog_free(struct box_seccomp_prog *p)
{
        free(p->filter);
        p->filter = NULL;
        p->len = 0;
}

int seccomp_load_prog(const struct box_seccomp_prog *p)
{
        if (p->len == 0)
                return 0;
        struct sock_fprog prog = {.len = p->len, .filter = p->filter};
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return negative_errno();
        return 0;
}

/* ---- the cache key ---------------------------------------------------------------------- */

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME  UINT64_C(0x100000001b3)

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
        const unsigned char *p = data;
        for (size_t i = 0; i < n; i++) {
                h ^= p[i];
                h *= FNV_PRIME;
        }
        return h;
}

static uint64_t fnv1a_str(uint64_t h, const char *s)
{
        /* Include the terminator so "ab" "c" and "a" "bc" differ. */
        return fnv1a(h, s, strlen(s) + 1);
}

/* The gating capabilities: the only bits of the cap set that change the filter. */
static uint64_t profile_cap_mask(void)
{
        uint64_t m = 0;
        for (size_t p = 0; p < ARRAY_SIZE(profiles); p++)
                for (size_t i = 0; i < profiles[p].n; i++)
                        if (profiles[p].entries[i].cap >= 0)
                                m |= UINT64_C(1) << profiles[p].entries[i].cap;
        return m;
}

static uint64_t cache_key(const struct profile *prof, const struct name_set *allow,
                          const struct name_set *deny, int err, uint64_t caps)
{
        const struct scmp_version *v = seccomp_version();
        char buf[192];
        uint64_t h = FNV_OFFSET;

        snprintf(buf, sizeof(buf),
                 "boxlaunch-seccomp %d libseccomp %u.%u.%u arch %u errno %d caps %" PRIx64
                 " profile %s",
                 PROFILE_FORMAT, v->major, v->minor, v->micro, seccomp_arch_native(), err,
                 caps & profile_cap_mask(), prof->name);
        h = fnv1a_str(h, buf);
        h = fnv1a_str(h, "allow");
        for (size_t i = 0; i < allow->n; i++)
                h = fnv1a_str(h, allow->v[i]);
        h = fnv1a_str(h, "deny");
        for (size_t i = 0; i < deny->n; i++)
                h = fnv1a_str(h, deny->v[i]);
        return h;
}

/* ---- the cache files --------------------------------------------------------------------- */

/* Opens (creating as needed, 0700) the cache directory, refusing symlinks on the way and a final
 * directory that someone else could write to. */
static int cache_dir_open(int *ret)
{
        const char *base = getenv("BOXLAUNCH_CACHE_DIR");
        if (!base || !*base)
                base = CACHE_DEFAULT;
        _cleanup_free_ char *path = xasprintf("%s/seccomp", base);
        _cleanup_close_ int fd =
                open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        char *save = NULL;
        for (char *comp = strtok_r(path, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                if (mkdirat(fd, comp, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return negative_errno();
                closep(&fd);
                fd = next;
        }

        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_uid != geteuid() || (st.st_mode & 022))
                return -EPERM;
        *ret = TAKE_FD(fd);
        return 0;
}

/* File layout: the BPF program, then one 8-byte check word (FNV-1a of the program seeded with
 * the key), so that the size stays a multiple of sizeof(struct sock_filter). */
static int cache_read(int dfd, const char *name, uint64_t key, struct box_seccomp_prog *ret)
{
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        struct stat st;
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
                return -EPERM;
        size_t size = (size_t)st.st_size;
        if (st.st_size < 2 * (off_t)sizeof(struct sock_filter) ||
            size % sizeof(struct sock_filter) != 0 ||
            size > (BPF_MAXINSNS + 1) * sizeof(struct sock_filter))
                return -EBADMSG;

        _cleanup_free_ struct sock_filter *buf = xmalloc(size);
        int r = read_all(fd, buf, size);
        if (r < 0)
                return r;
        size_t len = size / sizeof(struct sock_filter) - 1;
        uint64_t check;
        memcpy(&check, &buf[len], sizeof(check));
        if (check != fnv1a(key, buf, len * sizeof(struct sock_filter)))
                return -EBADMSG;

        ret->filter = TAKE_PTR(buf);
        ret->len = (unsigned short)len;
        return 0;
}

static int cache_write(int dfd, const char *name, uint64_t key, const struct box_seccomp_prog *p)
{
        size_t n = p->len * sizeof(struct sock_filter);
        uint64_t check = fnv1a(key, p->filter, n);
        _cleanup_free_ char *tmp = xasprintf(".%s.%d.tmp", name, (int)getpid());

        /* A leftover from a crashed start that had our pid would block O_EXCL forever. */
        (void)unlinkat(dfd, tmp, 0);
        _cleanup_close_ int fd =
                openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return negative_errno();
        int r = write_all(fd, p->filter, n);
        if (r >= 0)
                r = write_all(fd, &check, sizeof(check));
        /* rename() makes the file appear complete or not at all to a concurrent start. */
        if (r >= 0 && renameat(dfd, tmp, dfd, name) < 0)
                r = negative_errno();
        if (r < 0)
                (void)unlinkat(dfd, tmp, 0);
        return r;
}

/* ---- compiling --------------------------------------------------------------------------- */

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
        if (*ctx)
                seccomp_release(*ctx);
}

/* Resolves names to native syscall numbers; names libseccomp does not know here are skipped. */
static void mark_numbers(const struct name_set *s, bool *nr)
{
        for (size_t i = 0; i < s->n; i++) {
                int n = seccomp_syscall_resolve_name(s->v[i]);
                if (n < 0 || n >= SYSCALL_NR_MAX) {
                        log_debug("seccomp: %s is not a system call on this architecture, skipped",
                                  s->v[i]);
                        continue;
                }
                nr[n] = true;
        }
}

/* socket(AF_NETLINK, *, NETLINK_AUDIT) fails with EAFNOSUPPORT: the audit subsystem is not
 * namespaced, and tools fall back to syslog on that errno. An application box is also refused
 * AF_VSOCK (the hypervisor's host side, as in Docker's profile), with the same errno (a rule
 * cannot repeat the default action). Everything else is allowed. The
 * kernel truncates these int arguments, so the refusals compare the low 32 bits only (garbage in
 * the upper half must not get past them); libseccomp puts those rules ahead of the allow rules. */
static int add_socket_rules(scmp_filter_ctx ctx, int nr, bool app)
{
        const struct scmp_arg_cmp netlink32 = {
                .arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = UINT32_MAX, .datum_b = AF_NETLINK};
        const struct scmp_arg_cmp audit32 = {.arg = 2,
                                             .op = SCMP_CMP_MASKED_EQ,
                                             .datum_a = UINT32_MAX,
                                             .datum_b = NETLINK_AUDIT};
        const struct scmp_arg_cmp vsock32 = {
                .arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = UINT32_MAX, .datum_b = AF_VSOCK};
        const struct scmp_arg_cmp not_netlink = {
                .arg = 0, .op = SCMP_CMP_NE, .datum_a = AF_NETLINK, .datum_b = 0};
        const struct scmp_arg_cmp netlink = {
                .arg = 0, .op = SCMP_CMP_EQ, .datum_a = AF_NETLINK, .datum_b = 0};
        const struct scmp_arg_cmp not_audit = {
                .arg = 2, .op = SCMP_CMP_NE, .datum_a = NETLINK_AUDIT, .datum_b = 0};

        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 2, netlink32, audit32);
        if (r < 0)
                return r;
        if (app && (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 1, vsock32)) < 0)
                return r;
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, not_netlink);
        if (r < 0)
                return r;
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, netlink, not_audit);
}

/* The namespace flags clone() must not carry without CAP_SYS_ADMIN (CLONE_NEWTIME is only
 * accepted by unshare and clone3). */
#define CLONE_NS_FLAGS                                                                             \
        (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
         CLONE_NEWCGROUP)

/* personality() values an application box may set: plain Linux, PER_LINUX32 and UNAME26 (and
 * both), and the 0xffffffff query. READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE and the rest stay
 * off (they weaken the box's own exploit mitigations). */
static const uint64_t safe_personalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

/* What a system call that is not allowed as a whole may still do (and is not denied by name):
 * clone() without namespace flags, personality() with a safe value, and clone3() fails with
 * ENOSYS (its flags are in memory, out of the filter's reach) so that libc falls back to clone().
 * Everything else gets the default action. */
static int add_fallback_rules(scmp_filter_ctx ctx, int nr, const char *name, bool denied)
{
        if (streq(name, "clone3"))
                return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
        if (denied)
                return 0;
        if (streq(name, "clone"))
                /* The kernel uses the low 32 bits of the flags; these all live there. */
                return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                        SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NS_FLAGS, 0));
        if (streq(name, "personality")) {
                for (size_t i = 0; i < ARRAY_SIZE(safe_personalities); i++) {
                        /* All 64 bits compared: garbage in the upper half is refused. */
                        int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
                                                 SCMP_A0(SCMP_CMP_EQ, safe_personalities[i]));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **ret, size_t *ret_len)
{
        /* libseccomp 2.5 exports only to an fd. */
        _cleanup_close_ int fd = memfd_create("boxlaunch-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        int r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        off_t size = lseek(fd, 0, SEEK_CUR);
        if (size < 0)
                return negative_errno();
        if (size == 0 || (size_t)size % sizeof(struct sock_filter) != 0 ||
            (size_t)size > BPF_MAXINSNS * sizeof(struct sock_filter))
                return -E2BIG;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return negative_errno();
        _cleanup_free_ struct sock_filter *buf = xmalloc((size_t)size);
        r = read_all(fd, buf, (size_t)size);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(buf);
        *ret_len = (size_t)size / sizeof(struct sock_filter);
        return 0;
}

/* ---- the ENOSYS preamble ----------------------------------------------------------------- */

/* libseccomp's default action applies to every system call it has no rule for. That must be the
 * box's errno (so an argument rule that does not match refuses with it, as Docker's profile
 * does), yet a number libseccomp does not know at all (a gap in the table, or a call newer than
 * it) must fail with ENOSYS so that libc falls back. The few instructions put in front of the
 * program do the latter: on the native architecture, a number in one of the unknown ranges
 * returns ENOSYS; everything else runs libseccomp's program, which also kills other ABIs. */
#define X32_SYSCALL_BIT 0x40000000u
#define PREAMBLE_MAX    200 /* keeps every conditional jump within its 8-bit offset */

struct nr_range {
        uint32_t lo, hi; /* [lo, hi); hi == 0: no upper end */
};

/* The native numbers libseccomp cannot name, as ranges; the last one is open-ended. */
static size_t unknown_ranges(struct nr_range *v, size_t max)
{
        size_t n = 0;
        bool in = false;
        for (uint32_t nr = 0; nr < SYSCALL_NR_MAX; nr++) {
                _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
                bool unknown = name == NULL;
                if (unknown && !in) {
                        if (n == max)
                                return SIZE_MAX;
                        v[n++] = (struct nr_range){.lo = nr, .hi = 0};
                } else if (!unknown && in)
                        v[n - 1].hi = nr;
                in = unknown;
        }
        /* Above the table: unknown up to the x32 bit (x86-64) or for good. */
        if (!in) {
                if (n == max)
                        return SIZE_MAX;
                v[n++] = (struct nr_range){.lo = SYSCALL_NR_MAX, .hi = 0};
        }
        return n;
}

static int add_enosys_preamble(struct sock_filter *prog, size_t len, struct box_seccomp_prog *ret)
{
        struct nr_range ranges[(PREAMBLE_MAX - 8) / 2];
        size_t n = unknown_ranges(ranges, ARRAY_SIZE(ranges));
        if (n == SIZE_MAX)
                return -E2BIG;
        bool x32 = seccomp_arch_native() == SCMP_ARCH_X86_64;

        struct sock_filter pre[PREAMBLE_MAX];
        size_t k = 0;
        pre[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                offsetof(struct seccomp_data, arch));
        size_t arch_jump = k++; /* not native: straight to the program; patched below */
        pre[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                                offsetof(struct seccomp_data, nr));
        size_t x32_jump = SIZE_MAX;
        if (x32)
                x32_jump = k++; /* x32 numbers: the program kills them; patched below */
        size_t enosys_jumps[ARRAY_SIZE(ranges)];
        for (size_t i = 0; i < n; i++) {
                if (ranges[i].hi == 0) {
                        /* nr >= lo: ENOSYS */
                        enosys_jumps[i] = k;
                        pre[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
                                                                ranges[i].lo, 0, 0);
                        continue;
                }
                /* nr < lo: on to the next range; nr < hi: ENOSYS */
                pre[k++] =
                        (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ranges[i].lo, 0, 1);
                enosys_jumps[i] = k;
                pre[k++] =
                        (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ranges[i].hi, 0, 0);
        }
        pre[k++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 1);
        size_t enosys = k;
        pre[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                                SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
        size_t start = k; /* the program's first instruction */

        /* Offsets count from the instruction after the jump. */
        pre[arch_jump] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
                                                      (uint32_t)seccomp_arch_native(), 0,
                                                      (uint8_t)(start - arch_jump - 1));
        if (x32)
                pre[x32_jump] =
                        (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT,
                                                     (uint8_t)(start - x32_jump - 1), 0);
        for (size_t i = 0; i < n; i++) {
                uint8_t off = (uint8_t)(enosys - enosys_jumps[i] - 1);
                if (ranges[i].hi == 0)
                        pre[enosys_jumps[i]].jt = off;
                else
                        pre[enosys_jumps[i]].jf = off;
        }

        if (start + len > BPF_MAXINSNS)
                return -E2BIG;
        ret->filter = xmalloc((start + len) * sizeof(struct sock_filter));
        memcpy(ret->filter, pre, start * sizeof(struct sock_filter));
        memcpy(ret->filter + start, prog, len * sizeof(struct sock_filter));
        ret->len = (unsigned short)(start + len);
        return 0;
}

static int build_filter(const struct name_set *allow, const struct name_set *deny, int err,
                        bool app, struct box_seccomp_prog *ret)
{
        bool allowed[SYSCALL_NR_MAX] = {false}, denied[SYSCALL_NR_MAX] = {false};
        int r;

        mark_numbers(allow, allowed);
        mark_numbers(deny, denied);
        int socket_nr = seccomp_syscall_resolve_name("socket");

        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(err));
        if (!ctx)
                return -ENOMEM;
        /* Only the native ABI: 32-bit and x32 entry points would bypass per-number rules. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return r;
        /* A binary tree keeps the per-syscall cost logarithmic with ~300 rules. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
                log_debug("seccomp: binary tree optimisation unavailable: %s", strerror(-r));

        for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
                _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
                if (!name)
                        continue;
                if (allowed[nr] && !denied[nr])
                        r = nr == socket_nr ? add_socket_rules(ctx, nr, app)
                                            : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
                else /* the default action refuses it, unless an argument rule applies */
                        r = add_fallback_rules(ctx, nr, name, denied[nr]);
                if (r < 0)
                        return r;
        }

        _cleanup_free_ struct sock_filter *prog = NULL;
        size_t len = 0;
        r = export_bpf(ctx, &prog, &len);
        if (r < 0)
                return r;
        return add_enosys_preamble(prog, len, ret);
}

int seccomp_compile(const struct box_config *c, uint64_t caps, struct box_seccomp_prog *ret)
{
        struct name_set allow _cleanup_(name_set_done) = {0};
        struct name_set deny _cleanup_(name_set_done) = {0};
        struct name_set final _cleanup_(name_set_done) = {0};
        int r;

        *ret = (struct box_seccomp_prog){0};
        if (!c->seccomp.enabled)
                return 0;

        /* 0 is "unset"; the kernel's SECCOMP_RET_DATA carries at most MAX_ERRNO. */
        int err = c->seccomp.errno_value == 0 ? EPERM : c->seccomp.errno_value;
        if (err < 0 || err > 4095)
                return -EINVAL;

        const struct profile *prof = profile_for(c);
        for (size_t i = 0; i < prof->n; i++) {
                const struct profile_entry *e = &prof->entries[i];
                if (e->cap >= 0 && !(caps & (UINT64_C(1) << e->cap)))
                        continue;
                r = name_set_expand(&allow, e->name, 0);
                if (r < 0)
                        return r;
        }
        for (char **n = c->seccomp.allow; n && *n; n++) {
                r = name_set_expand(&allow, *n, 0);
                if (r < 0)
                        return r;
        }
        for (char **n = c->seccomp.deny; n && *n; n++) {
                r = name_set_expand(&deny, *n, 0);
                if (r < 0)
                        return r;
        }
        name_set_sort_unique(&allow);
        name_set_sort_unique(&deny);
        /* Deny wins over allow. */
        for (size_t i = 0; i < allow.n; i++)
                if (!name_set_has(&deny, allow.v[i]))
                        name_set_push(&final, allow.v[i]);

        uint64_t key = cache_key(prof, &final, &deny, err, caps);
        char name[32];
        snprintf(name, sizeof(name), "%016" PRIx64 ".bpf", key);

        _cleanup_close_ int dfd = -EBADF;
        r = cache_dir_open(&dfd);
        if (r < 0) {
                log_debug("seccomp: cache directory unusable, compiling: %s", strerror(-r));
        } else {
                r = cache_read(dfd, name, key, ret);
                if (r >= 0)
                        return 0;
                if (r != -ENOENT)
                        log_debug("seccomp: ignoring cache file %s: %s", name, strerror(-r));
        }

        r = build_filter(&final, &deny, err, prof == &profiles[0], ret);
        if (r < 0)
                return r;
        if (dfd >= 0) {
                r = cache_write(dfd, name, key, ret);
                if (r < 0)
                        log_debug("seccomp: cannot write cache file %s: %s", name, strerror(-r));
        }
        return 0;
}
