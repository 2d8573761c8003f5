/* ptyrun.c - run COMMAND with a new pty as its controlling terminal and stdio, for the exec -t
 * rows of tests/bench/exec.sh: what script(1) does, without its shell and log (script -c
 * costs 20+ ms here, which would drown the differences). Drains the master until the command
 * exits; exits with its status.   usage: ptyrun COMMAND [ARG...] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ptyrun COMMAND [ARG...]\n");
		return 2;
	}
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
		perror("ptyrun: posix_openpt");
		return 125;
	}
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	ioctl(m, TIOCSWINSZ, &ws);
	pid_t pid = fork();
	if (pid < 0) {
		perror("ptyrun: fork");
		return 125;
	}
	if (pid == 0) {
		setsid();
		int s = open(ptsname(m), O_RDWR);
		if (s < 0 || ioctl(s, TIOCSCTTY, 0) < 0) {
			perror("ptyrun: slave");
			_exit(125);
		}
		dup2(s, 0), dup2(s, 1), dup2(s, 2);
		if (s > 2)
			close(s);
		execvp(argv[1], argv + 1);
		perror("ptyrun: execvp");
		_exit(127);
	}
	char buf[4096];
	int st, pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd p[2] = {{.fd = m, .events = POLLIN}, {.fd = pfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0)
			continue;
		if ((p[0].revents & POLLIN) && read(m, buf, sizeof(buf)) <= 0)
			p[0].fd = -1;
		if (p[1].revents & POLLIN)
			break;
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
