/* items.c - the named sections of a .box file, one per item: [Mount NAME], [Device NAME] and
 * [Hook NAME]. A new item with its defaults, the setters of their keys that need logic (mount
 * options, device numbers, ...) and the check of their required keys. */
#include "frontend/box/keys.h"

#include "core/names.h"
#include "util/log.h"
#include "util/mountopts.h"
#include "util/parse.h"

void *box_item_new(struct box_config *c, const char *type, const char *label, unsigned line)
{
        struct box_origin o = {.file = c->source_file, .line = line};
        if (streq(type, "Mount")) {
                c->mounts = xrealloc(c->mounts, (c->n_mounts + 1) * sizeof(*c->mounts));
                struct box_mount *m = &c->mounts[c->n_mounts++];
                *m = (struct box_mount){.name = xstrdup(label),
                                        .type = BOX_MOUNT_BIND,
                                        .recursive = true,
                                        .origin = o};
                return m;
        }
        if (streq(type, "Device")) {
                c->devices = xrealloc(c->devices, (c->n_devices + 1) * sizeof(*c->devices));
                struct box_device *d = &c->devices[c->n_devices++];
                *d = (struct box_device){.name = xstrdup(label), .mode = 0666, .origin = o};
                snprintf(d->access, sizeof(d->access), "rwm");
                return d;
        }
        if (streq(type, "Hook")) {
                c->hooks = xrealloc(c->hooks, (c->n_hooks + 1) * sizeof(*c->hooks));
                struct box_hook *h = &c->hooks[c->n_hooks++];
                *h = (struct box_hook){
                        .name = xstrdup(label), .stage = _BOX_HOOK_STAGE_MAX, .origin = o};
                return h;
        }
        if (streq(type, "Port")) {
                struct box_net *n = &c->netcfg;
                n->ports = xrealloc(n->ports, (n->n_ports + 1) * sizeof(*n->ports));
                struct box_port *p = &n->ports[n->n_ports++];
                *p = (struct box_port){.name = xstrdup(label), .origin = o};
                return p;
        }
        return NULL;
}

/* ---- [Mount NAME] -------------------------------------------------------------------------- */

int set_mount_target(struct fill *f, void *dst, const char *v)
{
        if (streq(v, "/"))
                return fill_error(f, "cannot mount over the box's root; use Directory= in [Box]");
        return set_abs_path(f, dst, v);
}

/* overlayfs separates lower directories with ':' and options with ','. */
static bool lower_dir_ok(struct fill *f, const char *w)
{
        if (w[0] == '/' && !strchr(w, ':') && !strchr(w, ','))
                return true;
        fill_error(f, "'%s' is not an absolute path without ':' or ','", w);
        return false;
}

int set_lower_dirs(struct fill *f, void *dst, const char *v)
{
        char ***lower = dst, **words;
        int r = fill_words(f, v, lower_dir_ok, &words);
        if (r < 0)
                return r;
        strv_free(*lower);
        *lower = words;
        return 0;
}

int set_propagation(struct fill *f, void *dst, const char *v)
{
        if (mountopts_propagation_from_string(v, dst) < 0)
                return fill_error(f,
                                  "'%s' is not a propagation mode (private, slave, shared, "
                                  "unbindable, or with an 'r' prefix for recursive)",
                                  v);
        return 0;
}

/* One word of Options= that is not a flag for libmount: bind/rbind, propagation, tmpfs data.
 * Returns 1 if taken, 0 for a flag word, -EINVAL (logged) for anything else. */
static int mount_option_word(struct fill *f, struct box_mount *m, const char *w, char **data)
{
        static const char *const tmpfs_data[] = {"size=", "mode=", "nr_inodes=", "uid=", "gid="};
        const struct mount_word *mw = mountopts_word(w);
        unsigned long pf;

        if (mw) {
                /* The last of dev/nodev and suid/nosuid counts, as for libmount. */
                if (mw->flag == MS_NODEV)
                        m->dev = mw->clear;
                else if (mw->flag == MS_NOSUID)
                        m->suid = mw->clear;
                return 0;
        }
        if (streq(w, "bind") || streq(w, "rbind")) {
                m->recursive = streq(w, "rbind");
                return 1;
        }
        if (streq(w, "defaults"))
                return 1;
        if (mountopts_propagation_from_string(w, &pf) == 0) {
                m->propagation = pf;
                return 1;
        }
        bool known = false;
        for (size_t i = 0; i < ARRAY_SIZE(tmpfs_data); i++)
                known = known || strncmp(w, tmpfs_data[i], strlen(tmpfs_data[i])) == 0;
        if (known && m->type == BOX_MOUNT_TMPFS) {
                char *old = *data;
                *data = old ? xasprintf("%s,%s", old, w) : xstrdup(w);
                free(old);
                return 1;
        }
        return fill_error(f, "unknown or unsupported mount option '%s'%s", w,
                          known ? " for this mount type" : "");
}

/* Options go through libmount's parser, but only words of the one table (util/mountopts.h) and
 * a few more are accepted: libmount silently files unknown words under filesystem data and maps
 * "user"/"owner" to flags. */
int set_mount_options(struct fill *f, void *dst, const char *v)
{
        struct box_mount *m = dst;
        _cleanup_free_ char *data = NULL, *dup = xstrdup(v);
        char *save = NULL;

        for (char *w = strtok_r(dup, ",", &save); w; w = strtok_r(NULL, ",", &save))
                if (mount_option_word(f, m, w, &data) < 0)
                        return -EINVAL;

        unsigned long flags = 0;
        int r = mountopts_flags(v, &flags);
        if (r == -ELIBACC)
                return fill_error(f, "libmount (libmount.so.1) is needed to parse mount options");
        if (r < 0)
                return fill_error(f, "cannot parse mount options '%s'", v);
        m->flags = flags & MOUNT_WORD_FLAGS;
        free(m->data);
        m->data = TAKE_PTR(data);
        return 0;
}

/* ---- [Device NAME] ------------------------------------------------------------------------- */

int set_device_path(struct fill *f, void *dst, const char *v)
{
        if (strncmp(v, "/dev/", 5) != 0 || has_dot_component(v))
                return fill_error(f, "'%s' is not a path under /dev/", v);
        return set_abs_path(f, dst, v);
}

int set_device_type(struct fill *f, void *dst, const char *v)
{
        char *type = dst;
        if (strcaseeq(v, "c") || strcaseeq(v, "char"))
                *type = 'c';
        else if (strcaseeq(v, "b") || strcaseeq(v, "block"))
                *type = 'b';
        else
                return fill_error(f, "'%s' is not a device type (char, block)", v);
        return 0;
}

int set_device_number(struct fill *f, void *dst, const char *v)
{
        struct box_device *d = dst;
        const char *colon = strchr(v, ':');
        uint64_t ma, mi;
        if (!colon)
                return fill_error(f, "'%s' is not MAJOR:MINOR (e.g. 10:229)", v);
        _cleanup_free_ char *a = xstrndup(v, (size_t)(colon - v));
        if (parse_uint64(a, 4095, &ma) < 0 || parse_uint64(colon + 1, 1048575, &mi) < 0)
                return fill_error(f, "'%s' is not MAJOR:MINOR within the kernel's ranges", v);
        d->major = (unsigned)ma;
        d->minor = (unsigned)mi;
        return 0;
}

int set_device_access(struct fill *f, void *dst, const char *v)
{
        if (!*v || strlen(v) > 3 || strspn(v, "rwm") != strlen(v))
                return fill_error(f, "'%s' is not an access string of r, w and m", v);
        snprintf(dst, sizeof(((struct box_device *)NULL)->access), "%s", v);
        return 0;
}

int set_device_mode(struct fill *f, void *dst, const char *v)
{
        mode_t *mode = dst;
        if (parse_mode(v, mode) < 0 || *mode > 0777)
                return fill_error(f, "'%s' is not an octal mode up to 0777", v);
        return 0;
}

/* ---- [Hook NAME] --------------------------------------------------------------------------- */

int set_hook_command(struct fill *f, void *dst, const char *v)
{
        char ***argv = dst;
        int r = set_argv(f, dst, v);
        if (r == 0 && (*argv)[0][0] != '/')
                return fill_error(f, "'%s' must be an absolute path", (*argv)[0]);
        return r;
}

/* ---- required keys ------------------------------------------------------------------------- */

static const char *mount_missing(const struct box_mount *m)
{
        /* "fs" names the OCI front-end's generic mounts; a .box has no FSType= key. */
        if (m->type == BOX_MOUNT_FS)
                return "Type= bind, tmpfs or overlay (fs is for OCI bundles only)";
        if (!m->target)
                return "Target=";
        if (m->type == BOX_MOUNT_BIND && !m->source)
                return "Source=";
        if (m->type == BOX_MOUNT_OVERLAY && !m->lower)
                return "LowerDirs=";
        if (m->type != BOX_MOUNT_BIND && m->source)
                return "no Source= (only bind mounts take one); a valid";
        if (m->type == BOX_MOUNT_OVERLAY && !m->upper != !m->work)
                return "both UpperDir= and WorkDir= (or neither); a valid";
        return NULL;
}

unsigned box_items_check(const struct box_config *c)
{
        const char *file = c->source_file;
        unsigned errors = 0;
        for (size_t i = 0; i < c->n_mounts; i++) {
                const struct box_mount *m = &c->mounts[i];
                const char *miss = mount_missing(m);
                if (miss) {
                        log_error("%s:%u: [Mount %s] needs %s", file, m->origin.line, m->name,
                                  miss);
                        errors++;
                }
        }
        for (size_t i = 0; i < c->n_devices; i++) {
                const struct box_device *d = &c->devices[i];
                if (!d->path || !d->type || (!d->major && !d->minor)) {
                        log_error("%s:%u: [Device %s] needs Path=, Type= and Number=", file,
                                  d->origin.line, d->name);
                        errors++;
                }
        }
        for (size_t i = 0; i < c->n_hooks; i++) {
                const struct box_hook *h = &c->hooks[i];
                if (h->stage == _BOX_HOOK_STAGE_MAX || !h->argv) {
                        log_error("%s:%u: [Hook %s] needs Stage= and Command=", file,
                                  h->origin.line, h->name);
                        errors++;
                }
        }
        for (size_t i = 0; i < c->netcfg.n_ports; i++) {
                const struct box_port *p = &c->netcfg.ports[i];
                if (!p->host_port) {
                        log_error("%s:%u: [Port %s] needs HostPort=", file, p->origin.line,
                                  p->name);
                        errors++;
                }
        }
        return errors;
}
