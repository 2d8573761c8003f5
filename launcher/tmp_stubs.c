#include "tmp_stubs.h"
int signal_from_string(const char *s)
{
        if (strcasecmp(s, "SIGTERM") == 0 || strcmp(s, "15") == 0)
                return SIGTERM;
        if (strcasecmp(s, "SIGINT") == 0)
                return SIGINT;
        return -EINVAL;
}
