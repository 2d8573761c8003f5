/* idmap.c - picking and writing user namespace id maps. */
#include "launch/idmap.h"

#include "util/procfs.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/wait.h>

int idmap_lock(void)
{
        /* Id ranges are the host's, whatever BOXLAUNCH_RUNTIME_DIR a boxlaunch uses: one lock
         * file for all of them, not the state root. */
        int fd = open(IDMAP_LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (RETRY_EINTR(flock(fd, LOCK_EX)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* Does any process map host ids of [base, base+IDMAP_RANGE) through `file`? */
static bool range_in_use(uint32_t base, const char *file)
{
        _cleanup_dir_ DIR *d = opendir("/proc");
        struct dirent *de;
        while (d && (de = readdir(d))) {
                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                char path[300];
                snprintf(path, sizeof(path), "/proc/%s/%s", de->d_name, file);
                _cleanup_fclose_ FILE *f = fopen(path, "re");
                unsigned long inside, outside, count;
                while (f && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3) {
                        /* The initial namespace's identity map covers everything: skip it. */
                        if (inside == 0 && outside == 0 && count == 4294967295UL)
                                continue;
                        if (outside < (unsigned long)base + IDMAP_RANGE && outside + count > base)
                                return true;
                }
        }
        return false;
}

/* Does getent(1) find key a or b in the database db? -1 if it cannot be run. getent runs the
 * host's NSS modules (sssd, LDAP, systemd's userdb), which boxlaunch, a static binary, must not
 * load into itself. */
static int getent_finds(const char *db, uint32_t a, uint32_t b)
{
        static const char *const paths[] = {"/usr/bin/getent", "/bin/getent"};
        char ka[16], kb[16];
        snprintf(ka, sizeof(ka), "%u", a);
        snprintf(kb, sizeof(kb), "%u", b);
        char *argv[] = {"getent", (char *)db, ka, kb, NULL}, *envp[] = {NULL};
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        pid_t pid = -1;
        for (size_t i = 0; i < ARRAY_SIZE(paths) && pid < 0; i++)
                if (posix_spawn(&pid, paths[i], &fa, NULL, argv, envp) != 0)
                        pid = -1;
        posix_spawn_file_actions_destroy(&fa);
        close(p[1]);
        if (pid < 0) {
                close(p[0]);
                return -1;
        }
        char buf[256];
        ssize_t n, total = 0;
        while ((n = RETRY_EINTR(read(p[0], buf, sizeof(buf)))) > 0)
                total += n;
        close(p[0]);
        int st;
        if (RETRY_EINTR(waitpid(pid, &st, 0)) < 0 || !WIFEXITED(st))
                return -1;
        /* 0: all keys found, 2: some or none (what it printed tells), else it failed. */
        if (WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 2)
                return -1;
        return total > 0;
}

/* Without getent: the files only. */
static bool files_know(uint32_t a, uint32_t b)
{
        _cleanup_fclose_ FILE *pw = fopen("/etc/passwd", "re");
        struct passwd *u;
        while (pw && (u = fgetpwent(pw)))
                if (u->pw_uid == a || u->pw_uid == b)
                        return true;
        _cleanup_fclose_ FILE *gr = fopen("/etc/group", "re");
        struct group *g;
        while (gr && (g = fgetgrent(gr)))
                if (g->gr_gid == a || g->gr_gid == b)
                        return true;
        return false;
}

/* Is the first or last id of the range a host user or group (as nspawn checks)? */
static bool ids_known(uint32_t base)
{
        int pw = getent_finds("passwd", base, base + 0xFFFE);
        if (pw > 0)
                return true;
        int gr = pw < 0 ? -1 : getent_finds("group", base, base + 0xFFFE);
        if (gr >= 0)
                return gr > 0;
        return files_know(base, base + 0xFFFE);
}

int idmap_pick(const char *name, uint32_t *ret_base)
{
        const uint32_t slots = (IDMAP_PICK_MAX - IDMAP_PICK_MIN) / IDMAP_RANGE;
        uint32_t h = 2166136261U; /* FNV-1a of the name: stable across restarts */
        for (const char *p = name; *p; p++)
                h = (h ^ (unsigned char)*p) * 16777619U;
        for (uint32_t i = 0; i < slots; i++) {
                uint32_t base = IDMAP_PICK_MIN + ((h + i) % slots) * IDMAP_RANGE;
                if (range_in_use(base, "uid_map") || range_in_use(base, "gid_map") ||
                    ids_known(base))
                        continue;
                *ret_base = base;
                return 0;
        }
        return -EBUSY;
}

int idmap_write(pid_t pid, uint32_t base, uint32_t count)
{
        char rel[64], map[64];
        _cleanup_close_ int proc = procfs_open_root("/proc");
        if (proc < 0)
                return proc;
        snprintf(map, sizeof(map), "0 %u %u\n", base, count);
        snprintf(rel, sizeof(rel), "%d/uid_map", (int)pid);
        int r = procfs_write(proc, rel, map);
        if (r < 0)
                return r;
        snprintf(rel, sizeof(rel), "%d/gid_map", (int)pid);
        return procfs_write(proc, rel, map);
}

static char *map_text(const struct box_id_map *m, size_t n)
{
        char *s = xstrdup("");
        for (size_t i = 0; i < n; i++) {
                char *t = xasprintf("%s%u %u %u\n", s, m[i].inside, m[i].outside, m[i].count);
                free(s);
                s = t;
        }
        return s;
}

int idmap_write_maps(pid_t pid, const struct box_id_map *uid, size_t n_uid,
                     const struct box_id_map *gid, size_t n_gid)
{
        char rel[64];
        _cleanup_close_ int proc = procfs_open_root("/proc");
        if (proc < 0)
                return proc;
        _cleanup_free_ char *u = map_text(uid, n_uid), *g = map_text(gid, n_gid);
        snprintf(rel, sizeof(rel), "%d/uid_map", (int)pid);
        int r = procfs_write(proc, rel, u);
        if (r < 0)
                return r;
        snprintf(rel, sizeof(rel), "%d/gid_map", (int)pid);
        return procfs_write(proc, rel, g);
}

int idmap_userns_fd(const struct box_id_map *uid, size_t n_uid, const struct box_id_map *gid,
                    size_t n_gid)
{
        /* A child in a fresh user namespace with these maps, only to hand out the namespace:
         * it says when it has unshared (ready), and lives until we close `hold`. */
        int hold[2], ready[2];
        if (pipe2(hold, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(ready, O_CLOEXEC) < 0) {
                int e = -errno;
                close(hold[0]);
                close(hold[1]);
                return e;
        }
        pid_t pid = fork();
        if (pid == 0) {
                /* Only the parent's ends may keep the pipes open: EOF on hold ends us. */
                close(hold[1]);
                close(ready[0]);
                char b = unshare(CLONE_NEWUSER) < 0 ? 1 : 0;
                (void)write(ready[1], &b, 1);
                (void)read(hold[0], &b, 1);
                _exit(0);
        }
        int r = pid < 0 ? -errno : 0, fd = -1;
        close(hold[0]);
        close(ready[1]);
        char b = 1;
        if (r == 0 && (read(ready[0], &b, 1) != 1 || b != 0))
                r = -EPERM;
        close(ready[0]);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        if (r == 0)
                r = idmap_write_maps(pid, uid, n_uid, gid, n_gid);
        if (r == 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                r = -errno;
        close(hold[1]);
        if (pid > 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        if (r < 0) {
                if (fd >= 0)
                        close(fd);
                return r;
        }
        return fd;
}
