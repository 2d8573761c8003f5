/* mountopts.c - libmount through dlopen.
 *
 * Only Options= of a [Mount] section needs libmount, yet linking it costs every start the
 * loading of libmount, libblkid, libselinux and libpcre2. Loading it when an option string is
 * parsed keeps boxes without mount options free of it (systemd does the same since v256). */
#include "util/mountopts.h"

#include <dlfcn.h>
#include <libmount.h>

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
