/* stubimage.c - the stub init's image: a sealed memfd on the host side, execveat in the box. */
#include "supervisor/stubimage.h"
#include "core/state.h"
#include "supervisor/stubsup.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* build/stubinit, embedded by stubinit_blob.S. */
extern const unsigned char stubinit_start[], stubinit_end[];

int stubinit_memfd(void)
{
        const unsigned flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;
        /* Ask for an executable memfd explicitly (kernel >= 6.3 warns otherwise, and refuses
         * exec under vm.memfd_noexec=2); older kernels reject the flag. */
        _cleanup_close_ int fd = memfd_create(STUBINIT_NAME, flags | MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create(STUBINIT_NAME, flags);
        if (fd < 0)
                return -errno;

        int r = write_all(fd, stubinit_start, (size_t)(stubinit_end - stubinit_start));
        if (r < 0)
                return r;
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;
        return TAKE_FD(fd);
}

bool stubinit_is_image(int fd)
{
        const size_t n = (size_t)(stubinit_end - stubinit_start);
        const int need = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
        struct stat st;
        int seals = fcntl(fd, F_GET_SEALS);
        /* Sealed as stubinit_memfd() seals (a file that is not a memfd has no seals), executable,
         * our size; then byte for byte ours: what is checked now stays so. */
        if (seals < 0 || (seals & need) != need || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
            !(st.st_mode & S_IXUSR) || st.st_size != (off_t)n)
                return false;
        char buf[4096];
        for (size_t off = 0; off < n;) {
                size_t want = n - off < sizeof(buf) ? n - off : sizeof(buf);
                ssize_t k = pread(fd, buf, want, (off_t)off);
                if (k <= 0 || memcmp(buf, stubinit_start + off, (size_t)k) != 0)
                        return false;
                off += (size_t)k;
        }
        return true;
}

/* The image another box of this runtime directory runs as its PID 1 (/proc/PID/exe of the pid
 * its state file records), if stubinit_is_image() says it is ours; else -1. Only the first
 * entries of the directory are looked at: any running box will do. */
static int borrow_image(void)
{
        _cleanup_close_ int dir = open(state_root(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        char dents[2048] __attribute__((aligned(8)));
        long n = dir < 0 ? -1 : syscall(SYS_getdents64, dir, dents, sizeof(dents));
        int tries = 0;
        for (long off = 0; off < n && tries < 4;) {
                struct dirent64 *e = (struct dirent64 *)(dents + off);
                off += e->d_reclen;
                if (e->d_type != DT_REG || e->d_name[0] == '.')
                        continue; /* side files and directories */
                tries++;
                char head[256];
                _cleanup_close_ int f = openat(dir, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                ssize_t k = f < 0 ? -1 : read(f, head, sizeof(head) - 1);
                if (k <= 0)
                        continue; /* not written yet (our own among them) */
                head[k] = '\0';
                const char *pid = strstr(head, "\npid=");
                int p = pid ? atoi(pid + 5) : 0;
                if (p <= 1)
                        continue;
                char path[32], link[64];
                snprintf(path, sizeof(path), "/proc/%d/exe", p);
                /* Opened only when it is a memfd by our name: a box whose PID 1 runs a file of
                 * its own (Init=no, a FUSE mount) could stall the open. The name is a cheap first
                 * look; what is opened is first pinned with O_PATH (no open of the file system's
                 * own) and must be on shmem, so the process cannot exec something else between
                 * the look and the open. */
                static const char want[] = "/memfd:" STUBINIT_NAME;
                ssize_t m = readlink(path, link, sizeof(link));
                if (m < (ssize_t)sizeof(want) - 1 || memcmp(link, want, sizeof(want) - 1) != 0)
                        continue;
                _cleanup_close_ int pin = open(path, O_PATH | O_CLOEXEC);
                struct statfs sf;
                if (pin < 0 || fstatfs(pin, &sf) < 0 || sf.f_type != TMPFS_MAGIC)
                        continue;
                snprintf(path, sizeof(path), "/proc/self/fd/%d", pin);
                _cleanup_close_ int img = open(path, O_RDONLY | O_CLOEXEC);
                if (img >= 0 && stubinit_is_image(img))
                        return TAKE_FD(img);
        }
        return -1;
}

int stubinit_memfd_shared(void)
{
        int fd = borrow_image();
        return fd >= 0 ? fd : stubinit_memfd();
}

int stubinit_exec(int memfd, char *const *argv, char *const *envp, unsigned grace_ms, pid_t running)
{
        if (memfd < 0 || !argv || !argv[0])
                return -EINVAL;

        char grace[16], pid[16];
        snprintf(grace, sizeof(grace), "%u", grace_ms);
        snprintf(pid, sizeof(pid), "%d", (int)running);

        size_t n = strv_length(argv);
        _cleanup_free_ char **args = xcalloc(n + 7, sizeof(char *));
        size_t k = 0;
        args[k++] = (char *)STUBINIT_NAME;
        args[k++] = (char *)"-g";
        args[k++] = grace;
        if (running > 0) {
                args[k++] = (char *)"-p";
                args[k++] = pid;
        }
        args[k++] = (char *)"--";
        memcpy(args + k, argv, n * sizeof(char *));

        static char *const empty_env[] = {NULL};
        /* The memfd is O_CLOEXEC: fine for an ELF image (only scripts need the fd after exec),
         * and the box never sees the fd. */
        syscall(SYS_execveat, memfd, "", args, envp ? envp : empty_env, AT_EMPTY_PATH);
        return -errno;
}

int stubsup_exec(int memfd, const char *name, pid_t pid, int pidfd, int lock_fd, int exe_fd,
                 int kill_signal, uint64_t stop_timeout_usec, bool boot, char *const *steps)
{
        char a[6][24];
        snprintf(a[0], sizeof(a[0]), "%d", (int)pid);
        snprintf(a[1], sizeof(a[1]), "%d", pidfd);
        snprintf(a[2], sizeof(a[2]), "%d", lock_fd);
        snprintf(a[3], sizeof(a[3]), "%d", exe_fd);
        snprintf(a[4], sizeof(a[4]), "%d", kill_signal);
        snprintf(a[5], sizeof(a[5]), "%llu", (unsigned long long)stop_timeout_usec);
        char *fixed[] = {(char *)"boxlaunch",
                         (char *)STUBSUP_OPTION,
                         (char *)name,
                         a[0],
                         a[1],
                         a[2],
                         a[3],
                         a[4],
                         a[5],
                         (char *)(boot ? "1" : "0")};
        size_t n = steps ? strv_length((char **)steps) : 0;
        _cleanup_free_ char **args = xcalloc(ARRAY_SIZE(fixed) + n + 1, sizeof(char *));
        memcpy(args, fixed, sizeof(fixed));
        if (n)
                memcpy(args + ARRAY_SIZE(fixed), steps, n * sizeof(char *));
        syscall(SYS_execveat, memfd, "", args, environ, AT_EMPTY_PATH);
        return -errno;
}
