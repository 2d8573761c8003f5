/* mountopts.c - mount option words, and libmount through dlopen.
 *
 * Only a mount's option string needs libmount, yet linking it costs every start the
 * loading of libmount, libblkid, libselinux and libpcre2. Loading it when an option string is
 * parsed keeps boxes without mount options free of it (systemd does the same since v256). */
#include "util/mountopts.h"

#include <dlfcn.h>
#include <libmount.h>

const struct mount_word mount_words[] = {
        {"ro", MS_RDONLY, false},
        {"rw", MS_RDONLY, true},
        {"nosuid", MS_NOSUID, false},
        {"suid", MS_NOSUID, true},
        {"nodev", MS_NODEV, false},
        {"dev", MS_NODEV, true},
        {"noexec", MS_NOEXEC, false},
        {"exec", MS_NOEXEC, true},
        {"noatime", MS_NOATIME, false},
        {"atime", MS_NOATIME, true},
        {"nodiratime", MS_NODIRATIME, false},
        {"diratime", MS_NODIRATIME, true},
        {"relatime", MS_RELATIME, false},
        {"norelatime", MS_RELATIME, true},
        {"strictatime", MS_STRICTATIME, false},
        {"nosymfollow", MS_NOSYMFOLLOW, false},
};
const size_t n_mount_words = ARRAY_SIZE(mount_words);

const struct mount_word *mountopts_word(const char *word)
{
        for (size_t i = 0; i < n_mount_words; i++)
                if (streq(word, mount_words[i].word))
                        return &mount_words[i];
        return NULL;
}

char *mountopts_to_string(unsigned long set, unsigned long cleared)
{
        char *s = xstrdup("");
        for (size_t i = 0; i < n_mount_words; i++) {
                const struct mount_word *w = &mount_words[i];
                if (!(w->flag & (w->clear ? cleared : set)))
                        continue;
                char *old = s;
                s = *old ? xasprintf("%s,%s", old, w->word) : xstrdup(w->word);
                free(old);
        }
        return s;
}

uint64_t mountopts_attr(unsigned long f)
{
        static const struct {
                unsigned long flag;
                uint64_t attr;
        } map[] = {
                {MS_RDONLY, MOUNT_ATTR_RDONLY},         {MS_NOSUID, MOUNT_ATTR_NOSUID},
                {MS_NODEV, MOUNT_ATTR_NODEV},           {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
                {MS_NOATIME, MOUNT_ATTR_NOATIME},       {MS_STRICTATIME, MOUNT_ATTR_STRICTATIME},
                {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME}, {MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW},
        };
        uint64_t a = 0;
        for (size_t i = 0; i < ARRAY_SIZE(map); i++)
                if (f & map[i].flag)
                        a |= map[i].attr;
        return a;
}

const unsigned long mount_propagation_flags[4] = {MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE};
static const char propagation_words[4][11] = {"private", "slave", "shared", "unbindable"};

int mountopts_propagation_from_string(const char *s, unsigned long *ret)
{
        unsigned long rec = 0;
        if (s[0] == 'r' && !streq(s, "rw")) {
                rec = MS_REC;
                s++;
        }
        for (size_t i = 0; i < ARRAY_SIZE(propagation_words); i++)
                if (streq(s, propagation_words[i])) {
                        *ret = mount_propagation_flags[i] | rec;
                        return 0;
                }
        return -EINVAL;
}

const char *mountopts_propagation_to_string(unsigned long flag)
{
        for (size_t i = 0; i < ARRAY_SIZE(propagation_words); i++)
                if ((flag & ~MS_REC) == mount_propagation_flags[i])
                        return propagation_words[i];
        return NULL;
}

static struct {
        bool tried;
        __typeof__(mnt_optstr_get_flags) *get_flags;
        __typeof__(mnt_get_builtin_optmap) *builtin_optmap;
} lib;

static int load(void)
{
        if (!lib.tried) {
                lib.tried = true;
                void *h = dlopen("libmount.so.1", RTLD_NOW | RTLD_LOCAL);
                if (h) {
                        lib.get_flags = (__typeof__(lib.get_flags))dlsym(h, "mnt_optstr_get_flags");
                        lib.builtin_optmap =
                                (__typeof__(lib.builtin_optmap))dlsym(h, "mnt_get_builtin_optmap");
                }
        }
        return lib.get_flags && lib.builtin_optmap ? 0 : -ELIBACC;
}

int mountopts_flags(const char *optstr, unsigned long *ret)
{
        int r = load();
        if (r < 0)
                return r;
        *ret = 0;
        return lib.get_flags(optstr, ret, lib.builtin_optmap(MNT_LINUX_MAP)) < 0 ? -EINVAL : 0;
}
