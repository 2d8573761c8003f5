/* boxref.c - a running box, found through its state file and pinned by a pidfd. */
#include "ops/boxref.h"

#include "core/state.h"
#include "util/log.h"
#include "util/syscalls.h"

#include <dirent.h>

void box_ref_done(struct box_ref *b)
{
        free(b->name);
        free(b->cgroup);
        free(b->root);
        free(b->network);
        free(b->status);
        free(b->config_json);
        if (b->config) {
                box_config_free(b->config);
                free(b->config);
        }
        if (b->pidfd >= 0)
                close(b->pidfd);
        *b = (struct box_ref){.pidfd = -1};
}

static int ref_open(const char *name, bool quiet, bool pin, struct box_ref *ret)
{
        _cleanup_box_ref_ struct box_ref b = {.pidfd = -1};
        *ret = (struct box_ref){.pidfd = -1};
        if (!box_name_valid(name)) {
                if (!quiet)
                        log_error("invalid box name '%s'", name);
                return -EINVAL;
        }
        /* One open for the lock and the text: `list` does this for every box. */
        struct state_record rec = {0};
        int r = state_read_running(name, pin, &rec);
        if (r < 0 && r != -EAGAIN) {
                if (!quiet)
                        log_error("no box '%s' is running (no locked %s/%s)", name, state_root(),
                                  name);
                return -ENOENT;
        }
        if (r < 0 || rec.pid <= 0) {
                state_record_done(&rec);
                if (!quiet)
                        log_error("box '%s' is still starting (no PID 1 recorded yet)", name);
                return -EAGAIN;
        }
        b = (struct box_ref){
                .name = xstrdup(name),
                .pid = rec.pid,
                .pidfd = -1,
                .supervisor = rec.supervisor,
                .cgroup = TAKE_PTR(rec.cgroup),
                .root = TAKE_PTR(rec.root),
                .network = TAKE_PTR(rec.network),
                .status = rec.status ? TAKE_PTR(rec.status) : xstrdup("unknown"),
                .created = rec.created,
                .config_json = TAKE_PTR(rec.config),
        };
        unsigned long long start = rec.pidstart;
        state_record_done(&rec);

        /* Open first, then check: the pidfd pins the process the start time was read from. */
        b.pidfd = pin ? sys_pidfd_open(b.pid, 0) : -1;
        unsigned long long now_start = 0;
        if ((pin && b.pidfd < 0) || proc_starttime(b.pid, &now_start) < 0 || now_start != start) {
                if (!quiet)
                        log_error("PID 1 of box '%s' (pid %d) has exited; the box is stopping",
                                  name, (int)b.pid);
                return -ESRCH;
        }
        *ret = b;
        b = (struct box_ref){.pidfd = -1};
        return 0;
}

int box_ref_open(const char *name, bool quiet, struct box_ref *ret)
{
        return ref_open(name, quiet, true, ret);
}

int box_ref_peek(const char *name, struct box_ref *ret)
{
        return ref_open(name, true, false, ret);
}

const struct box_config *box_ref_config(struct box_ref *b, bool quiet)
{
        if (b->config)
                return b->config;
        if (!b->config_json) {
                /* A peek read the header only (list): the configuration now. */
                struct state_record rec = {0};
                if (state_read(b->name, &rec) < 0) {
                        state_record_done(&rec);
                        return NULL;
                }
                b->config_json = TAKE_PTR(rec.config);
                state_record_done(&rec);
        }
        struct box_config *c = xcalloc(1, sizeof(*c));
        if (state_parse_config(b->name, b->config_json, quiet, c) < 0) {
                box_config_free(c);
                free(c);
                return NULL;
        }
        return b->config = c;
}

static int cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int box_names(char ***ret)
{
        _cleanup_dir_ DIR *d = opendir(state_root());
        char **v = NULL;
        if (!d) {
                *ret = NULL;
                return errno == ENOENT ? 0 : -errno;
        }
        struct dirent *de;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && box_name_valid(de->d_name) &&
                    (de->d_type == DT_REG || de->d_type == DT_UNKNOWN))
                        strv_push(&v, xstrdup(de->d_name));
        /* qsort: an insertion sort of a thousand names was quadratic */
        if (v)
                qsort(v, strv_length(v), sizeof(*v), cmp_names);
        *ret = v;
        return 0;
}
