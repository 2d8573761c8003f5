/* probe.c - escape attempts for the security tests, run inside a box.
 *   probe ACTION [ARG]  prints "ok" or the errno name of the failure, exits 0.
 * Built statically (musl) and copied into a test root filesystem. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *errname(int e)
{
        switch (e) {
        case EPERM:
                return "EPERM";
        case EACCES:
                return "EACCES";
        case ENOENT:
                return "ENOENT";
        case EROFS:
                return "EROFS";
        case ESRCH:
                return "ESRCH";
        case ENOSYS:
                return "ENOSYS";
        case EINVAL:
                return "EINVAL";
        case ETXTBSY:
                return "ETXTBSY";
        case EBUSY:
                return "EBUSY";
        case ENODEV:
                return "ENODEV";
        case EAFNOSUPPORT:
                return "EAFNOSUPPORT";
        case ENXIO:
                return "ENXIO";
        case EDOM:
                return "EDOM";
        default: {
                static char buf[32];
                snprintf(buf, sizeof(buf), "errno%d", e);
                return buf;
        }
        }
}

static int report(long r)
{
        puts(r < 0 ? errname(errno) : "ok");
        return 0;
}

/* Waits for a child made by clone/clone3 (which exits at once) and reports the call. */
static int report_child(long pid)
{
        if (pid == 0)
                _exit(0);
        if (pid > 0)
                waitpid((pid_t)pid, NULL, 0);
        return report(pid);
}

/* Asks io_uring for socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT), which socket() itself is
 * refused: "ok" if the ring made it, else the first error on the way. */
static int uring_audit_socket(void)
{
        struct io_uring_params p;
        memset(&p, 0, sizeof(p));
        int fd = (int)syscall(SYS_io_uring_setup, 4, &p);
        if (fd < 0)
                return report(fd);
        size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
        size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
        if (p.features & IORING_FEAT_SINGLE_MMAP)
                sq_size = cq_size = sq_size > cq_size ? sq_size : cq_size;
        char *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                        IORING_OFF_SQ_RING);
        char *cq = (p.features & IORING_FEAT_SINGLE_MMAP)
                           ? sq
                           : mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                                  fd, IORING_OFF_CQ_RING);
        struct io_uring_sqe *sqes =
                mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
        if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
                return report(-1);
        unsigned *tail = (unsigned *)(sq + p.sq_off.tail);
        unsigned mask = *(unsigned *)(sq + p.sq_off.ring_mask);
        unsigned *array = (unsigned *)(sq + p.sq_off.array);
        unsigned t = *tail, idx = t & mask;
        struct io_uring_sqe *e = &sqes[idx];
        memset(e, 0, sizeof(*e));
        e->opcode = IORING_OP_SOCKET;
        e->fd = AF_NETLINK;
        e->off = SOCK_RAW;
        e->len = NETLINK_AUDIT;
        array[idx] = idx;
        __atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
        if (syscall(SYS_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
                return report(-1);
        unsigned head = *(unsigned *)(cq + p.cq_off.head);
        unsigned cmask = *(unsigned *)(cq + p.cq_off.ring_mask);
        struct io_uring_cqe *cqe = (struct io_uring_cqe *)(cq + p.cq_off.cqes) + (head & cmask);
        if (cqe->res < 0) {
                errno = -cqe->res;
                return report(-1);
        }
        return report(0);
}

int main(int argc, char **argv)
{
        const char *a = argc > 1 ? argv[1] : "";
        const char *arg = argc > 2 ? argv[2] : "";

        if (!strcmp(a, "mount-cgroup-v1")) {
                mkdir("/tmp/cg", 0755);
                return report(mount("cgroup", "/tmp/cg", "cgroup", 0, "memory,release_agent=/x"));
        }
        if (!strcmp(a, "mknod-block")) {
                /* A host disk's numbers, MAJ:MIN (the test finds them), 8:0 if not given. */
                unsigned maj = 8, min = 0;
                if (*arg && sscanf(arg, "%u:%u", &maj, &min) != 2)
                        return 2;
                unlink("/tmp/disk");
                long r = mknod("/tmp/disk", S_IFBLK | 0600, makedev(maj, min));
                if (r < 0)
                        return report(r);
                return report(open("/tmp/disk", O_RDONLY));
        }
        if (!strcmp(a, "read")) {
                int fd = open(arg, O_RDONLY);
                if (fd < 0)
                        return report(fd);
                char buf[64];
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0)
                        return report(n);
                printf(n == 0 ? "empty\n" : "data\n");
                return 0;
        }
        if (!strcmp(a, "write")) {
                int fd = open(arg, O_WRONLY);
                if (fd < 0)
                        return report(fd);
                return report(write(fd, "1", 1));
        }
        if (!strcmp(a, "remount-rw"))
                return report(mount(NULL, arg, NULL, MS_REMOUNT | MS_BIND, NULL));
        if (!strcmp(a, "remount-rw-fs"))
                return report(mount(NULL, arg, NULL, MS_REMOUNT, NULL));
        if (!strcmp(a, "keyctl"))
                return report(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
        if (!strcmp(a, "kill"))
                return report(kill(atoi(arg), 0));
        if (!strcmp(a, "ptrace"))
                return report(ptrace(PTRACE_ATTACH, atoi(arg), 0, 0));
        if (!strcmp(a, "init_module"))
                return report(syscall(SYS_init_module, "", 0, ""));
        if (!strcmp(a, "settime")) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                return report(clock_settime(CLOCK_REALTIME, &ts));
        }
        if (!strcmp(a, "reboot"))
                return report(syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
                                      LINUX_REBOOT_CMD_CAD_OFF, NULL));
        if (!strcmp(a, "swapon"))
                return report(syscall(SYS_swapon, "/tmp/none", 0));
        if (!strcmp(a, "kexec"))
                return report(syscall(SYS_kexec_load, 0, 0, NULL, 0));
        if (!strcmp(a, "bpf")) {
                union bpf_attr attr;
                memset(&attr, 0, sizeof(attr));
                return report(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
        }
        if (!strcmp(a, "perf_event_open")) {
                struct perf_event_attr pe;
                memset(&pe, 0, sizeof(pe));
                pe.size = sizeof(pe);
                pe.type = PERF_TYPE_SOFTWARE;
                pe.config = PERF_COUNT_SW_CPU_CLOCK;
                return report(syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0));
        }
        if (!strcmp(a, "open-exe-write"))
                return report(open(arg, O_WRONLY));
        if (!strcmp(a, "unknown-syscall"))
                return report(syscall(1000));
        if (!strcmp(a, "setns-host"))
                return report(open("/proc/1/root/../../../etc/shadow", O_RDONLY));
        if (!strcmp(a, "unshare-user"))
                return report(unshare(CLONE_NEWUSER));
        if (!strcmp(a, "clone3-user")) {
                struct {
                        unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack,
                                stack_size, tls;
                } ca = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
                return report_child(syscall(SYS_clone3, &ca, sizeof(ca)));
        }
        if (!strcmp(a, "clone-newns"))
                return report_child(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0));
        if (!strcmp(a, "clone-newuser"))
                return report_child(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
        if (!strcmp(a, "clone-plain"))
                return report_child(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
        if (!strcmp(a, "setns-net")) {
                int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return report(fd);
                return report(setns(fd, CLONE_NEWNET));
        }
        if (!strcmp(a, "mount-tmpfs")) {
                mkdir("/tmp/m", 0755);
                return report(mount("t", "/tmp/m", "tmpfs", 0, NULL));
        }
        if (!strcmp(a, "fsopen"))
                return report(syscall(SYS_fsopen, "tmpfs", 0));
        if (!strcmp(a, "open-tree"))
                return report(syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */));
        if (!strcmp(a, "io_uring-setup")) {
                struct io_uring_params p;
                memset(&p, 0, sizeof(p));
                return report(syscall(SYS_io_uring_setup, 4, &p));
        }
        if (!strcmp(a, "io_uring-socket"))
                return uring_audit_socket();
        if (!strcmp(a, "personality"))
                return report(syscall(SYS_personality, strtoul(arg, NULL, 0)));
        if (!strcmp(a, "userfaultfd"))
                return report(syscall(SYS_userfaultfd, 0));
        if (!strcmp(a, "vsock"))
                return report(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
        if (!strcmp(a, "ptrace-seize"))
                /* Seize does not stop the tracee: a box that could would not hang its PID 1. */
                return report(ptrace(PTRACE_SEIZE, atoi(arg), 0, 0));
        if (!strcmp(a, "tiocsti")) {
                /* tiocsti FD TEXT: pushes TEXT and a newline into FD's terminal input. */
                int fd = atoi(arg);
                const char *text = argc > 3 ? argv[3] : "";
                for (const char *c = text;; c++) {
                        char ch = *c ? *c : '\n';
                        if (ioctl(fd, TIOCSTI, &ch) < 0)
                                return report(-1);
                        if (!*c)
                                break;
                }
                return report(0);
        }
        if (!strcmp(a, "hold")) {
                /* hold SECONDS [ANYTHING...]: sleeps; the rest only sits in argv. */
                sleep((unsigned)atoi(arg));
                return 0;
        }
        if (!strcmp(a, "alloc")) {
                /* Touch N MiB, so the pages are really charged to the box's memory cgroup. */
                size_t n = (size_t)atoi(arg) << 20;
                char *p = malloc(n);
                if (!p)
                        return report(-1);
                for (size_t i = 0; i < n; i += 4096)
                        p[i] = 1;
                puts("allocated");
                return 0;
        }
        if (!strcmp(a, "forks")) {
                /* Fork sleeping children until fork fails; print how many succeeded. */
                int n = 0;
                for (;;) {
                        pid_t pid = fork();
                        if (pid == 0) {
                                sleep(5);
                                _exit(0);
                        }
                        if (pid < 0) {
                                printf("forks=%d %s\n", n, errname(errno));
                                kill(0, SIGTERM);
                                return 0;
                        }
                        n++;
                        if (n > 1000)
                                return 1;
                }
        }
        if (!strcmp(a, "spin")) {
                time_t end = time(NULL) + atoi(arg);
                volatile unsigned long x = 0;
                while (time(NULL) < end)
                        x++;
                return 0;
        }
        if (!strcmp(a, "notify")) {
                /* sd_notify by hand: one datagram to $NOTIFY_SOCKET. */
                const char *path = getenv("NOTIFY_SOCKET");
                struct sockaddr_un sa = {.sun_family = AF_UNIX};
                if (!path || strlen(path) >= sizeof(sa.sun_path))
                        return report(-1);
                strcpy(sa.sun_path, path);
                int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                return report(sendto(fd, arg, strlen(arg), 0, (struct sockaddr *)&sa, sizeof(sa)));
        }
        fprintf(stderr, "probe: unknown action %s\n", a);
        return 2;
}
