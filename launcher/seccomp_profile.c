/* seccomp_profile.c - the default allow-list profile, compiled with libseccomp and cached on disk.
 *
 * Syscalls libseccomp knows on the native architecture get an explicit rule (allow, or fail with
 * the box's errno); everything else hits the default action ENOSYS, so that a libc probing a
 * syscall newer than our tables falls back instead of treating EPERM as fatal. */
#include "seccomp_profile.h"

#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "log.h"

/* Bump whenever the generated filter changes for the same inputs (rule layout, attributes). */
#define PROFILE_FORMAT 1
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

/* The default profile (nspawn's choice of groups and single syscalls). Entries with a capability
 * are only allowed when the box keeps it: without the capability the kernel refuses them anyway,
 * and the filter keeps the attack surface off the table. */
struct profile_entry {
        const char *name;
        int cap; /* -1: always */
};

static const struct profile_entry default_profile[] = {
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
        for (size_t i = 0; i < ARRAY_SIZE(default_profile); i++)
                if (default_profile[i].cap >= 0)
                        m |= UINT64_C(1) << default_profile[i].cap;
        return m;
}

static uint64_t cache_key(const struct name_set *allow, const struct name_set *deny, int err,
                          uint64_t caps)
{
        const struct scmp_version *v = seccomp_version();
        char buf[160];
        uint64_t h = FNV_OFFSET;

        snprintf(buf, sizeof(buf),
                 "boxlaunch-seccomp %d libseccomp %u.%u.%u arch %u errno %d caps %" PRIx64,
                 PROFILE_FORMAT, v->major, v->minor, v->micro, seccomp_arch_native(), err,
                 caps & profile_cap_mask());
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
 * namespaced, and tools fall back to syslog on that errno. Everything else is allowed. The
 * kernel truncates these int arguments, so the refusal compares the low 32 bits only (garbage in
 * the upper half must not get past it); libseccomp puts that rule ahead of the allow rules. */
static int add_socket_rules(scmp_filter_ctx ctx, int nr)
{
        const struct scmp_arg_cmp netlink32 = {
                .arg = 0, .op = SCMP_CMP_MASKED_EQ, .datum_a = UINT32_MAX, .datum_b = AF_NETLINK};
        const struct scmp_arg_cmp audit32 = {.arg = 2,
                                             .op = SCMP_CMP_MASKED_EQ,
                                             .datum_a = UINT32_MAX,
                                             .datum_b = NETLINK_AUDIT};
        const struct scmp_arg_cmp not_netlink = {
                .arg = 0, .op = SCMP_CMP_NE, .datum_a = AF_NETLINK, .datum_b = 0};
        const struct scmp_arg_cmp netlink = {
                .arg = 0, .op = SCMP_CMP_EQ, .datum_a = AF_NETLINK, .datum_b = 0};
        const struct scmp_arg_cmp not_audit = {
                .arg = 2, .op = SCMP_CMP_NE, .datum_a = NETLINK_AUDIT, .datum_b = 0};

        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), nr, 2, netlink32, audit32);
        if (r < 0)
                return r;
        r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, not_netlink);
        if (r < 0)
                return r;
        return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, netlink, not_audit);
}

static int export_bpf(scmp_filter_ctx ctx, struct box_seccomp_prog *ret)
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
        ret->filter = TAKE_PTR(buf);
        ret->len = (unsigned short)((size_t)size / sizeof(struct sock_filter));
        return 0;
}

static int build_filter(const struct name_set *allow, const struct name_set *deny, int err,
                        struct box_seccomp_prog *ret)
{
        bool allowed[SYSCALL_NR_MAX] = {false}, denied[SYSCALL_NR_MAX] = {false};
        int r;

        mark_numbers(allow, allowed);
        mark_numbers(deny, denied);
        int socket_nr = seccomp_syscall_resolve_name("socket");

        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
        if (!ctx)
                return -ENOMEM;
        /* Only the native ABI: 32-bit and x32 entry points would bypass per-number rules. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                return r;
        /* A binary tree keeps the per-syscall cost logarithmic with ~450 rules. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
                log_debug("seccomp: binary tree optimisation unavailable: %s", strerror(-r));

        for (int nr = 0; nr < SYSCALL_NR_MAX; nr++) {
                _cleanup_free_ char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
                if (!name)
                        continue;
                bool ok = allowed[nr] && !denied[nr];
                if (ok && nr == socket_nr)
                        r = add_socket_rules(ctx, nr);
                else
                        r = seccomp_rule_add(ctx, ok ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(err), nr, 0);
                /* -EACCES: the action equals the default (errno ENOSYS), nothing to add. */
                if (r < 0 && r != -EACCES)
                        return r;
        }
        return export_bpf(ctx, ret);
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

        for (size_t i = 0; i < ARRAY_SIZE(default_profile); i++) {
                const struct profile_entry *e = &default_profile[i];
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

        uint64_t key = cache_key(&final, &deny, err, caps);
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

        r = build_filter(&final, &deny, err, ret);
        if (r < 0)
                return r;
        if (dfd >= 0) {
                r = cache_write(dfd, name, key, ret);
                if (r < 0)
                        log_debug("seccomp: cannot write cache file %s: %s", name, strerror(-r));
        }
        return 0;
}
