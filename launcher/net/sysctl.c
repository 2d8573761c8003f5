/* net/sysctl.c - checked writes below /proc/sys/net. */
#include "net/sysctl.h"

#include "util/log.h"
#include "net/names.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/socket.h>
#include <sys/vfs.h>

static int open_proc_sys_net(void)
{
        int fd = open("/proc/sys/net", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
                close(fd);
                return -EXDEV; /* something is mounted over /proc/sys: refuse */
        }
        return fd;
}

/* Every component a plain name: no "..", no empty one, no absolute path. */
static bool path_safe(const char *path)
{
        if (!*path || path[0] == '/')
                return false;
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                        return false;
                p += n;
                if (*p == '/')
                        p++;
        }
        return true;
}

static int open_sysctl(const char *path, int flags)
{
        if (!path_safe(path))
                return -EINVAL;
        _cleanup_close_ int dfd = open_proc_sys_net();
        if (dfd < 0)
                return dfd;
        int fd = openat(dfd, path, flags | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
                close(fd);
                return -EXDEV;
        }
        return fd;
}

int net_sysctl_write(const char *path, const char *value)
{
        _cleanup_close_ int fd = open_sysctl(path, O_WRONLY);
        if (fd < 0)
                return fd;
        return write_all(fd, value, strlen(value));
}

int net_sysctl_read(const char *path, char *buf, size_t len)
{
        _cleanup_close_ int fd = open_sysctl(path, O_RDONLY);
        if (fd < 0)
                return fd;
        ssize_t n = RETRY_EINTR(read(fd, buf, len - 1));
        if (n < 0)
                return negative_errno();
        buf[n] = 0;
        buf[strcspn(buf, "\n")] = 0;
        return 0;
}

int net_link_sysctl(int family, const char *ifname, const char *key, const char *value)
{
        if (!net_ifname_valid(ifname) || strchr(key, '/') ||
            (family != AF_INET && family != AF_INET6))
                return -EINVAL;
        char path[128];
        snprintf(path, sizeof(path), "%s/conf/%s/%s", family == AF_INET ? "ipv4" : "ipv6", ifname,
                 key);
        return net_sysctl_write(path, value);
}

int net_forwarding_enable(int family)
{
        const char *path = family == AF_INET ? "ipv4/ip_forward" : "ipv6/conf/all/forwarding";
        if (family != AF_INET && family != AF_INET6)
                return -EINVAL;
        char cur[16];
        int r = net_sysctl_read(path, cur, sizeof(cur));
        if (r < 0)
                return r;
        if (!streq(cur, "0"))
                return 0;
        r = net_sysctl_write(path, "1");
        if (r < 0)
                return r;
        log_info("network: turned on net.%s for NAT to the outside (it stays on)",
                 family == AF_INET ? "ipv4.ip_forward" : "ipv6.conf.all.forwarding");
        return 1;
}

bool net_ipv6_available(void)
{
        char v[16];
        return net_sysctl_read("ipv6/conf/all/disable_ipv6", v, sizeof(v)) == 0 && streq(v, "0");
}
