/* oci_stub.c - TEMPORARY (see oci_api.h). */
#include "cli/runc/oci_api.h"

#include "frontend/box/box.h"
#include "util/log.h"

__attribute__((weak)) int oci_bundle_load(const char *bundle_dir, struct box_config *c)
{
        _cleanup_free_ char *path = xasprintf("%s/config.box", bundle_dir);
        int r = box_file_load(path, c);
        if (r < 0)
                return r;
        c->console = BOX_CONSOLE_PIPE;
        return box_config_validate(c);
}
