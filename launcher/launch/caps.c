/* caps.c - the box's capability set: defaults, resolution, applying it (libcap). */
#include "launch/caps.h"

#include <grp.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "util/capnames.h"
#include "util/log.h"

#define CAPBIT(c) (UINT64_C(1) << (c))

static void cap_freep(cap_t *c)
{
        if (*c)
                cap_free(*c);
}

uint64_t caps_default_app(void)
{
        return box_caps_default_app();
}

uint64_t caps_default_machine(bool private_net)
{
        return box_caps_default_machine(private_net);
}

/* Only the capabilities asked about: a box keeps a few, and each question is a system call. */
static uint64_t caps_in_bounding(uint64_t ask)
{
        uint64_t m = 0;
        unsigned n = caps_max();

        for (unsigned i = 0; i < n; i++)
                if ((ask & CAPBIT(i)) && prctl(PR_CAPBSET_READ, (unsigned long)i, 0, 0, 0) == 1)
                        m |= CAPBIT(i);
        return m;
}

uint64_t caps_host_bounding(void)
{
        return caps_in_bounding(UINT64_MAX);
}

uint64_t caps_resolve(const struct box_config *c)
{
        uint64_t m;

        m = box_config_caps(c);

        /* A capability missing from our own bounding set (CAP_SYS_RESOURCE on some hosts) can't
         * be granted; drop it instead of failing every start. */
        uint64_t host = caps_in_bounding(m);
        if (m & ~host) {
                _cleanup_free_ char *missing = caps_to_string(m & ~host);
                log_debug("capabilities not in the host bounding set, dropped: %s", missing);
        }
        return m & host;
}

static int cap_set_mask(cap_t caps, cap_flag_t flag, uint64_t mask)
{
        for (unsigned i = 0; i < 64; i++) {
                if (!(mask & CAPBIT(i)))
                        continue;
                cap_value_t v = (cap_value_t)i;
                if (cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
                        return negative_errno();
        }
        return 0;
}

int caps_apply(uint64_t keep, uint64_t ambient, uid_t uid, gid_t gid, const gid_t *groups,
               size_t ngroups)
{
        unsigned n = caps_max();
        int r;

        /* Bounding first: dropping needs CAP_SETPCAP, which the uid switch may take away. */
        for (unsigned i = 0; i < n; i++) {
                if (keep & CAPBIT(i))
                        continue;
                /* Dropping a capability already gone succeeds: no PR_CAPBSET_READ first. */
                if (prctl(PR_CAPBSET_DROP, (unsigned long)i, 0, 0, 0) < 0)
                        return negative_errno();
        }

        /* Keep the permitted set across the switch away from uid 0. */
        if (prctl(PR_SET_KEEPCAPS, 1UL, 0, 0, 0) < 0)
                return negative_errno();
        if (setgroups(ngroups, groups) < 0)
                return negative_errno();
        if (setresgid(gid, gid, gid) < 0)
                return negative_errno();
        if (setresuid(uid, uid, uid) < 0)
                return negative_errno();

        uint64_t eff = uid == 0 ? keep : (ambient & keep);
        _cleanup_(cap_freep) cap_t caps = cap_init();
        if (!caps)
                return negative_errno();
        r = cap_set_mask(caps, CAP_EFFECTIVE, eff);
        if (r >= 0)
                r = cap_set_mask(caps, CAP_PERMITTED, eff);
        /* Inheritable only what Ambient= asks for (raising it needs the bit in I): a full set
         * would hand every capability to any file in the box with inheritable file
         * capabilities, whatever its user (CVE-2022-24769). */
        if (r >= 0)
                r = cap_set_mask(caps, CAP_INHERITABLE, ambient & keep);
        if (r < 0)
                return r;
        if (cap_set_proc(caps) < 0)
                return negative_errno();

        /* The uid change cleared the ambient set, and raising needs the bit in P and I: now. */
        /* One call (libcap's cap_reset_ambient() first asks about every capability). */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) < 0)
                return negative_errno();
        for (unsigned i = 0; i < n; i++) {
                if (!(ambient & keep & CAPBIT(i)))
                        continue;
                if (cap_set_ambient((cap_value_t)i, CAP_SET) < 0)
                        return negative_errno();
        }

        if (prctl(PR_SET_KEEPCAPS, 0UL, 0, 0, 0) < 0)
                return negative_errno();
        return 0;
}

int caps_apply_sets(const struct box_caps *k, uint64_t bounding, uid_t uid, gid_t gid,
                    const gid_t *groups, size_t ngroups)
{
        unsigned n = caps_max();
        uint64_t known = caps_all();
        int r;

        for (unsigned i = 0; i < n; i++)
                if (!(bounding & CAPBIT(i)) &&
                    prctl(PR_CAPBSET_DROP, (unsigned long)i, 0, 0, 0) < 0)
                        return negative_errno();
        if (prctl(PR_SET_KEEPCAPS, 1UL, 0, 0, 0) < 0 || setgroups(ngroups, groups) < 0 ||
            setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                return negative_errno();
        /* The sets exactly as given (OCI process.capabilities), limited to what the kernel
         * knows; permitted and effective cannot exceed the bounding set we kept. */
        _cleanup_(cap_freep) cap_t caps = cap_init();
        if (!caps)
                return negative_errno();
        r = cap_set_mask(caps, CAP_EFFECTIVE, k->effective & known & bounding);
        if (r >= 0)
                r = cap_set_mask(caps, CAP_PERMITTED, k->permitted & known & bounding);
        if (r >= 0)
                r = cap_set_mask(caps, CAP_INHERITABLE, k->inheritable & known);
        if (r < 0)
                return r;
        if (cap_set_proc(caps) < 0)
                return negative_errno();
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) < 0)
                return negative_errno();
        /* An ambient capability needs its bit in permitted and inheritable (as runc, the
         * others are left out). */
        uint64_t amb = k->ambient & k->permitted & k->inheritable & known & bounding;
        for (unsigned i = 0; i < n; i++)
                if ((amb & CAPBIT(i)) && cap_set_ambient((cap_value_t)i, CAP_SET) < 0)
                        return negative_errno();
        if (prctl(PR_SET_KEEPCAPS, 0UL, 0, 0, 0) < 0)
                return negative_errno();
        return 0;
}
