/*
 * syncgate-launcher: started by syncgate's exec module (src/exec/launcher.ts) before a render
 * tool is needed, it becomes that tool. Node's spawn() forks the whole server (copying its page
 * tables) and blocks the event loop until the child has exec'd: 2-3 ms of every tool run of a
 * long-lived sidecar. This process is forked while the server is idle, so starting the tool
 * costs the request one write to a socket.
 *
 * It waits on fd 3 (a socket from its parent) for one request, read to EOF: NUL-terminated
 * fields "syncgate-launcher/1", cwd, file, argc, argv[0..argc), then the env entries (KEY=VALUE).
 * It starts a new session (the tool's own process group, as spawn()'s `detached` gives it; done
 * here rather than when the launcher starts: a session created while idle made the tool run
 * slower), changes to cwd and execs file with exactly that argv and env: no shell, no PATH
 * search (the parent sends absolute paths), nothing interpreted.
 *
 * fd 3 is close-on-exec: the tool never inherits it, and a successful exec closes it, which tells
 * the parent the tool started. When setsid, chdir or exec fails, the errno goes to fd 3 (decimal)
 * and the launcher exits 127. EOF without a request (the parent went away) ends it quietly.
 *
 * C, single-threaded, on purpose: a Go launcher (4 runtime threads the kernel must stop at exec)
 * made the tool it became run ~2 ms slower (bench numbers in the commit that added this file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROTOCOL "syncgate-launcher/1"
#define CTL 3
#define MAX_REQUEST (16u << 20) /* far above the kernel's limit for argv + env */

static void fail(int err) {
  char msg[16];
  int n = snprintf(msg, sizeof msg, "%d", err);
  if (n > 0) (void)!write(CTL, msg, (size_t)n);
  _exit(127);
}

static char *read_request(size_t *len) {
  size_t cap = 64u << 10;
  char *buf = malloc(cap);
  if (buf == NULL) fail(ENOMEM);
  *len = 0;
  for (;;) {
    if (*len == cap) {
      if (cap >= MAX_REQUEST) fail(E2BIG);
      cap *= 2;
      char *grown = realloc(buf, cap);
      if (grown == NULL) fail(ENOMEM);
      buf = grown;
    }
    ssize_t n = read(CTL, buf + *len, cap - *len);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(errno);
    }
    if (n == 0) return buf;
    *len += (size_t)n;
  }
}

int main(void) {
  if (fcntl(CTL, F_SETFD, FD_CLOEXEC) != 0) _exit(127); /* no parent socket: nothing to report to */
  size_t len;
  char *req = read_request(&len);
  if (len == 0) _exit(0);
  if (req[len - 1] != '\0') fail(EPROTO);

  size_t count = 0;
  for (size_t i = 0; i < len; i++) count += req[i] == '\0';
  char **field = calloc(count + 1, sizeof *field);
  if (field == NULL) fail(ENOMEM);
  for (size_t i = 0, k = 0; i < len; i++) {
    if (i == 0 || req[i - 1] == '\0') field[k++] = req + i;
  }
  if (count < 5 || strcmp(field[0], PROTOCOL) != 0) fail(EPROTO);

  char *end;
  errno = 0;
  unsigned long argc = strtoul(field[3], &end, 10);
  if (errno != 0 || *field[3] == '\0' || *end != '\0' || argc < 1 || argc > count - 4) fail(EPROTO);
  char **argv = calloc(argc + 1, sizeof *argv);
  char **envp = calloc(count - 4 - argc + 1, sizeof *envp);
  if (argv == NULL || envp == NULL) fail(ENOMEM);
  memcpy(argv, field + 4, argc * sizeof *argv);
  memcpy(envp, field + 4 + argc, (count - 4 - argc) * sizeof *envp);

  if (setsid() < 0) fail(errno);
  if (chdir(field[1]) != 0) fail(errno);
  execve(field[2], argv, envp);
  fail(errno);
}
