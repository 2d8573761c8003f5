/* reader.c - the .box reader: the pre-scan (scan.c), then iniparser for the values, each handed
 * to its key's setter (keys.c) in file order; the items' required keys; the default box name.
 * Values are fetched with iniparser_getstring() only. It records the line of every key it sets
 * (box_config_set_origin()) and attaches the .box describer, so that later messages from any
 * layer name "file:line: [Section] Key". */
#include "frontend/box/box.h"
#include "frontend/box/keys.h"

#include "util/log.h"

#include <ctype.h>
#include <fcntl.h>
#include <iniparser/iniparser.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define BOX_FILE_MAX (1 << 20)

static struct scan *errback_scan;

/* iniparser's error callback is process-global and printf-like; turn its lines into ours. */
static int ini_errback(const char *fmt, ...)
{
        char msg[1200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        for (char *p = msg; *p; p++)
                if (*p == '\n')
                        *p = ' ';
        if (errback_scan) {
                log_error("%s: INI reader: %s", errback_scan->file, scan_trim(msg));
                errback_scan->errors++;
        }
        return 0;
}

static void freedictp(dictionary **d)
{
        if (*d)
                iniparser_freedict(*d);
}

static char *lowercase(char *s)
{
        for (char *p = s; *p; p++)
                *p = (char)tolower((unsigned char)*p);
        return s;
}

/* One key of a section: its value from iniparser through its setter; its line recorded. */
static void fill_key(struct fill *f, dictionary *d, const char *lsec, const struct scan_kv *kv)
{
        const struct box_key *k = box_key_find(f->section_type, kv->key);
        _cleanup_free_ char *ikey = lowercase(xasprintf("%s:%s", lsec, kv->key));
        const char *v = iniparser_getstring(d, ikey, NULL);
        f->key = k;
        f->line = kv->line;
        if (!v) {
                fill_error(f, "the INI reader lost this key");
                return;
        }
        char *base = f->item ? f->item : (char *)f->c;
        box_key_set(k, f, base + k->offset, v);
        /* An item's keys are found through the item's own line (box_origin). */
        if (!f->item)
                box_config_set_origin(f->c, k->field, kv->line);
}

static void fill_section(struct fill *f, dictionary *d, const struct scan_section *sec)
{
        _cleanup_free_ char *name =
                sec->label ? xasprintf("%s %s", sec->type, sec->label) : xstrdup(sec->type);
        _cleanup_free_ char *lsec = lowercase(xstrdup(sec->raw));
        f->section = name;
        f->section_type = sec->type;
        f->item = sec->label ? box_item_new(f->c, sec->type, sec->label, sec->line) : NULL;
        /* Type= first: what Options= accepts depends on the mount type, wherever Type= stands
         * in the section. */
        for (size_t j = 0; j < sec->n_kv; j++)
                if (strcaseeq(sec->kv[j].key, "Type"))
                        fill_key(f, d, lsec, &sec->kv[j]);
        for (size_t j = 0; j < sec->n_kv; j++)
                if (!strcaseeq(sec->kv[j].key, "Type"))
                        fill_key(f, d, lsec, &sec->kv[j]);
        f->section = NULL;
}

/* The file's name is the box's name unless Name= says otherwise. */
static int default_name(struct box_config *c, const char *name)
{
        const char *base = strrchr(name, '/');
        base = base ? base + 1 : name;
        size_t n = strlen(base);
        if (n > 4 && streq(base + n - 4, ".box"))
                n -= 4;
        _cleanup_free_ char *nm = xstrndup(base, n);
        if (!box_name_valid(nm)) {
                log_error("%s: the file name does not make a valid box name; set Name= in [Box]",
                          name);
                return -EINVAL;
        }
        c->name = TAKE_PTR(nm);
        return 0;
}

static int load_checked(const char *name, int fd, struct scan *s, struct box_config *c)
{
        _cleanup_(freedictp) dictionary *d = NULL;

        /* iniparser opens by path; /proc/self/fd/N reads exactly the file we checked. */
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        errback_scan = s;
        iniparser_set_error_callback(ini_errback);
        d = iniparser_load(path);
        errback_scan = NULL;
        if (!d || s->errors) {
                if (!s->errors)
                        log_error("%s: the INI reader could not load the file", name);
                return -EINVAL;
        }

        free(c->source_file);
        c->source_file = xstrdup(name);
        c->frontend = &box_file_frontend;
        /* A .box file's box has a network of its own unless Network= says otherwise: loopback
         * only, as cheap as the host's and without the host's abstract unix sockets (the
         * CVE-2020-15257 class); a machine gets a veth with NAT (validate.c). */
        c->net = BOX_NET_PRIVATE;
        struct fill f = {.c = c, .file = c->source_file};
        for (size_t i = 0; i < s->n_sec; i++)
                fill_section(&f, d, &s->sec[i]);
        if (f.errors || box_items_check(c))
                return -EINVAL;
        return c->name ? 0 : default_name(c, name);
}

static int load_fd(const char *name, int fd, const char *data, size_t len, struct box_config *c)
{
        struct scan s = {.file = name};
        scan_text(&s, data, len);
        if (s.errors == 0)
                box_keys_check(&s);
        int r = s.errors ? -EINVAL : load_checked(name, fd, &s, c);
        scan_free(&s);
        return r;
}

int box_file_load_buffer(const char *name, const char *data, size_t len, struct box_config *c)
{
        _cleanup_close_ int fd = memfd_create("box", MFD_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "memfd_create");
        int r = write_all(fd, data, len);
        if (r < 0)
                return log_error_errno(r, "write memfd");
        return load_fd(name, fd, data, len, c);
}

int box_file_load(const char *path, struct box_config *c)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(-errno, "%s: cannot open", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "%s: cannot stat", path);
        if (!S_ISREG(st.st_mode)) {
                log_error("%s: not a regular file", path);
                return -EINVAL;
        }
        if (st.st_size > BOX_FILE_MAX) {
                log_error("%s: file is larger than %d bytes", path, BOX_FILE_MAX);
                return -EFBIG;
        }
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = read_fd_all(fd, &data, &len, BOX_FILE_MAX);
        if (r < 0)
                return log_error_errno(r, "%s: cannot read", path);
        return load_fd(path, fd, data, len, c);
}
