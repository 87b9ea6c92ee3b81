// SPDX-License-Identifier: GPL-2.0
/*
 * Run a command on a new pseudo-terminal, as if a person sat at it: wait
 * until its output shows TEXT, check that it switched the terminal to
 * single keys (no ICANON, no ECHO), type KEY, and wait for it to end. A
 * tool that takes keys must end on them and leave the terminal as it
 * found it.
 *
 * usage: pty_keys TEXT KEY COMMAND [ARG...]
 *
 * Prints one "name: value" line per fact (raw_mode, exit_status,
 * restored) and exits 0 when the command ended by itself with status 0,
 * had switched to single keys and put the terminal back; 1 otherwise.
 * An alarm ends a command that never shows TEXT or never ends, so that
 * a broken tool fails the test instead of hanging it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define PTY_KEYS_LIMIT_S	30

static pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(child, SIGKILL);
}

/* The pty's modes as the command left them: the master reports them. */
static bool single_keys(int master)
{
	struct termios t;

	if (tcgetattr(master, &t))
		return false;
	return !(t.c_lflag & (ICANON | ECHO));
}

static pid_t spawn(const char *slave_name, char **argv)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	setsid();
	fd = open(slave_name, O_RDWR);	/* the controlling terminal */
	if (fd < 0)
		_exit(127);
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	execvp(argv[0], argv);
	_exit(127);
}

int main(int argc, char **argv)
{
	char buf[4096], seen[8192] = "";
	bool raw = false, shown = false, restored;
	struct pollfd pfd;
	size_t len = 0;
	int master, status = -1;
	ssize_t n;

	if (argc < 4) {
		fprintf(stderr, "usage: %s TEXT KEY COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		perror("posix_openpt");
		return 2;
	}
	signal(SIGALRM, on_alarm);
	alarm(PTY_KEYS_LIMIT_S);
	child = spawn(ptsname(master), argv + 3);
	if (child < 0) {
		perror("fork");
		return 2;
	}

	/* Read until TEXT shows, then type KEY; drain until the end. */
	pfd.fd = master;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n = read(master, buf, sizeof(buf) - 1);
		if (n <= 0)
			break;	/* EIO: the last process closed the slave */
		if (shown)
			continue;
		buf[n] = '\0';
		if (len + n >= sizeof(seen))
			len = 0;	/* keep the tail; TEXT is short */
		memcpy(seen + len, buf, n + 1);
		len += n;
		if (!strstr(seen, argv[1]))
			continue;
		shown = true;
		raw = single_keys(master);
		if (write(master, argv[2], strlen(argv[2])) < 0)
			break;
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	alarm(0);
	restored = !single_keys(master);
	printf("text_shown: %d\n", shown);
	printf("raw_mode: %d\n", raw);
	if (WIFEXITED(status))
		printf("exit_status: %d\n", WEXITSTATUS(status));
	else
		printf("exit_status: killed by signal %d\n",
		       WIFSIGNALED(status) ? WTERMSIG(status) : -1);
	printf("restored: %d\n", restored);
	return shown && raw && restored && WIFEXITED(status) &&
	       !WEXITSTATUS(status) ? 0 : 1;
}
