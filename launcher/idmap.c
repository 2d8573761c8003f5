/* idmap.c - picking and writing user namespace id maps. */
#include "idmap.h"

#include "state.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>

int idmap_lock(void)
{
        const char *root = state_root();
        if (mkdir(root, 0711) < 0 && errno != EEXIST)
                return -errno;
        int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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

static bool ids_known(uint32_t base)
{
        /* NSS lookups may load modules; the host's NSS is what decides here, as for nspawn. */
        return getpwuid(base) || getpwuid(base + 0xFFFE) || getgrgid(base) ||
               getgrgid(base + 0xFFFE);
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
        char path[64], map[64];
        snprintf(map, sizeof(map), "0 %u %u\n", base, count);
        snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
        int r = write_file_at(AT_FDCWD, path, map);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
        return write_file_at(AT_FDCWD, path, map);
}
