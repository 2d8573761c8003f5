/* launch/prepare.c - the launch's phases before clone: decisions and host resources. */
#include "launch/launch_internal.h"
#include "util/syscalls.h"

#include "launch/idmap.h"
#include "launch/notify.h"
#include "supervisor/stubimage.h"
#include "supervisor/supervise.h"
#include "util/log.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static void release_state(struct launch *l)
{
        state_release(&l->state);
}

/* The state file, locked: one instance per name. */
int acquire_state(struct launch *l)
{
        if (l->oci)
                return 0; /* the OCI runtime keeps its own state (cli/runc/) */
        int r = state_acquire(l->c->name, &l->state);
        if (r == -EBUSY) {
                log_error("box '%s' is already running", l->c->name);
                return r;
        }
        if (r < 0)
                return log_error_errno(r, "creating the state file of '%s' in %s", l->c->name,
                                       state_root());
        on_cleanup(l, release_state);
        return 0;
}

static void release_security(struct launch *l)
{
        privs_done(&l->sec);
        closep(&l->root_dir);
        l->root_dir = -1;
}

/* On the host, while securityfs is still in view: the AppArmor decision, with the capabilities
 * and the filter. */
int prepare_security(struct launch *l)
{
        on_cleanup(l, release_security);
        l->root_dir = open(l->c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (l->root_dir < 0)
                return log_error_errno(-errno, "root directory %s", l->c->root);
        return privs_prepare(l->c, &l->sec); /* logged */
}

void release_idmap_lock(struct launch *l)
{
        closep(&l->idmap_lock);
        l->idmap_lock = -1;
}

/* The user namespace's range: User=BASE:COUNT, or a free one for User=pick, held by a lock
 * until the maps are written. */
int prepare_ids(struct launch *l)
{
        const struct box_config *c = l->c;
        l->rt.userns = c->userns != BOX_USERNS_NO;
        l->rt.uid_base = c->uid_base;
        l->rt.uid_count = c->uid_count;
        if (c->userns != BOX_USERNS_PICK)
                return 0;
        on_cleanup(l, release_idmap_lock);
        l->idmap_lock = idmap_lock();
        if (l->idmap_lock < 0)
                return log_error_errno(l->idmap_lock, "locking the id range allocator");
        uint32_t base;
        int r = idmap_pick(c->name, &base);
        if (r < 0)
                return log_error_errno(r, "%s: no free 64K id range to pick",
                                       BOX_WHERE(c, BOX_F_NS_USER, NULL, 0));
        l->rt.uid_base = base;
        l->rt.uid_count = IDMAP_RANGE;
        log_debug("picked the id range %u:%u", base, IDMAP_RANGE);
        return 0;
}

static void release_console(struct launch *l)
{
        closep(&l->log_fd);
        l->log_fd = -1;
}

/* The console mode: with --detach nobody will read a terminal (no pty relay, output to a log);
 * the default is interactive on a terminal, a pipe otherwise. */
int prepare_console(struct launch *l)
{
        const struct box_config *c = l->c;
        l->rt.console = c->console;
        if (l->oci) {
                /* process.terminal, or the caller's stdio as it is. */
                if (c->console != BOX_CONSOLE_INTERACTIVE) {
                        l->rt.console = BOX_CONSOLE_PIPE;
                        return 0;
                }
                if (l->oci->console_sock < 0 && !l->oci->foreground) {
                        log_error("cannot allocate tty if runc will detach without setting "
                                  "console socket");
                        return -EINVAL;
                }
                return 0;
        }
        if (c->console == BOX_CONSOLE_AUTOPIPE)
                l->rt.console = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)
                                        ? BOX_CONSOLE_INTERACTIVE
                                        : BOX_CONSOLE_PIPE;
        if (l->detach_fd < 0)
                return 0;
        l->rt.console = BOX_CONSOLE_PIPE;
        on_cleanup(l, release_console);
        _cleanup_free_ char *log = state_side_path(c->name, "log");
        l->log_fd =
                open(log, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (l->log_fd < 0)
                return log_error_errno(-errno, "creating the console log %s for --detach", log);
        return 0;
}

static void release_notify(struct launch *l)
{
        closep(&l->notify_fd);
        l->notify_fd = -1;
        notify_listener_remove(l->notify_path);
        free(l->notify_path);
        l->notify_path = NULL;
}

static void release_idmapped(struct launch *l)
{
        for (size_t i = 0; l->rt.idmap_fd && i < l->c->n_mounts; i++)
                closep(&l->rt.idmap_fd[i]);
        free(l->rt.idmap_fd);
        l->rt.idmap_fd = NULL;
}

/* Idmapped bind mounts (OCI mounts[].uidMappings), made on the host where a helper process's
 * user namespace can be given the maps; the child inherits the detached mounts. */
static int prepare_idmapped(struct launch *l)
{
        const struct box_config *c = l->c;
        bool any = false;
        for (size_t i = 0; i < c->n_mounts; i++)
                any = any || c->mounts[i].n_uid_map;
        if (!any)
                return 0;
        on_cleanup(l, release_idmapped);
        l->rt.idmap_fd = xcalloc(c->n_mounts, sizeof(int));
        for (size_t i = 0; i < c->n_mounts; i++)
                l->rt.idmap_fd[i] = -1;
        for (size_t i = 0; i < c->n_mounts; i++) {
                const struct box_mount *m = &c->mounts[i];
                if (!m->n_uid_map || m->type != BOX_MOUNT_BIND)
                        continue;
                _cleanup_close_ int ns =
                        idmap_userns_fd(m->uid_map, m->n_uid_map, m->gid_map, m->n_gid_map);
                if (ns < 0)
                        return log_error_errno(ns, "%s: a user namespace for the id mapping",
                                               BOX_WHERE(c, BOX_F_MOUNT_IDMAP, m->name, 0));
                _cleanup_close_ int mnt = open_tree(AT_FDCWD, m->source,
                                                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                                            (m->recursive ? AT_RECURSIVE : 0));
                struct mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)ns};
                if (mnt < 0 ||
                    mount_setattr(mnt, "", AT_EMPTY_PATH | (m->idmap_recursive ? AT_RECURSIVE : 0),
                                  &a, sizeof(a)) < 0)
                        return log_error_errno(-errno, "%s: idmapping %s",
                                               BOX_WHERE(c, BOX_F_MOUNT_IDMAP, m->name, 0),
                                               m->source);
                l->rt.idmap_fd[i] = TAKE_FD(mnt);
        }
        return 0;
}

/* The mounts the child makes: the config's, then the launch's own. With NotifyReady=yes the
 * payload reports READY=1 itself, to a socket bound at /run/host/notify. */
int prepare_mounts(struct launch *l)
{
        const struct box_config *c = l->c;
        struct box_runtime *rt = &l->rt;
        /* Room for the notify socket and the network's two files (launch/net.c). */
        rt->mounts = xcalloc(c->n_mounts + 3, sizeof(*rt->mounts));
        for (size_t i = 0; i < c->n_mounts; i++)
                rt->mounts[rt->n_mounts++] = &c->mounts[i];
        int r = prepare_idmapped(l);
        if (r < 0)
                return r;
        if (!c->notify_ready)
                return 0;
        on_cleanup(l, release_notify);
        _cleanup_free_ char *dir = state_side_path(c->name, "notify");
        r = notify_listener_new(dir, &l->notify_fd, &l->notify_path);
        if (r < 0)
                return log_error_errno(r, "%s: creating the notify socket",
                                       BOX_WHERE(c, BOX_F_NOTIFY_READY, NULL, 0));
        rt->notify_mount = (struct box_mount){
                .name = (char *)"notify",
                .type = BOX_MOUNT_BIND,
                .source = l->notify_path,
                .target = (char *)"/run/host/notify",
        };
        rt->mounts[rt->n_mounts++] = &rt->notify_mount;
        strv_push(&rt->env, xstrdup("NOTIFY_SOCKET=/run/host/notify"));
        return 0;
}

static void release_stub(struct launch *l)
{
        closep(&l->stub);
        l->stub = -1;
}

/* The stub init's image, sealed (stubimage.h), when it is to be the box's PID 1. */
int prepare_stub(struct launch *l)
{
        if (!box_config_stub_init(l->c))
                return 0;
        on_cleanup(l, release_stub);
        l->stub = stubinit_memfd_shared();
        if (l->stub < 0)
                return log_error_errno(l->stub, "preparing the stub init");
        return 0;
}

static void restore_signals(struct launch *l)
{
        sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
}

/* Signals sent from now on wait for supervise(); the child restores the old mask. */
int block_signals(struct launch *l)
{
        if (supervise_block_signals(&l->oldmask) < 0)
                return log_error_errno(-errno, "blocking signals");
        on_cleanup(l, restore_signals);
        return 0;
}

/* The bundle the hooks are told: an OCI bundle's directory, or a .box's root. */
static const char *hook_bundle(const struct box_config *c, char *buf, size_t n)
{
        if (!c->api_listed || !c->source_file || !strrchr(c->source_file, '/'))
                return c->root;
        snprintf(buf, n, "%.*s", (int)(strrchr(c->source_file, '/') - c->source_file),
                 c->source_file);
        return buf;
}

static void run_poststop_hooks(struct launch *l)
{
        if (!l->started || l->keep)
                return;
        char b[PATH_MAX];
        struct hook_state st = {.id = l->c->name,
                                .status = "stopped",
                                .bundle = hook_bundle(l->c, b, sizeof(b)),
                                .annotations = l->c->annotations};
        (void)hooks_run(l->c, BOX_HOOK_POSTSTOP, &st, 0, false);
        l->started = false;
}

/* The poststop hooks run once the box is gone: registered before the cgroups, they run after
 * the groups are removed. */
int prepare_hooks(struct launch *l)
{
        char b[PATH_MAX];
        const char *bundle = hook_bundle(l->c, b, sizeof(b));
        if (bundle == b)
                bundle = l->bundle = xstrdup(b);
        l->hs = (struct hook_state){.id = l->c->name,
                                    .status = "creating",
                                    .bundle = bundle,
                                    .annotations = l->c->annotations};
        on_cleanup(l, run_poststop_hooks);
        return 0;
}
