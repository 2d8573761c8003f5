/* test_procfs.c - /proc writes go only through descriptors proven to be on procfs: a root that
 * is not a procfs root, a symlink on the way, ".." out of it, or a mount over the file is
 * refused. And /proc/PID/stat is read field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/procfs.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

static void test_root(void **state)
{
        int fd = procfs_open_root("/proc");
        assert_true(fd >= 0);
        close(fd);
        /* Not procfs at all, a directory inside procfs, a file. */
        assert_int_equal(procfs_open_root("/"), -EXDEV);
        assert_int_equal(procfs_open_root("/proc/sys"), -EXDEV);
        assert_int_equal(procfs_open_root("/proc/version"), -ENOTDIR);
        assert_int_equal(procfs_open_root("/nonexistent"), -ENOENT);

        /* A symlink to /proc is not a procfs root, however right its target. */
        char dir[] = "/tmp/test_procfs.XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *link = xasprintf("%s/proc", dir);
        assert_int_equal(symlink("/proc", link), 0);
        int r = procfs_open_root(link);
        assert_true(r == -ELOOP || r == -ENOTDIR);
        unlink(link);
        rmdir(dir);
}

static void test_open(void **state)
{
        _cleanup_close_ int proc = procfs_open_root("/proc");
        assert_true(proc >= 0);
        char rel[64];
        snprintf(rel, sizeof(rel), "%d/status", (int)getpid());
        int fd = procfs_open(proc, rel, O_RDONLY);
        assert_true(fd >= 0);
        close(fd);
        fd = procfs_open(proc, "sys/kernel/ostype", O_RDONLY);
        assert_true(fd >= 0);
        close(fd);
        /* "self" is a symlink: callers name the pid. */
        assert_int_equal(procfs_open(proc, "self/status", O_RDONLY), -ELOOP);
        /* Nothing outside the procfs root. */
        assert_int_equal(procfs_open(proc, "../etc/passwd", O_RDONLY), -EXDEV);
        assert_int_equal(procfs_open(proc, "/etc/passwd", O_RDONLY), -EXDEV);
}

/* In a private mount namespace (a child, so the test's own stays clean): a tmpfs over
 * /proc/sys/kernel with a file of the sysctl's name. The write must not land in it. */
static void test_mount_over(void **state)
{
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (unshare(CLONE_NEWNS) < 0 ||
                    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    mount("tmpfs", "/proc/sys/kernel", "tmpfs", 0, "size=64k") < 0)
                        _exit(10);
                int f = open("/proc/sys/kernel/shmmni", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
                if (f < 0 || write(f, "7", 1) != 1)
                        _exit(11);
                close(f);
                int proc = procfs_open_root("/proc");
                if (proc < 0)
                        _exit(12);
                if (procfs_write(proc, "sys/kernel/shmmni", "2048") != -EXDEV)
                        _exit(13);
                char buf[8] = {0};
                f = open("/proc/sys/kernel/shmmni", O_RDONLY | O_CLOEXEC);
                if (f < 0 || read(f, buf, sizeof(buf) - 1) != 1 || buf[0] != '7')
                        _exit(14);
                /* A whole /proc replaced by another file system is no procfs root. */
                if (mount("tmpfs", "/proc", "tmpfs", 0, "size=64k") < 0)
                        _exit(15);
                if (procfs_open_root("/proc") != -EXDEV)
                        _exit(16);
                _exit(0);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_write(void **state)
{
        /* Our own oom_score_adj, raised (allowed without privileges) and read back. */
        _cleanup_close_ int proc = procfs_open_root("/proc");
        assert_true(proc >= 0);
        char rel[64];
        snprintf(rel, sizeof(rel), "%d/oom_score_adj", (int)getpid());
        _cleanup_free_ char *old = NULL;
        _cleanup_close_ int rfd = procfs_open(proc, rel, O_RDONLY);
        assert_true(rfd >= 0);
        assert_int_equal(read_fd_all(rfd, &old, NULL, 64), 0);
        assert_int_equal(procfs_write(proc, rel, "123"), 0);
        _cleanup_free_ char *now = NULL;
        assert_int_equal(read_file_at(AT_FDCWD, "/proc/self/oom_score_adj", &now, 64), 0);
        assert_string_equal(now, "123\n");
        assert_int_equal(procfs_write_at("/proc", rel, old), 0);
}

/* proc_stat() (util.h) reads the fields past the command's name: our start time as
 * proc_starttime() tells it, and the CPU we run on, here pinned to each allowed CPU in turn. */
static void test_proc_stat(void **state)
{
        cpu_set_t all, one;
        assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
        unsigned long long start = 0;
        assert_int_equal(proc_starttime(getpid(), &start), 0);
        assert_true(start > 0);
        for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
                if (!CPU_ISSET(cpu, &all))
                        continue;
                CPU_ZERO(&one);
                CPU_SET(cpu, &one);
                assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
                struct proc_stat st = {0};
                assert_int_equal(proc_stat(getpid(), &st), 0);
                assert_int_equal(st.processor, cpu);
                assert_true(st.starttime == start);
        }
        assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
        struct proc_stat st;
        assert_int_equal(proc_stat(-1, &st), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_root),       cmocka_unit_test(test_open),
                cmocka_unit_test(test_mount_over), cmocka_unit_test(test_write),
                cmocka_unit_test(test_proc_stat),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
