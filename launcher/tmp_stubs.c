#include "tmp_stubs.h"
int caps_parse(const char *text, uint64_t *ret, char **bad)
{
        *ret = 0;
        return 0;
}
int seccomp_check_names(char *const *names, char **bad)
{
        return 0;
}
int signal_from_string(const char *s)
{
        if (strcasecmp(s, "SIGTERM") == 0 || strcmp(s, "15") == 0)
                return SIGTERM;
        if (strcasecmp(s, "SIGINT") == 0)
                return SIGINT;
        return -EINVAL;
}
