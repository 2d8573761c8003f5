/* syscall-gate.c - test helper for races the kernel will not stage on its own (run on the host).
 *
 *   syscall-gate gate PREFIX WHAT PID -- CMD [ARG...]
 *       Runs CMD under ptrace and holds it at the entry of the first system call that acts on
 *       PID: WHAT is "kill" (kill(PID, SIGKILL), or pidfd_send_signal(fd, SIGKILL) with fd a
 *       pidfd of PID) or "write" (write() of the decimal PID, as into cgroup.procs). At that
 *       point PREFIX.held is created; the call goes on once PREFIX.go exists. Exits with CMD's
 *       status.
 *   syscall-gate attach PREFIX NR PID
 *       Attaches to the running process PID (PREFIX.attached once it is traced) and holds it
 *       the same way at the entry of its first system call number NR.
 *   syscall-gate spawn PID -- CMD [ARG...]
 *       Starts CMD as process PID (clone3 with set_tid; PID must be free) and exits at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
        fprintf(stderr, "syscall-gate: %s: %s\n", what, strerror(errno));
        exit(125);
}

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
}

/* Is fd of process tracee a pidfd of pid? */
static bool pidfd_of(pid_t tracee, long fd, long pid)
{
        char path[64], line[128];
        snprintf(path, sizeof(path), "/proc/%d/fdinfo/%ld", (int)tracee, fd);
        FILE *f = fopen(path, "re");
        bool yes = false;
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "Pid:", 4) == 0)
                        yes = strtol(line + 4, NULL, 10) == pid;
        if (f)
                fclose(f);
        return yes;
}

static bool writes_pid(pid_t tracee, uint64_t buf, uint64_t len, long pid)
{
        char want[32], got[32];
        int n = snprintf(want, sizeof(want), "%ld", pid);
        if (len < (uint64_t)n || len > (uint64_t)n + 1)
                return false;
        struct iovec local = {got, (size_t)len}, remote = {(void *)(uintptr_t)buf, (size_t)len};
        if (process_vm_readv(tracee, &local, 1, &remote, 1, 0) != (ssize_t)len)
                return false;
        return memcmp(got, want, (size_t)n) == 0 && (len == (uint64_t)n || got[n] == '\n');
}

static bool matches(pid_t tracee, const struct __ptrace_syscall_info *si, const char *what,
                    long pid)
{
        const uint64_t *a = si->entry.args;
        if (strcmp(what, "kill") == 0)
                return (si->entry.nr == SYS_kill && (long)a[0] == pid && a[1] == SIGKILL) ||
                       (si->entry.nr == SYS_pidfd_send_signal && a[1] == SIGKILL &&
                        pidfd_of(tracee, (long)a[0], pid));
        if (strcmp(what, "write") == 0)
                return si->entry.nr == SYS_write && writes_pid(tracee, a[1], a[2], pid);
        return false;
}

static void touch(const char *prefix, const char *suffix)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s.%s", prefix, suffix);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                die(path);
        close(fd);
}

/* Follows the stopped tracee through its system calls until the first one hold() accepts,
 * holds it there until PREFIX.go exists, then lets it run. Returns its exit status. */
static int trace(pid_t child, const char *prefix,
                 bool (*hold)(pid_t, const struct __ptrace_syscall_info *, const void *),
                 const void *data)
{
        int st;
        bool done = false;
        int sig = 0;
        for (;;) {
                if (ptrace(done ? PTRACE_CONT : PTRACE_SYSCALL, child, 0, sig) < 0)
                        die("ptrace");
                sig = 0;
                if (waitpid(child, &st, __WALL) < 0)
                        die("waitpid");
                if (WIFEXITED(st))
                        return WEXITSTATUS(st);
                if (WIFSIGNALED(st))
                        return 128 + WTERMSIG(st);
                if (!WIFSTOPPED(st) || st >> 16 == PTRACE_EVENT_STOP)
                        continue;
                if (WSTOPSIG(st) != (SIGTRAP | 0x80)) {
                        /* Our own SIGSTOP, and the SIGTRAP after execve, stay here. */
                        int s = WSTOPSIG(st);
                        sig = s == SIGSTOP || s == SIGTRAP ? 0 : s;
                        continue;
                }
                struct __ptrace_syscall_info si;
                if (done || ptrace(PTRACE_GET_SYSCALL_INFO, child, sizeof(si), &si) <= 0 ||
                    si.op != PTRACE_SYSCALL_INFO_ENTRY || !hold(child, &si, data))
                        continue;
                touch(prefix, "held");
                char path[4096];
                snprintf(path, sizeof(path), "%s.go", prefix);
                /* Bounded: a test that never opens the gate must not hang forever. */
                for (int i = 0; i < 6000 && access(path, F_OK) < 0; i++)
                        sleep_ms(10);
                done = true;
        }
}

struct on_pid {
        const char *what;
        long pid;
};

static bool hold_on_pid(pid_t tracee, const struct __ptrace_syscall_info *si, const void *data)
{
        const struct on_pid *o = data;
        return matches(tracee, si, o->what, o->pid);
}

static bool hold_on_nr(pid_t tracee, const struct __ptrace_syscall_info *si, const void *data)
{
        return si->entry.nr == *(const uint64_t *)data;
}

static int gate(const char *prefix, const char *what, long pid, char **cmd)
{
        pid_t child = fork();
        if (child < 0)
                die("fork");
        if (child == 0) {
                if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
                        die("PTRACE_TRACEME");
                raise(SIGSTOP);
                execvp(cmd[0], cmd);
                die(cmd[0]);
        }
        int st;
        if (waitpid(child, &st, 0) < 0)
                die("waitpid");
        ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
        struct on_pid o = {what, pid};
        return trace(child, prefix, hold_on_pid, &o);
}

static int attach(const char *prefix, uint64_t nr, pid_t pid)
{
        if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD) < 0)
                die("PTRACE_SEIZE");
        if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0)
                die("PTRACE_INTERRUPT");
        int st;
        if (waitpid(pid, &st, __WALL) < 0)
                die("waitpid");
        touch(prefix, "attached");
        return trace(pid, prefix, hold_on_nr, &nr);
}

static int spawn(long pid, char **cmd)
{
        pid_t tid = (pid_t)pid;
        struct {
                uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
                        set_tid, set_tid_size, cgroup;
        } args = {.exit_signal = SIGCHLD, .set_tid = (uint64_t)(uintptr_t)&tid, .set_tid_size = 1};
        long r = syscall(SYS_clone3, &args, sizeof(args));
        if (r < 0)
                die("clone3 with set_tid");
        if (r == 0) {
                setsid();
                execvp(cmd[0], cmd);
                die(cmd[0]);
        }
        return 0;
}

int main(int argc, char **argv)
{
        if (argc >= 7 && strcmp(argv[1], "gate") == 0 && strcmp(argv[5], "--") == 0)
                return gate(argv[2], argv[3], strtol(argv[4], NULL, 10), argv + 6);
        if (argc == 5 && strcmp(argv[1], "attach") == 0)
                return attach(argv[2], strtoull(argv[3], NULL, 10),
                              (pid_t)strtol(argv[4], NULL, 10));
        if (argc >= 5 && strcmp(argv[1], "spawn") == 0 && strcmp(argv[3], "--") == 0)
                return spawn(strtol(argv[2], NULL, 10), argv + 4);
        fprintf(stderr, "usage: syscall-gate gate PREFIX kill|write PID -- CMD...\n"
                        "       syscall-gate attach PREFIX NR PID\n"
                        "       syscall-gate spawn PID -- CMD...\n");
        return 2;
}
