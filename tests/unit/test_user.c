/* test_user.c - the box's /etc/passwd and /etc/group: regular files only, size-limited, read
 * without blocking. Each case runs in a child chrooted into a made-up root, as user_resolve()
 * runs inside the box. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "launch/user.h"
#include "util/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

static char root[] = "/tmp/test_user.XXXXXX";

static int setup(void **state)
{
        strcpy(root, "/tmp/test_user.XXXXXX");
        if (!mkdtemp(root))
                return -1;
        _cleanup_free_ char *etc = xasprintf("%s/etc", root);
        return mkdir(etc, 0755);
}

static int teardown(void **state)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", root);
        return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *rel, const char *text)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", root, rel);
        unlink(p);
        FILE *f = fopen(p, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "app:x:1000:1000:app:/home/app:/bin/ash\n";
static const char group[] = "root:x:0:\napp:x:1000:\nwheel:x:10:app\n";

/* The last line logged (user.c logs what failed). */
static char err[256];

static void capture(enum log_level l, const char *line, void *userdata)
{
        snprintf(err, sizeof(err), "%s", line);
}

/* Runs user_resolve(user, group) in the made-up root; returns its result, and the message or
 * "uid gid n_groups" in out. */
static int resolve_in_root(const char *user, const char *grp, char *out, size_t outlen)
{
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                if (chroot(root) < 0 || chdir("/") < 0)
                        _exit(100);
                struct box_ids ids;
                log_set_sink(capture, NULL);
                int r = user_resolve(user, grp, NULL, &ids);
                char buf[300];
                if (r == 0)
                        snprintf(buf, sizeof(buf), "%u %u %zu", (unsigned)ids.uid,
                                 (unsigned)ids.gid, ids.n_groups);
                else
                        snprintf(buf, sizeof(buf), "%s", err);
                (void)write_all(p[1], buf, strlen(buf));
                _exit(-r);
        }
        close(p[1]);
        ssize_t n = read(p[0], out, outlen - 1);
        out[n > 0 ? n : 0] = 0;
        close(p[0]);
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        return -WEXITSTATUS(st);
}

static void test_regular(void **state)
{
        char out[300];
        put("etc/passwd", passwd);
        put("etc/group", group);
        assert_int_equal(resolve_in_root("app", NULL, out, sizeof(out)), 0);
        assert_string_equal(out, "1000 1000 1");
        assert_int_equal(resolve_in_root("app", "wheel", out, sizeof(out)), 0);
        assert_string_equal(out, "1000 10 1");
        assert_int_equal(resolve_in_root("ghost", NULL, out, sizeof(out)), -ESRCH);
        assert_non_null(strstr(out, "user 'ghost' not found"));
        /* A symlink is followed inside the root, never out of it. */
        _cleanup_free_ char *pw = xasprintf("%s/etc/passwd", root);
        _cleanup_free_ char *real = xasprintf("%s/etc/passwd.real", root);
        assert_int_equal(rename(pw, real), 0);
        assert_int_equal(symlink("/etc/passwd.real", pw), 0);
        assert_int_equal(resolve_in_root("app", NULL, out, sizeof(out)), 0);
        unlink(pw);
        assert_int_equal(rename(real, pw), 0);
        /* No passwd at all: a name is unknown, a number is used as it is. */
        unlink(pw);
        assert_int_equal(resolve_in_root("app", NULL, out, sizeof(out)), -ESRCH);
        assert_int_equal(resolve_in_root("1234", NULL, out, sizeof(out)), 0);
        assert_string_equal(out, "1234 1234 0");
}

static void test_hostile(void **state)
{
        char out[300];
        _cleanup_free_ char *pw = xasprintf("%s/etc/passwd", root);
        _cleanup_free_ char *gr = xasprintf("%s/etc/group", root);
        put("etc/group", group);

        /* A FIFO: nothing would ever be written to it. */
        unlink(pw);
        assert_int_equal(mkfifo(pw, 0644), 0);
        assert_int_equal(resolve_in_root("app", NULL, out, sizeof(out)), -EINVAL);
        assert_string_equal(out, "the box's /etc/passwd is a FIFO, not a regular file");

        /* A device that never ends. */
        unlink(pw);
        assert_int_equal(mknod(pw, S_IFCHR | 0644, makedev(1, 5)), 0);
        assert_int_equal(resolve_in_root("app", NULL, out, sizeof(out)), -EINVAL);
        assert_string_equal(out, "the box's /etc/passwd is a character device, not a regular file");

        /* A sparse file over the limit. */
        unlink(pw);
        put("etc/passwd", passwd);
        assert_int_equal(truncate(pw, (off_t)USER_DB_MAX + 1), 0);
        assert_int_equal(resolve_in_root("app", NULL, out, sizeof(out)), -EFBIG);
        assert_non_null(strstr(out, "the box's /etc/passwd is larger than 4 MiB"));

        /* A symlink loop, and a directory. */
        unlink(pw);
        _cleanup_free_ char *pw2 = xasprintf("%s/etc/passwd2", root);
        assert_int_equal(symlink("passwd2", pw), 0);
        assert_int_equal(symlink("passwd", pw2), 0);
        assert_int_equal(resolve_in_root("app", NULL, out, sizeof(out)), -ELOOP);
        unlink(pw);
        unlink(pw2);
        assert_int_equal(mkdir(pw, 0755), 0);
        assert_int_equal(resolve_in_root("app", NULL, out, sizeof(out)), -EINVAL);
        assert_string_equal(out, "the box's /etc/passwd is a directory, not a regular file");
        rmdir(pw);

        /* /etc/group is held to the same rules when a group is needed. */
        put("etc/passwd", passwd);
        unlink(gr);
        assert_int_equal(mkfifo(gr, 0644), 0);
        assert_int_equal(resolve_in_root("app", NULL, out, sizeof(out)), -EINVAL);
        assert_string_equal(out, "the box's /etc/group is a FIFO, not a regular file");
        /* root without a group needs neither file. */
        assert_int_equal(resolve_in_root(NULL, NULL, out, sizeof(out)), 0);
        unlink(gr);
}

static void test_login_shell(void **state)
{
        put("etc/passwd", passwd);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char *sh = NULL;
                if (chroot(root) < 0 || chdir("/") < 0)
                        _exit(100);
                log_set_sink(capture, NULL);
                /* /bin/ash is not executable in this root: /bin/sh it is. */
                if (user_login_shell(1000, &sh) < 0 || strcmp(sh, "/bin/sh"))
                        _exit(1);
                free(sh);
                if (unlink("/etc/passwd") < 0 || mkfifo("/etc/passwd", 0644) < 0)
                        _exit(2);
                if (user_login_shell(1000, &sh) != -EINVAL || !strstr(err, "is a FIFO"))
                        _exit(3);
                _exit(0);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_regular, setup, teardown),
                cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
                cmocka_unit_test_setup_teardown(test_login_shell, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
