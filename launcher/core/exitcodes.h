/* exitcodes.h - the exit codes of boxlaunch itself (boxlaunch(1), EXIT STATUS), beside the
 * payload's own: a payload that exits N gives N, one killed by signal S gives 128+S. */
#pragma once

enum {
        EXIT_SETUP_FAILED = 125, /* bad config, or boxlaunch failed to set the box up */
        EXIT_CANNOT_EXEC = 126,  /* the command exists but could not be executed */
        EXIT_NOT_FOUND = 127,    /* the command was not found */
        EXIT_BOX_REBOOT = 133,   /* the machine rebooted (for RestartForceExitStatus=133) */
};
