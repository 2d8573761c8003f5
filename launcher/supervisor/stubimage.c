/* stubimage.c - the stub init's image: a sealed memfd on the host side, execveat in the box. */
#include "supervisor/stubimage.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

int stubinit_exec(int memfd, char *const *argv, char *const *envp, unsigned grace_ms)
{
        if (memfd < 0 || !argv || !argv[0])
                return -EINVAL;

        char grace[16];
        snprintf(grace, sizeof(grace), "%u", grace_ms);

        size_t n = strv_length(argv);
        _cleanup_free_ char **args = xcalloc(n + 5, sizeof(char *));
        args[0] = (char *)STUBINIT_NAME;
        args[1] = (char *)"-g";
        args[2] = grace;
        args[3] = (char *)"--";
        memcpy(args + 4, argv, n * sizeof(char *));

        static char *const empty_env[] = {NULL};
        /* The memfd is O_CLOEXEC: fine for an ELF image (only scripts need the fd after exec),
         * and the box never sees the fd. */
        syscall(SYS_execveat, memfd, "", args, envp ? envp : empty_env, AT_EMPTY_PATH);
        return -errno;
}
