/* test_seccomp_docker.c - the application profile against Docker's default, call by call.
 *
 * Each check loads the compiled filter in a forked child and makes the call with arguments the
 * kernel refuses harmlessly (the tests run as root: a call the filter lets through must not
 * change the host). The box's errno is set to EDOM, which none of these calls returns on its
 * own, so "EDOM" means "refused by the filter" and anything else means "let through". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "launch/caps.h"
#include "launch/seccomp.h"

#define FILTERED EDOM

static char cache_dir[] = "/tmp/boxlaunch-test-seccomp-docker-XXXXXX";

#define CAPBIT(c) (UINT64_C(1) << (c))

/* One call: its name (for messages) and how to make it harmlessly. */
struct call {
        const char *name;
        long (*make)(void);
};

static long c_unshare(void)
{
        return syscall(SYS_unshare, 0);
}
static long c_setns(void)
{
        return syscall(SYS_setns, -1, 0);
}
static long c_clone3(void)
{
        return syscall(SYS_clone3, NULL, 0);
}
/* CLONE_NEWNS with CLONE_FS is invalid: the kernel says EINVAL if the filter lets it pass. */
static long c_clone_newns(void)
{
        return syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0);
}
static long c_clone_newuser(void)
{
        return syscall(SYS_clone, CLONE_NEWUSER | CLONE_FS | SIGCHLD, 0, 0, 0, 0);
}
/* Garbage in the upper half must not hide a namespace flag. */
static long c_clone_newpid_high(void)
{
        return syscall(SYS_clone, (1UL << 40) | CLONE_NEWPID | CLONE_THREAD | SIGCHLD, 0, 0, 0, 0);
}
static long c_mount(void)
{
        return syscall(SYS_mount, NULL, NULL, NULL, 0, NULL);
}
static long c_umount2(void)
{
        return syscall(SYS_umount2, "", 0);
}
static long c_open_tree(void)
{
        return syscall(SYS_open_tree, -1, "", 0);
}
static long c_move_mount(void)
{
        return syscall(SYS_move_mount, -1, "", -1, "", 0);
}
static long c_fsopen(void)
{
        return syscall(SYS_fsopen, "boxlaunch-no-such-fs", 0);
}
static long c_fsconfig(void)
{
        return syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0);
}
static long c_fsmount(void)
{
        return syscall(SYS_fsmount, -1, 0, 0);
}
static long c_fspick(void)
{
        return syscall(SYS_fspick, -1, "", 0);
}
static long c_mount_setattr(void)
{
        return syscall(SYS_mount_setattr, -1, "", 0, NULL, 0);
}
static long c_pivot_root(void)
{
        return syscall(SYS_pivot_root, "", "");
}
static long c_io_uring_setup(void)
{
        return syscall(SYS_io_uring_setup, 0, NULL);
}
static long c_io_uring_enter(void)
{
        return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
}
static long c_io_uring_register(void)
{
        return syscall(SYS_io_uring_register, -1, 0, NULL, 0);
}
static long c_keyctl(void)
{
        return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
}
static long c_add_key(void)
{
        return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0);
}
static long c_request_key(void)
{
        return syscall(SYS_request_key, NULL, NULL, NULL, 0);
}
static long c_bpf(void)
{
        return syscall(SYS_bpf, -1, NULL, 0);
}
static long c_perf_event_open(void)
{
        return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
}
static long c_fanotify_init(void)
{
        return syscall(SYS_fanotify_init, ~0U, 0);
}
static long c_quotactl(void)
{
        return syscall(SYS_quotactl, 0, NULL, 0, NULL);
}
static long c_sethostname(void)
{
        return syscall(SYS_sethostname, NULL, 100000);
}
static long c_setdomainname(void)
{
        return syscall(SYS_setdomainname, NULL, 100000);
}
static long c_syslog(void)
{
        return syscall(SYS_syslog, 9999, NULL, 0);
}
static long c_userfaultfd(void)
{
        return syscall(SYS_userfaultfd, ~0U);
}
static long c_kexec_load(void)
{
        return syscall(SYS_kexec_load, 0, 0, NULL, ~0UL);
}
static long c_init_module(void)
{
        return syscall(SYS_init_module, NULL, 0, NULL);
}
static long c_finit_module(void)
{
        return syscall(SYS_finit_module, -1, NULL, 0);
}
static long c_delete_module(void)
{
        return syscall(SYS_delete_module, NULL, 0);
}
static long c_ptrace(void)
{
        return syscall(SYS_ptrace, ~0L, 0, NULL, NULL);
}
static long c_process_vm_readv(void)
{
        return syscall(SYS_process_vm_readv, 0, NULL, 0, NULL, 0, ~0UL);
}
static long c_kcmp(void)
{
        return syscall(SYS_kcmp, 0, 0, ~0, 0, 0);
}
static long c_pidfd_getfd(void)
{
        return syscall(SYS_pidfd_getfd, -1, -1, 0);
}
static long c_open_by_handle_at(void)
{
        return syscall(SYS_open_by_handle_at, -1, NULL, 0);
}
static long c_mbind(void)
{
        return syscall(SYS_mbind, NULL, 0, ~0, NULL, 0, 0);
}
static long c_set_mempolicy(void)
{
        return syscall(SYS_set_mempolicy, ~0, NULL, 0);
}
static long c_get_mempolicy(void)
{
        return syscall(SYS_get_mempolicy, NULL, NULL, 0, NULL, ~0UL);
}
static long c_migrate_pages(void)
{
        return syscall(SYS_migrate_pages, -1, 0, NULL, NULL);
}
static long c_move_pages(void)
{
        return syscall(SYS_move_pages, -1, 0, NULL, NULL, NULL, ~0);
}
static long c_swapon(void)
{
        return syscall(SYS_swapon, NULL, 0);
}
static long c_acct(void)
{
        return syscall(SYS_acct, "");
}
static long c_settimeofday(void)
{
        return syscall(SYS_settimeofday, NULL, NULL);
}
static long c_iopl(void)
{
        return syscall(SYS_iopl, 99);
}
static long c_personality_rie(void)
{
        return syscall(SYS_personality, READ_IMPLIES_EXEC);
}
static long c_personality_norandom(void)
{
        return syscall(SYS_personality, ADDR_NO_RANDOMIZE);
}
static long c_personality_rie32(void)
{
        return syscall(SYS_personality, READ_IMPLIES_EXEC | PER_LINUX32);
}
static long c_personality_high(void)
{
        return syscall(SYS_personality, (1UL << 32) | PER_LINUX);
}
static long c_personality_almost_query(void)
{
        return syscall(SYS_personality, 0xfffffffeUL);
}
/* The safe values, each reset to plain Linux afterwards. */
static long set_and_reset(unsigned long v)
{
        long r = syscall(SYS_personality, v);
        int saved = errno;
        syscall(SYS_personality, PER_LINUX);
        errno = saved;
        return r;
}
static long c_personality_query(void)
{
        return syscall(SYS_personality, 0xffffffffUL);
}
static long c_personality_linux(void)
{
        return set_and_reset(PER_LINUX);
}
static long c_personality_linux32(void)
{
        return set_and_reset(PER_LINUX32);
}
static long c_personality_uname26(void)
{
        return set_and_reset(UNAME26);
}
static long c_personality_both(void)
{
        return set_and_reset(UNAME26 | PER_LINUX32);
}
/* Without namespace flags clone() is fork(). */
static long c_clone_plain(void)
{
        long pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
        if (pid == 0)
                _exit(0);
        if (pid > 0)
                waitpid((pid_t)pid, NULL, 0);
        return pid;
}
static long c_vsock(void)
{
        return syscall(SYS_socket, AF_VSOCK, SOCK_STREAM, 0);
}
static long c_vsock_high(void)
{
        return syscall(SYS_socket, (1L << 32) | AF_VSOCK, SOCK_STREAM, 0);
}
static long c_getpid(void)
{
        return syscall(SYS_getpid);
}
static long c_unknown_gap(void)
{
        return syscall(400);
}
static long c_unknown_top(void)
{
        return syscall(5000);
}
static long c_unknown_below_x32(void)
{
        return syscall(0x3fffffff);
}

/* What a call must end in: refused by the filter with the box's errno, with a fixed errno, or
 * let through (any result but the filter's errno and ENOSYS). */
enum { PASSES = -1 };

struct expect {
        const struct call call;
        int app;       /* default application box */
        int app_admin; /* application box with CAP_SYS_ADMIN added */
        int machine;   /* Boot=yes with systemd-nspawn's capability set */
};

#define CALL(f)                                                                                    \
        {                                                                                          \
#f + 2, f                                                                          \
        }

static const struct expect expectations[] = {
        /* namespaces */
        {CALL(c_unshare), FILTERED, PASSES, PASSES},
        {CALL(c_setns), FILTERED, PASSES, PASSES},
        {CALL(c_clone3), ENOSYS, PASSES, PASSES},
        {CALL(c_clone_newns), FILTERED, PASSES, PASSES},
        {CALL(c_clone_newuser), FILTERED, PASSES, PASSES},
        {CALL(c_clone_newpid_high), FILTERED, PASSES, PASSES},
        {CALL(c_clone_plain), PASSES, PASSES, PASSES},
        /* the mount family */
        {CALL(c_mount), FILTERED, PASSES, PASSES},
        {CALL(c_umount2), FILTERED, PASSES, PASSES},
        {CALL(c_open_tree), FILTERED, PASSES, PASSES},
        {CALL(c_move_mount), FILTERED, PASSES, PASSES},
        {CALL(c_fsopen), FILTERED, PASSES, PASSES},
        {CALL(c_fsconfig), FILTERED, PASSES, PASSES},
        {CALL(c_fsmount), FILTERED, PASSES, PASSES},
        {CALL(c_fspick), FILTERED, PASSES, PASSES},
        {CALL(c_mount_setattr), FILTERED, PASSES, PASSES},
        {CALL(c_pivot_root), FILTERED, PASSES, PASSES},
        /* io_uring: nspawn allows it (@aio), Docker does not */
        {CALL(c_io_uring_setup), FILTERED, FILTERED, PASSES},
        {CALL(c_io_uring_enter), FILTERED, FILTERED, PASSES},
        {CALL(c_io_uring_register), FILTERED, FILTERED, PASSES},
        /* the keyring: not namespaced, off everywhere */
        {CALL(c_keyctl), FILTERED, FILTERED, FILTERED},
        {CALL(c_add_key), FILTERED, FILTERED, FILTERED},
        {CALL(c_request_key), FILTERED, FILTERED, FILTERED},
        /* personality */
        {CALL(c_personality_rie), FILTERED, FILTERED, PASSES},
        {CALL(c_personality_norandom), FILTERED, FILTERED, PASSES},
        {CALL(c_personality_rie32), FILTERED, FILTERED, PASSES},
        {CALL(c_personality_high), FILTERED, FILTERED, PASSES},
        {CALL(c_personality_almost_query), FILTERED, FILTERED, PASSES},
        {CALL(c_personality_query), PASSES, PASSES, PASSES},
        {CALL(c_personality_linux), PASSES, PASSES, PASSES},
        {CALL(c_personality_linux32), PASSES, PASSES, PASSES},
        {CALL(c_personality_uname26), PASSES, PASSES, PASSES},
        {CALL(c_personality_both), PASSES, PASSES, PASSES},
        /* CAP_SYS_ADMIN's other calls */
        {CALL(c_bpf), FILTERED, PASSES, FILTERED},
        {CALL(c_perf_event_open), FILTERED, PASSES, FILTERED},
        {CALL(c_fanotify_init), FILTERED, PASSES, FILTERED},
        {CALL(c_quotactl), FILTERED, PASSES, FILTERED},
        {CALL(c_sethostname), FILTERED, PASSES, PASSES},
        {CALL(c_setdomainname), FILTERED, PASSES, PASSES},
        {CALL(c_syslog), FILTERED, PASSES, FILTERED},
        /* the rest of Docker's list */
        {CALL(c_userfaultfd), FILTERED, FILTERED, PASSES},
        {CALL(c_kexec_load), FILTERED, FILTERED, FILTERED},
        {CALL(c_init_module), FILTERED, FILTERED, FILTERED},
        {CALL(c_finit_module), FILTERED, FILTERED, FILTERED},
        {CALL(c_delete_module), FILTERED, FILTERED, FILTERED},
        {CALL(c_ptrace), FILTERED, FILTERED, PASSES},
        {CALL(c_process_vm_readv), FILTERED, FILTERED, PASSES},
        {CALL(c_kcmp), FILTERED, FILTERED, PASSES},
        {CALL(c_pidfd_getfd), FILTERED, FILTERED, FILTERED},
        {CALL(c_open_by_handle_at), FILTERED, FILTERED, FILTERED},
        {CALL(c_mbind), FILTERED, FILTERED, PASSES},
        {CALL(c_set_mempolicy), FILTERED, FILTERED, PASSES},
        {CALL(c_get_mempolicy), FILTERED, FILTERED, PASSES},
        {CALL(c_migrate_pages), FILTERED, FILTERED, PASSES},
        {CALL(c_move_pages), FILTERED, FILTERED, PASSES},
        {CALL(c_swapon), FILTERED, FILTERED, FILTERED},
        {CALL(c_acct), FILTERED, FILTERED, FILTERED},
        {CALL(c_settimeofday), FILTERED, FILTERED, FILTERED},
        {CALL(c_iopl), FILTERED, FILTERED, FILTERED},
        /* sockets: the hypervisor's vsock is off in an application box */
        {CALL(c_vsock), EAFNOSUPPORT, EAFNOSUPPORT, PASSES},
        {CALL(c_vsock_high), EAFNOSUPPORT, EAFNOSUPPORT, PASSES},
        /* numbers libseccomp does not know: ENOSYS, so that libc falls back */
        {CALL(c_getpid), PASSES, PASSES, PASSES},
        {CALL(c_unknown_gap), ENOSYS, ENOSYS, ENOSYS},
        {CALL(c_unknown_top), ENOSYS, ENOSYS, ENOSYS},
        {CALL(c_unknown_below_x32), ENOSYS, ENOSYS, ENOSYS},
};

enum column { APP, APP_ADMIN, MACHINE };

static int expected(const struct expect *e, enum column col)
{
        return col == APP ? e->app : col == APP_ADMIN ? e->app_admin : e->machine;
}

/* Runs every call under the filter in a child; the child writes one errno (0 for success) per
 * call to the pipe. */
static void run_column(enum column col)
{
        struct box_config c;
        struct box_seccomp_prog p;
        uint64_t caps = col == APP         ? caps_default_app()
                        : col == APP_ADMIN ? caps_default_app() | CAPBIT(CAP_SYS_ADMIN)
                                           : caps_default_machine(false);

        memset(&c, 0, sizeof(c));
        c.seccomp.enabled = true;
        c.seccomp.errno_value = FILTERED;
        c.boot = col == MACHINE;
        assert_int_equal(seccomp_compile(&c, caps, &p), 0);

        int fds[2];
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(fds[0]);
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load_prog(&p) < 0)
                        _exit(3);
                for (size_t i = 0; i < ARRAY_SIZE(expectations); i++) {
                        errno = 0;
                        long r = expectations[i].call.make();
                        int32_t err = r < 0 ? errno : 0;
                        if (write(fds[1], &err, sizeof(err)) != sizeof(err))
                                _exit(4);
                }
                _exit(0);
        }
        close(fds[1]);
        seccomp_prog_free(&p);

        unsigned bad = 0;
        for (size_t i = 0; i < ARRAY_SIZE(expectations); i++) {
                int32_t err;
                assert_int_equal(read(fds[0], &err, sizeof(err)), sizeof(err));
                int want = expected(&expectations[i], col);
                bool ok = want == PASSES ? err != FILTERED && err != ENOSYS : err == want;
                if (!ok) {
                        print_error("%s: got %s, want %s\n", expectations[i].call.name,
                                    err ? strerrorname_np(err) : "success",
                                    want == PASSES ? "to pass the filter" : strerrorname_np(want));
                        bad++;
                }
        }
        close(fds[0]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        assert_int_equal(bad, 0);
}

static void test_app_box(void **state)
{
        run_column(APP);
}

static void test_app_box_with_sys_admin(void **state)
{
        run_column(APP_ADMIN);
}

static void test_machine_box(void **state)
{
        run_column(MACHINE);
}

/* The other gating capabilities re-allow their calls one by one. */
static void test_capabilities_reallow(void **state)
{
        static const struct {
                int cap;
                long (*make)(void);
                const char *name;
        } gated[] = {
                {CAP_SYS_PTRACE, c_ptrace, "ptrace"},
                {CAP_SYS_PTRACE, c_kcmp, "kcmp"},
                {CAP_SYS_PTRACE, c_pidfd_getfd, "pidfd_getfd"},
                {CAP_SYS_NICE, c_mbind, "mbind"},
                {CAP_SYS_NICE, c_migrate_pages, "migrate_pages"},
                {CAP_BPF, c_bpf, "bpf"},
                {CAP_PERFMON, c_perf_event_open, "perf_event_open"},
                {CAP_SYSLOG, c_syslog, "syslog"},
                {CAP_SYS_MODULE, c_init_module, "init_module"},
                {CAP_DAC_READ_SEARCH, c_open_by_handle_at, "open_by_handle_at"},
                {CAP_SYS_PACCT, c_acct, "acct"},
                {CAP_SYS_TIME, c_settimeofday, "settimeofday"},
                {CAP_SYS_RAWIO, c_iopl, "iopl"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(gated); i++) {
                struct box_config c;
                struct box_seccomp_prog p;
                memset(&c, 0, sizeof(c));
                c.seccomp.enabled = true;
                c.seccomp.errno_value = FILTERED;
                assert_int_equal(seccomp_compile(&c, CAPBIT(gated[i].cap), &p), 0);
                pid_t pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load_prog(&p) < 0)
                                _exit(3);
                        errno = 0;
                        long r = gated[i].make();
                        /* The filter's answer is EDOM; the kernel may say ENOSYS (no modules). */
                        _exit(r < 0 && errno == FILTERED ? 1 : 0);
                }
                seccomp_prog_free(&p);
                int status;
                assert_int_equal(waitpid(pid, &status, 0), pid);
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        fail_msg("%s is still refused with its capability", gated[i].name);
        }
}

/* A name the user lists in SystemCallFilter= is allowed as a whole; one the user denies stays
 * denied even where an argument rule would have let part of it through. */
static void test_user_lists_win(void **state)
{
        struct box_config c;
        struct box_seccomp_prog p;
        char *allow[] = {"personality", "unshare", NULL};
        char *deny[] = {"clone", NULL};

        memset(&c, 0, sizeof(c));
        c.seccomp.enabled = true;
        c.seccomp.errno_value = FILTERED;
        c.seccomp.allow = allow;
        c.seccomp.deny = deny;
        assert_int_equal(seccomp_compile(&c, caps_default_app(), &p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load_prog(&p) < 0)
                        _exit(3);
                errno = 0;
                if (c_personality_rie() < 0 && errno == FILTERED)
                        _exit(10);
                if (c_unshare() < 0 && errno == FILTERED)
                        _exit(11);
                errno = 0;
                if (!(c_clone_plain() < 0 && errno == FILTERED))
                        _exit(12);
                errno = 0;
                if (!(c_clone3() < 0 && errno == ENOSYS))
                        _exit(13);
                _exit(0);
        }
        seccomp_prog_free(&p);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail_msg("child status 0x%x", status);
}

/* The cache key follows the profile: an application and a machine box with the same inputs get
 * different filters, each from its own cache file. */
static void test_cache_per_profile(void **state)
{
        struct box_config c;
        struct box_seccomp_prog app, machine, again;

        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/seccomp'", cache_dir);
        assert_int_equal(system(cmd), 0);
        memset(&c, 0, sizeof(c));
        c.seccomp.enabled = true;
        c.seccomp.errno_value = EPERM;
        uint64_t caps = caps_default_machine(false);
        assert_int_equal(seccomp_compile(&c, caps, &app), 0);
        c.boot = true;
        assert_int_equal(seccomp_compile(&c, caps, &machine), 0);
        assert_false(app.len == machine.len &&
                     memcmp(app.filter, machine.filter, app.len * sizeof(*app.filter)) == 0);
        /* From the cache now: still the machine's. */
        assert_int_equal(seccomp_compile(&c, caps, &again), 0);
        assert_int_equal(again.len, machine.len);
        assert_memory_equal(again.filter, machine.filter, again.len * sizeof(*again.filter));

        char path[256];
        snprintf(path, sizeof(path), "%s/seccomp", cache_dir);
        DIR *d = opendir(path);
        assert_non_null(d);
        unsigned n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                n += de->d_name[0] != '.';
        closedir(d);
        assert_int_equal(n, 2);
        seccomp_prog_free(&app);
        seccomp_prog_free(&machine);
        seccomp_prog_free(&again);
}

static int setup(void **state)
{
        if (!mkdtemp(cache_dir))
                return -1;
        return setenv("BOXLAUNCH_CACHE_DIR", cache_dir, 1);
}

static int teardown(void **state)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cache_dir);
        return system(cmd);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_app_box),
                cmocka_unit_test(test_app_box_with_sys_admin),
                cmocka_unit_test(test_machine_box),
                cmocka_unit_test(test_capabilities_reallow),
                cmocka_unit_test(test_user_lists_win),
                cmocka_unit_test(test_cache_per_profile),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
