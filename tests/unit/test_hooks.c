/* test_hooks.c - OCI hooks: order, stages, stdin state, environment, fds, failures, timeouts
 * and running inside another process's namespaces. Needs root (setns). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "test_fork.h"
#include "launch/hooks.h"
#include "util/log.h"

static char dir[] = "/tmp/boxlaunch-hooktest.XXXXXX";
static char last_log[4096];
static enum log_level last_level;
static int n_logs;

static void capture(enum log_level l, const char *line, void *userdata)
{
        snprintf(last_log, sizeof(last_log), "%s", line);
        last_level = l;
        n_logs++;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static int setup(void **state)
{
        if (!mkdtemp(dir))
                return -1;
        log_set_sink(capture, NULL);
        return 0;
}

static int teardown(void **state)
{
        log_set_sink(NULL, NULL);
        return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int reset(void **state)
{
        last_log[0] = 0;
        n_logs = 0;
        return 0;
}

/* script with every "@D" replaced by the test directory. */
static char *subst_dir(const char *script)
{
        char *out = xmalloc(strlen(script) * (strlen(dir) + 1) + 1), *o = out;
        for (const char *p = script; *p;) {
                if (strncmp(p, "@D", 2) == 0) {
                        o = stpcpy(o, dir);
                        p += 2;
                } else
                        *o++ = *p++;
        }
        *o = 0;
        return out;
}

/* A config holding up to 8 hooks, each `/bin/sh -c SCRIPT`; freed by free_hooks(). */
static struct box_config cfg;

static struct box_hook *add_hook(const char *name, enum box_hook_stage stage, const char *script)
{
        if (!cfg.hooks)
                cfg.hooks = xcalloc(8, sizeof(struct box_hook));
        assert_true(cfg.n_hooks < 8);
        struct box_hook *h = &cfg.hooks[cfg.n_hooks++];
        h->name = xstrdup(name);
        h->stage = stage;
        strv_push(&h->argv, xstrdup("/bin/sh"));
        strv_push(&h->argv, xstrdup("-c"));
        strv_push(&h->argv, subst_dir(script));
        return h;
}

static int free_hooks(void **state)
{
        for (size_t i = 0; i < cfg.n_hooks; i++) {
                free(cfg.hooks[i].name);
                strv_free(cfg.hooks[i].argv);
                strv_free(cfg.hooks[i].env);
        }
        free(cfg.hooks);
        memset(&cfg, 0, sizeof(cfg));
        return 0;
}

static const struct hook_state st = {
        .id = "web",
        .status = "created",
        .pid = 4242,
        .bundle = "/srv/box",
};

/* Contents of dir/name (binary-safe up to *len); NULL if missing. */
static char *slurp(const char *name, size_t *len)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
        char *buf = NULL;
        size_t n = 0;
        if (fd < 0)
                return NULL;
        assert_int_equal(read_fd_all(fd, &buf, &n, 1 << 20), 0);
        if (len)
                *len = n;
        return buf;
}

static void write_new(const char *path, const char *data)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write_all(fd, data, strlen(data)), 0);
}

static int jq_check(const char *json, const char *expr)
{
        _cleanup_free_ char *p = xasprintf("%s/jq-input", dir);
        write_new(p, json);
        _cleanup_free_ char *cmd = xasprintf("jq -e '%s' %s >/dev/null", expr, p);
        return system(cmd);
}

static void test_state_json(void **state)
{
        _cleanup_free_ char *j = hook_state_json(&st);
        assert_string_equal(j, "{\"ociVersion\":\"1.2.0\",\"id\":\"web\",\"status\":\"created\","
                               "\"pid\":4242,\"bundle\":\"/srv/box\",\"annotations\":{}}");

        /* Escaping, and no pid once there is no process. */
        struct hook_state odd = {
                .id = "a\"b\\c\nd\x01",
                .status = "stopped",
                .bundle = NULL,
        };
        _cleanup_free_ char *k = hook_state_json(&odd);
        assert_string_equal(k, "{\"ociVersion\":\"1.2.0\",\"id\":\"a\\\"b\\\\c\\nd\\u0001\","
                               "\"status\":\"stopped\",\"bundle\":\"\",\"annotations\":{}}");
        if (system("command -v jq >/dev/null") == 0) {
                assert_int_equal(jq_check(k, ".id == \"a\\\"b\\\\c\\nd\\u0001\" and "
                                             "(has(\"pid\") | not)"),
                                 0);
                assert_int_equal(jq_check(j, ".pid == 4242 and .annotations == {}"), 0);
        }
}

static void test_order_and_stage(void **state)
{
        add_hook("one", BOX_HOOK_CREATE_RUNTIME, "echo one >> @D/order");
        add_hook("other", BOX_HOOK_POSTSTART, "echo other >> @D/order");
        add_hook("two", BOX_HOOK_CREATE_RUNTIME, "echo two >> @D/order");
        add_hook("pre", BOX_HOOK_PRESTART, "echo pre >> @D/order");
        add_hook("three", BOX_HOOK_CREATE_RUNTIME, "echo three >> @D/order");

        assert_int_equal(hooks_run(&cfg, BOX_HOOK_CREATE_RUNTIME, &st, 0, true), 0);
        _cleanup_free_ char *s = slurp("order", NULL);
        assert_non_null(s);
        assert_string_equal(s, "one\ntwo\nthree\n");
        assert_int_equal(n_logs, 0);

        /* A stage without hooks does nothing. */
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_POSTSTOP, &st, 0, false), 0);
        free(s);
        s = slurp("order", NULL);
        assert_string_equal(s, "one\ntwo\nthree\n");
}

static void test_stdin(void **state)
{
        add_hook("a", BOX_HOOK_POSTSTART, "/bin/cat > @D/stdin-a");
        add_hook("b", BOX_HOOK_POSTSTART, "/bin/cat > @D/stdin-b");

        assert_int_equal(hooks_run(&cfg, BOX_HOOK_POSTSTART, &st, 0, false), 0);
        _cleanup_free_ char *want = hook_state_json(&st);
        _cleanup_free_ char *a = slurp("stdin-a", NULL);
        _cleanup_free_ char *b = slurp("stdin-b", NULL);
        assert_non_null(a);
        assert_non_null(b);
        /* Every hook reads the whole state, not what the one before left over. */
        assert_string_equal(a, want);
        assert_string_equal(b, want);
        const char *keys[] = {"\"ociVersion\":\"1.2.0\"", "\"id\":\"web\"",
                              "\"status\":\"created\"",   "\"pid\":4242",
                              "\"bundle\":\"/srv/box\"",  "\"annotations\":{}"};
        for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
                assert_non_null(strstr(a, keys[i]));
        if (system("command -v jq >/dev/null") == 0)
                assert_int_equal(jq_check(a, ".id == \"web\" and .status == \"created\" and "
                                             ".pid == 4242 and .bundle == \"/srv/box\" and "
                                             ".annotations == {}"),
                                 0);
}

static void test_env_exact(void **state)
{
        setenv("HOOKTEST_LEAK", "1", 1);
        struct box_hook *h =
                add_hook("env", BOX_HOOK_PRESTART, "/bin/cat /proc/$$/environ > @D/env");
        strv_push(&h->env, xstrdup("FOO=bar"));
        strv_push(&h->env, xstrdup("SPACED=a b  c"));
        add_hook("noenv", BOX_HOOK_PRESTART, "/bin/cat /proc/$$/environ > @D/noenv");

        assert_int_equal(hooks_run(&cfg, BOX_HOOK_PRESTART, &st, 0, true), 0);
        size_t n;
        _cleanup_free_ char *e = slurp("env", &n);
        assert_non_null(e);
        const char want[] = "FOO=bar\0SPACED=a b  c";
        assert_int_equal(n, sizeof(want));
        assert_memory_equal(e, want, sizeof(want));
        _cleanup_free_ char *none = slurp("noenv", &n);
        assert_non_null(none);
        assert_int_equal(n, 0);
        unsetenv("HOOKTEST_LEAK");
}

static void test_no_fd_leak(void **state)
{
        /* Neither O_CLOEXEC-less descriptors of ours nor the hook's own plumbing may reach it:
         * ls sees 0, 1, 2 and the directory it reads. */
        int fd = open("/dev/null", O_RDONLY);
        assert_true(fd >= 3);
        add_hook("fds", BOX_HOOK_PRESTART, "exec /bin/ls /proc/self/fd > @D/fds");
        int r = hooks_run(&cfg, BOX_HOOK_PRESTART, &st, 0, true);
        close(fd);
        assert_int_equal(r, 0);
        _cleanup_free_ char *s = slurp("fds", NULL);
        assert_non_null(s);
        assert_string_equal(s, "0\n1\n2\n3\n");
}

static void test_failure(void **state)
{
        add_hook("bad", BOX_HOOK_PRESTART, "exit 3");
        add_hook("after", BOX_HOOK_PRESTART, "touch @D/after");

        /* Fatal: the first failure stops the stage and is returned. */
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_PRESTART, &st, 0, true), -ECHILD);
        assert_string_equal(last_log, "hook 'bad' (prestart) exited with status 3");
        assert_int_equal(last_level, LOG_LVL_ERROR);
        assert_int_equal(n_logs, 1);
        _cleanup_free_ char *p = xasprintf("%s/after", dir);
        assert_int_equal(access(p, F_OK), -1);

        /* Not fatal: a warning, the next hook still runs, success. */
        n_logs = 0;
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_PRESTART, &st, 0, false), 0);
        assert_string_equal(last_log, "hook 'bad' (prestart) exited with status 3");
        assert_int_equal(last_level, LOG_LVL_WARNING);
        assert_int_equal(n_logs, 1);
        assert_int_equal(access(p, F_OK), 0);
}

static void test_killed_by_signal(void **state)
{
        add_hook("sig", BOX_HOOK_CREATE_RUNTIME, "kill -TERM $$");
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_CREATE_RUNTIME, &st, 0, true), -ECHILD);
        assert_string_equal(last_log, "hook 'sig' (createRuntime) was killed by signal TERM");
}

/* Dead: gone, or a zombie nobody reaped yet (an orphan waits for its new parent). */
static bool gone(pid_t pid)
{
        for (int i = 0; i < 6000; i++) { /* up to 60 s: the machine may be loaded */
                char path[64], buf[512] = "";
                snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT)
                        return true;
                if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0) {
                        const char *e = strrchr(buf, ')');
                        if (e && e[1] == ' ' && (e[2] == 'Z' || e[2] == 'X'))
                                return true;
                }
                usleep(10000);
        }
        return false;
}

static void test_timeout(void **state)
{
        struct box_hook *h = add_hook("slow", BOX_HOOK_POSTSTART,
                                      "echo $$ > @D/pids; /bin/sleep 30 & echo $! >> @D/pids; "
                                      "wait");
        /* Long enough for the shell to have written both pids on a loaded machine: a shorter
         * timeout could kill it before it started the sleep, and then the file names one. */
        h->timeout_usec = 2000000;
        struct timespec a, b;

        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_POSTSTART, &st, 0, true), -ETIMEDOUT);
        clock_gettime(CLOCK_MONOTONIC, &b);
        long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        assert_true(ms >= 2000 && ms < 25000); /* not the sleep's 30 s */
        assert_string_equal(last_log, "hook 'slow' (poststart) was killed after the 2s timeout");

        _cleanup_free_ char *s = slurp("pids", NULL);
        assert_non_null(s);
        int shell = 0, child = 0;
        assert_int_equal(sscanf(s, "%d\n%d", &shell, &child), 2);
        assert_true(gone(shell));
        assert_true(gone(child)); /* the whole process group went */

        /* Not fatal: still reported, as a warning. */
        free(h->argv[2]);
        h->argv[2] = xstrdup("exec /bin/sleep 30");
        h->timeout_usec = 100000;
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_POSTSTART, &st, 0, false), 0);
        assert_string_equal(last_log, "hook 'slow' (poststart) was killed after the 100ms timeout");
        assert_int_equal(last_level, LOG_LVL_WARNING);
}

static void test_fast_with_timeout(void **state)
{
        struct box_hook *h = add_hook("quick", BOX_HOOK_POSTSTOP, "exit 0");
        h->timeout_usec = 2000000;
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_POSTSTOP, &st, 0, true), 0);
        assert_int_equal(n_logs, 0);
}

static void test_missing_command(void **state)
{
        struct box_hook *h = add_hook("missing", BOX_HOOK_CREATE_RUNTIME, "");
        free(h->argv[0]);
        h->argv[0] = xstrdup("/nonexistent/hook");
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_CREATE_RUNTIME, &st, 0, true), -ENOENT);
        assert_string_equal(last_log, "hook 'missing' (createRuntime) could not be executed: No "
                                      "such file or directory");

        /* Not executable. */
        _cleanup_free_ char *p = xasprintf("%s/noexec", dir);
        write_new(p, "#!/bin/sh\n");
        free(h->argv[0]);
        h->argv[0] = xstrdup(p);
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_CREATE_RUNTIME, &st, 0, true), -EACCES);
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_CREATE_RUNTIME, &st, 0, false), 0);
}

/* A process in new namespaces that waits until killed; *ret_pid is its host pid. With
 * CLONE_NEWPID the target is the new namespace's PID 1, forked by an intermediate. */
struct target {
        pid_t pid;   /* the process whose namespaces to enter */
        pid_t child; /* our direct child */
};

static void target_start(int flags, struct target *t)
{
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (unshare(flags) < 0)
                        _exit(1);
                if ((flags & CLONE_NEWUTS) && sethostname("hookns", 6) < 0)
                        _exit(1);
                pid_t me = getpid();
                if (flags & CLONE_NEWPID) {
                        me = test_fork();
                        if (me < 0)
                                _exit(1);
                        if (me == 0) {
                                pause();
                                _exit(0);
                        }
                }
                if (write(p[1], &me, sizeof(me)) != sizeof(me))
                        _exit(1);
                if (flags & CLONE_NEWPID) {
                        waitpid(me, NULL, 0);
                        _exit(0);
                }
                pause();
                _exit(0);
        }
        close(p[1]);
        t->child = pid;
        assert_int_equal(read(p[0], &t->pid, sizeof(t->pid)), sizeof(t->pid));
        close(p[0]);
}

static void target_stop(struct target *t)
{
        kill(t->pid, SIGKILL);
        kill(t->child, SIGKILL);
        assert_int_equal(waitpid(t->child, NULL, 0), t->child);
}

static void test_nsenter_uts(void **state)
{
        struct target t;
        target_start(CLONE_NEWUTS, &t);
        add_hook("uts", BOX_HOOK_CREATE_CONTAINER, "/usr/bin/uname -n > @D/hostname");
        int r = hooks_run(&cfg, BOX_HOOK_CREATE_CONTAINER, &st, t.pid, true);
        target_stop(&t);
        assert_int_equal(r, 0);
        _cleanup_free_ char *s = slurp("hostname", NULL);
        assert_non_null(s);
        assert_string_equal(s, "hookns\n");

        /* Without nsenter_pid the hook stays in ours. */
        char host[256];
        assert_int_equal(gethostname(host, sizeof(host)), 0);
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_CREATE_CONTAINER, &st, 0, true), 0);
        free(s);
        s = slurp("hostname", NULL);
        _cleanup_free_ char *want = xasprintf("%s\n", host);
        assert_string_equal(s, want);
}

static void test_nsenter_pid(void **state)
{
        struct target t;
        target_start(CLONE_NEWPID | CLONE_NEWUTS, &t);
        add_hook("pid", BOX_HOOK_START_CONTAINER, "echo $$ > @D/pid; /usr/bin/uname -n >> @D/pid");
        add_hook("status", BOX_HOOK_START_CONTAINER, "exit 4");
        int r = hooks_run(&cfg, BOX_HOOK_START_CONTAINER, &st, t.pid, true);
        int r2 = hooks_run(&cfg, BOX_HOOK_START_CONTAINER, &st, t.pid, false);
        free(cfg.hooks[1].argv[2]);
        cfg.hooks[1].argv[2] = xstrdup("kill -KILL $$");
        int r3 = hooks_run(&cfg, BOX_HOOK_START_CONTAINER, &st, t.pid, true);
        _cleanup_free_ char *killed = xstrdup(last_log);
        /* A timeout kills the hook inside the namespace too, not just our intermediate. */
        free(cfg.hooks[1].argv[2]);
        /* /proc is still ours: /proc/self read by the shell itself gives its host pid. */
        cfg.hooks[1].argv[2] = subst_dir("read p rest < /proc/self/stat; echo $p > @D/slow; "
                                         "exec /bin/sleep 30");
        cfg.hooks[1].timeout_usec = 2000000; /* time to write its pid, on a loaded machine too */
        int r4 = hooks_run(&cfg, BOX_HOOK_START_CONTAINER, &st, t.pid, true);
        _cleanup_free_ char *slow = slurp("slow", NULL);
        assert_non_null(slow);
        bool slow_gone = gone(atoi(slow));
        target_stop(&t);
        assert_int_equal(r4, -ETIMEDOUT);
        assert_true(slow_gone);

        /* The hook is the second process of the box's pid namespace; its status comes
         * through the intermediate process unchanged. */
        assert_int_equal(r, -ECHILD);
        assert_int_equal(r2, 0);
        assert_int_equal(r3, -ECHILD);
        assert_string_equal(killed, "hook 'status' (startContainer) was killed by signal KILL");
        _cleanup_free_ char *s = slurp("pid", NULL);
        assert_non_null(s);
        int pid = 0;
        char host[64] = "";
        assert_int_equal(sscanf(s, "%d\n%63s", &pid, host), 2);
        assert_true(pid > 1 && pid < 100);
        assert_string_equal(host, "hookns");
}

static void test_nsenter_gone(void **state)
{
        pid_t pid = test_fork();
        assert_true(pid >= 0);
        if (pid == 0)
                _exit(0);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        add_hook("late", BOX_HOOK_CREATE_CONTAINER, "exit 0");
        assert_int_equal(hooks_run(&cfg, BOX_HOOK_CREATE_CONTAINER, &st, pid, true), -ESRCH);
        assert_string_equal(last_log, "hook 'late' (createContainer) could not enter the box's "
                                      "namespaces: No such process");
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, free_hooks)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(test_state_json),       T(test_order_and_stage), T(test_stdin),
                T(test_env_exact),        T(test_no_fd_leak),      T(test_failure),
                T(test_killed_by_signal), T(test_timeout),         T(test_fast_with_timeout),
                T(test_missing_command),  T(test_nsenter_uts),     T(test_nsenter_pid),
                T(test_nsenter_gone),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
