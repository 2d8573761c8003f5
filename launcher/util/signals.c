/* signals.c - signal names and numbers, including the real-time range (SIGRTMIN+n). */
#include "util/signals.h"

#include <signal.h>
#include <strings.h>

static const struct {
        char name[8]; /* an array: the table needs no relocation at start */
        int sig;
} names[] = {
        {"HUP", SIGHUP},
        {"INT", SIGINT},
        {"QUIT", SIGQUIT},
        {"ILL", SIGILL},
        {"TRAP", SIGTRAP},
        {"ABRT", SIGABRT},
        {"BUS", SIGBUS},
        {"FPE", SIGFPE},
        {"KILL", SIGKILL},
        {"USR1", SIGUSR1},
        {"SEGV", SIGSEGV},
        {"USR2", SIGUSR2},
        {"PIPE", SIGPIPE},
        {"ALRM", SIGALRM},
        {"TERM", SIGTERM},
        {"STKFLT", SIGSTKFLT},
        {"CHLD", SIGCHLD},
        {"CONT", SIGCONT},
        {"STOP", SIGSTOP},
        {"TSTP", SIGTSTP},
        {"TTIN", SIGTTIN},
        {"TTOU", SIGTTOU},
        {"URG", SIGURG},
        {"XCPU", SIGXCPU},
        {"XFSZ", SIGXFSZ},
        {"VTALRM", SIGVTALRM},
        {"PROF", SIGPROF},
        {"WINCH", SIGWINCH},
        {"IO", SIGIO},
        {"PWR", SIGPWR},
        {"SYS", SIGSYS},
        /* Aliases: parsed, never printed (the canonical name comes first). */
        {"IOT", SIGABRT},
        {"CLD", SIGCHLD},
        {"POLL", SIGIO},
};

/* Decimal without sign or leading zeros beyond "0"; -1 on anything else. */
static int parse_small(const char *s)
{
        int v = 0;
        if (!*s || (s[0] == '0' && s[1]))
                return -1;
        for (; *s; s++) {
                if (*s < '0' || *s > '9' || v > 1000)
                        return -1;
                v = v * 10 + (*s - '0');
        }
        return v;
}

int signal_from_string(const char *s)
{
        if (!s)
                return -EINVAL;

        int n = parse_small(s);
        if (n >= 0)
                return n >= 1 && n <= SIGRTMAX ? n : -EINVAL;

        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (strcaseeq(s, names[i].name))
                        return names[i].sig;

        /* SIGRTMIN is a libc function (glibc keeps the first ones for itself): never hard-code. */
        int base, dir;
        if (strncasecmp(s, "RTMIN", 5) == 0) {
                base = SIGRTMIN;
                dir = 1;
        } else if (strncasecmp(s, "RTMAX", 5) == 0) {
                base = SIGRTMAX;
                dir = -1;
        } else {
                return -EINVAL;
        }
        s += 5;
        if (!*s)
                return base;
        if (*s != (dir > 0 ? '+' : '-'))
                return -EINVAL;
        n = parse_small(s + 1);
        if (n < 0 || n > SIGRTMAX - SIGRTMIN)
                return -EINVAL;
        return base + dir * n;
}

const char *signal_to_string(int sig, char buf[static 16])
{
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (names[i].sig == sig) {
                        snprintf(buf, 16, "SIG%s", names[i].name);
                        return buf;
                }
        if (sig == SIGRTMAX)
                snprintf(buf, 16, "SIGRTMAX");
        else if (sig == SIGRTMIN)
                snprintf(buf, 16, "SIGRTMIN");
        else if (sig > SIGRTMIN && sig < SIGRTMAX)
                snprintf(buf, 16, "SIGRTMIN+%d", sig - SIGRTMIN);
        else
                snprintf(buf, 16, "%d", sig);
        return buf;
}
