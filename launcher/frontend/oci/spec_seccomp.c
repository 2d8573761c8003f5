/* spec_seccomp.c - config.json linux.seccomp into the config's seccomp filter. */
#include "frontend/oci/internal.h"

#include "core/names.h"
#include "util/capnames.h"
#include "util/log.h"
#include "util/parse.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>

#ifndef MOUNT_ATTR_RDONLY
#include <linux/mount.h>
#endif

static const struct {
        const char *name;
        uint32_t action;
} seccomp_actions[] = {
        {"SCMP_ACT_KILL", BOX_SCMP_KILL},
        {"SCMP_ACT_KILL_THREAD", BOX_SCMP_KILL_THREAD},
        {"SCMP_ACT_KILL_PROCESS", BOX_SCMP_KILL_PROCESS},
        {"SCMP_ACT_TRAP", BOX_SCMP_TRAP},
        {"SCMP_ACT_ERRNO", BOX_SCMP_ERRNO},
        {"SCMP_ACT_TRACE", BOX_SCMP_TRACE},
        {"SCMP_ACT_ALLOW", BOX_SCMP_ALLOW},
        {"SCMP_ACT_LOG", BOX_SCMP_LOG},
        {"SCMP_ACT_NOTIFY", BOX_SCMP_NOTIFY},
};

/* An action with its errno (errnoRet, else the default: EPERM); false if bad (logged). */
static bool parse_action(struct parser *p, struct json_object *o, const char *path, const char *key,
                         const char *errkey, uint32_t def_errno, uint32_t *ret)
{
        _cleanup_free_ char *s = NULL;
        if (!spec_require(p, o, path, key) || !spec_get_str(p, o, path, key, &s))
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(seccomp_actions); i++) {
                if (!streq(s, seccomp_actions[i].name))
                        continue;
                uint32_t a = seccomp_actions[i].action;
                if (a == BOX_SCMP_NOTIFY) {
                        spec_bad(p, SUB(path, key),
                                 "SCMP_ACT_NOTIFY is not supported (no seccomp user notification "
                                 "listener)");
                        return false;
                }
                uint64_t e = def_errno;
                if (spec_get(o, errkey)) {
                        if (!spec_get_u64(p, o, path, errkey, 0xffff, &e))
                                return false;
                        if (a != BOX_SCMP_ERRNO && a != BOX_SCMP_TRACE)
                                spec_bad(p, SUB(path, errkey),
                                         "only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
                }
                if (a == BOX_SCMP_ERRNO || a == BOX_SCMP_TRACE)
                        a |= (uint32_t)(a == BOX_SCMP_TRACE && !spec_get(o, errkey) ? 0 : e);
                *ret = a;
                return true;
        }
        spec_bad(p, SUB(path, key), "unknown action '%s'", s);
        return false;
}

void spec_parse_seccomp(struct parser *p, struct json_object *o)
{
        const char *path = "linux.seccomp";
        struct box_seccomp *s = &p->c->seccomp;
        s->enabled = true;
        s->literal = true;
        if (!spec_check_object(p, o, path))
                return;
        uint64_t def_errno = EPERM;
        if (spec_get(o, "defaultErrnoRet"))
                (void)spec_get_u64(p, o, path, "defaultErrnoRet", 0xffff, &def_errno);
        (void)parse_action(p, o, path, "defaultAction", "defaultErrnoRet", EPERM,
                           &s->default_action);
        static const char *const arch_ok[] = {
                "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",
                "SCMP_ARCH_ARM",      "SCMP_ARCH_AARCH64",     "SCMP_ARCH_MIPS",
                "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
                "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
                "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_S390",
                "SCMP_ARCH_S390X",    "SCMP_ARCH_PARISC",      "SCMP_ARCH_PARISC64",
                "SCMP_ARCH_RISCV64",  "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
                "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB"};
        if (spec_get_strv(p, o, path, "architectures", &s->arches))
                for (size_t i = 0; s->arches[i]; i++)
                        if (spec_lookup(s->arches[i], arch_ok, ARRAY_SIZE(arch_ok)) < 0)
                                spec_bad(p, IDX("linux.seccomp.architectures", i),
                                         "unknown architecture '%s'", s->arches[i]);
        static const char *const flags_ok[] = {
                "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
        if (spec_get_strv(p, o, path, "flags", &s->flags))
                for (size_t i = 0; s->flags[i]; i++)
                        if (spec_lookup(s->flags[i], flags_ok, ARRAY_SIZE(flags_ok)) < 0)
                                spec_bad(p, IDX("linux.seccomp.flags", i), "unknown flag '%s'",
                                         s->flags[i]);
        static const char *const ops[] = {NULL,          "SCMP_CMP_NE",       "SCMP_CMP_LT",
                                          "SCMP_CMP_LE", "SCMP_CMP_EQ",       "SCMP_CMP_GE",
                                          "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
        size_t n;
        struct json_object *a = spec_get_array(p, o, path, "syscalls", &n);
        s->rules = xcalloc(n ? n : 1, sizeof(*s->rules));
        for (size_t i = 0; i < n; i++) {
                const char *ep = IDX("linux.seccomp.syscalls", i);
                struct json_object *e = json_object_array_get_idx(a, i);
                struct box_seccomp_rule *r = &s->rules[s->n_rules++];
                if (!spec_check_object(p, e, ep))
                        continue;
                if (!spec_require(p, e, ep, "names") ||
                    !spec_get_strv(p, e, ep, "names", &r->names))
                        continue;
                if (!r->names[0])
                        spec_bad(p, SUB(ep, "names"), "empty");
                (void)parse_action(p, e, ep, "action", "errnoRet", (uint32_t)def_errno, &r->action);
                size_t na;
                struct json_object *args = spec_get_array(p, e, ep, "args", &na);
                r->args = xcalloc(na ? na : 1, sizeof(*r->args));
                for (size_t k = 0; k < na; k++) {
                        const char *ap = IDX(SUB(ep, "args"), k);
                        struct json_object *g = json_object_array_get_idx(args, k);
                        struct box_seccomp_arg *sa = &r->args[r->n_args++];
                        _cleanup_free_ char *op = NULL;
                        if (!spec_check_object(p, g, ap) || !spec_require(p, g, ap, "index") ||
                            !spec_require(p, g, ap, "value") || !spec_require(p, g, ap, "op") ||
                            !spec_get_u32(p, g, ap, "index", &sa->index) ||
                            !spec_get_u64(p, g, ap, "value", UINT64_MAX, &sa->value) ||
                            !spec_get_str(p, g, ap, "op", &op))
                                continue;
                        (void)spec_get_u64(p, g, ap, "valueTwo", UINT64_MAX, &sa->value_two);
                        if (sa->index > 5)
                                spec_bad(p, SUB(ap, "index"), "above 5");
                        int k2 = spec_lookup(op, ops, ARRAY_SIZE(ops));
                        if (k2 < 0)
                                spec_bad(p, SUB(ap, "op"), "unknown operator '%s'", op);
                        else
                                sa->op = (uint32_t)k2;
                }
        }
}
