/* main.c - boxlaunch's entry point: the global options and the dispatch to a verb of the table
 * (cli/verbs.h). A verb acting on running boxes parses its own arguments; without a verb, or
 * with run or check, the global options apply and the BOX argument follows. */
#include "cli/verbs.h"

#include "cli/runc/runc.h"
#include "core/exitcodes.h"
#include "launch/launch.h"
#include "supervisor/stubsup.h"
#include "util/image.h"
#include "util/log.h"

#include <getopt.h>

#ifndef BOXLAUNCH_VERSION
#define BOXLAUNCH_VERSION "unknown"
#endif

static void usage(FILE *f)
{
        fputs("Usage: boxlaunch [OPTIONS] BOX [-- COMMAND [ARG...]]\n"
              "       boxlaunch run [OPTIONS] BOX [-- COMMAND [ARG...]]\n"
              "       boxlaunch check [--show|--oci] BOX\n"
              "       boxlaunch ",
              f);
        size_t n;
        const struct verb *v = verb_table(&n);
        const char *sep = "";
        for (size_t i = 0; i < n; i++)
                if (!(v[i].flags & VERB_RUN)) {
                        fprintf(f, "%s%s", sep, v[i].name);
                        sep = "|";
                }
        fputs(" ...\n"
              "                 (see boxlaunch VERB --help)\n"
              "\n"
              "BOX is a path to a .box file, or a NAME looked up as NAME.box in\n"
              "/etc/boxlaunch, /run/boxlaunch.d, /usr/local/lib/boxlaunch, /usr/lib/boxlaunch,\n"
              "or an OCI bundle: a directory with a config.json.\n"
              "\n"
              "Options:\n"
              "  -n, --name=NAME        run under this name instead of the file's\n"
              "      --console=MODE     interactive, read-only, pipe or autopipe\n"
              "  -d, --detach           return once the box runs; it keeps running in the\n"
              "                         background (manage it with list, stop, exec...)\n"
              "      --show             (check) print the resolved configuration\n"
              "      --oci              (check) print it as an OCI bundle's config.json\n"
              "  -v, --verbose          log debug messages\n"
              "  -q, --quiet            log errors only\n"
              "  -h, --help             show this help\n"
              "      --version          show the version\n"
              "\n"
              "Exit status: the command's own status; 128+N if it was killed by signal N;\n"
              "125 if boxlaunch failed; 126 if the command could not be executed; 127 if it\n"
              "was not found. See boxlaunch(1) and boxlaunch.box(5).\n",
              f);
}

int main(int argc, char **argv)
{
        image_prefault_main(); /* first: every page of code it maps is a fault less */
        enum { OPT_VERSION = 256, OPT_CONSOLE, OPT_SHOW, OPT_OCI };
        static const struct option opts[] = {
                {"name", required_argument, NULL, 'n'},
                {"console", required_argument, NULL, OPT_CONSOLE},
                {"detach", no_argument, NULL, 'd'},
                {"show", no_argument, NULL, OPT_SHOW},
                {"oci", no_argument, NULL, OPT_OCI},
                {"verbose", no_argument, NULL, 'v'},
                {"quiet", no_argument, NULL, 'q'},
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, OPT_VERSION},
                {0},
        };
        /* The OCI runtime: by name (boxlaunch-runc, a link), or `boxlaunch runc ...`. */
        const char *base = strrchr(argv[0], '/');
        if (streq(base ? base + 1 : argv[0], RUNC_NAME))
                return runc_main(argc, argv);
        if (argc > 1 && streq(argv[1], "runc"))
                return runc_main(argc - 1, argv + 1);
        /* Internal: the slim supervisor's clean-up (launch/slim.c), not a verb of the table. */
        if (argc > 1 && streq(argv[1], STUBSUP_FINISH_VERB))
                return launch_finish(argc, argv);

        struct run_opts o = {0};
        const struct verb *v = argc > 1 ? verb_find(argv[1]) : NULL;

        /* Verbs acting on running boxes parse their own arguments. */
        if (v && !(v->flags & VERB_RUN))
                return verb_call(v, argc - 1, argv + 1);

        /* Split off "-- COMMAND..." first so getopt never sees the command's options. */
        for (int i = 1; i < argc; i++)
                if (streq(argv[i], "--")) {
                        o.cmd = argv + i + 1;
                        argv[i] = NULL;
                        argc = i;
                        break;
                }
        if (v) {
                argv++;
                argc--;
        } else
                v = verb_find("run");
        int ch;
        while ((ch = getopt_long(argc, argv, "+n:dvqh", opts, NULL)) >= 0) {
                switch (ch) {
                case 'n':
                        if (!box_name_valid(optarg)) {
                                log_error("--name=%s: use letters, digits, '_', '-', '.'", optarg);
                                return EXIT_SETUP_FAILED;
                        }
                        o.name = optarg;
                        break;
                case OPT_CONSOLE:
                        o.console = optarg;
                        break;
                case 'd':
                        o.detach = true;
                        break;
                case OPT_SHOW:
                        o.show = true;
                        break;
                case OPT_OCI:
                        o.oci = true;
                        break;
                case 'v':
                        log_set_level(LOG_LVL_DEBUG);
                        break;
                case 'q':
                        log_set_level(LOG_LVL_ERROR);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case OPT_VERSION:
                        printf("boxlaunch %s\n", BOXLAUNCH_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return EXIT_SETUP_FAILED;
                }
        }
        return v->fn(&(struct verb_call){
                .argc = argc - optind, .argv = argv + optind, .box = {.pidfd = -1}, .run = &o});
}
