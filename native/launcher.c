/*
 * skybatch-launcher: starts and reaps the local executor's job processes on behalf of the
 * server.
 *
 * Why a separate C process: Node's child_process.spawn forks the whole server (page tables of
 * a few hundred MB), about 6 ms of the server's main thread per job, which capped short jobs at
 * ~150/s on two cores. This process is tiny, so its fork is cheap, and the job's own child
 * does the file-system work (directories, log, exit file) before exec, in parallel with the
 * other jobs: a start costs the server one pipe write and this process one fork.
 *
 * Why it outlives the server: it is the parent of the jobs, so it is the one that learns their
 * exit codes. It appends each one to its exit journal (argv[1]: one file per launcher, one line
 * "<id> <code>[ not-found]" per ended job, a single O_APPEND write), whether or not the server
 * is still there; when the server dies (stdin closes) it keeps reaping the jobs it started and
 * exits when none is left. The next server finds those attempts by pid and journal
 * (src/batch/executors/local-exit-journal.ts). One append per job instead of an exit file per
 * attempt: creating a file costs 100-250 us of metadata journaling on ext4, a write does not.
 *
 * Chaining: a start may name a job it comes `after`; it then starts the moment that one is
 * reaped, here, without a round trip through the server (whose main thread may be busy
 * writing to its database). The server hands the first job's capacity on to the second.
 * This is what lets a stream of short jobs keep every slot busy, as xargs -P does.
 *
 * Protocol (stdin): frames of "<length>\n" + <length> bytes holding NUL-terminated fields:
 *   "start", id, after (an id, or empty), workDir, logFile, argc, argv..., envc, env...
 *                                 (env: NAME=value of the job, on top of the launcher's own)
 *   "cancel", id                  drop a start still waiting for the job it comes after
 * Replies (stdout), one line each:
 *   "S <id> <pid>"                the job started (its own session: pgid = pid)
 *   "F <id> <message>"            could not start (the message is the reason); may follow S
 *   "X <id> <pid> <code> <sig> [not-found]"
 *                                 the job ended; sig is the signal number, 0 when it exited;
 *                                 not-found: argv[0] was not found ("127 not-found" is recorded);
 *                                 what it left running in its group was killed (SIGKILL)
 *   "C <id>"                      cancelled before it started
 *   "c <id>"                      not cancelled: it was no longer waiting (it started, or ended)
 * Every start gets exactly one of: S then X, S then F, F, or C.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

struct child {
  pid_t pid;
  char *id;
  /* Read end of a close-on-exec pipe: empty when the job's exec succeeded, else why not. */
  int report;
};

/* A start waiting for the job `after` (a child, or itself a waiting start) to end. */
struct waiting {
  char *id;
  char *after;
  char *frame;
  size_t len;
};

static struct waiting *waiting;
static size_t n_waiting, cap_waiting;

static void handle_frame(char *frame, size_t len);

static struct child *children;
static size_t n_children, cap_children;
static int stdout_open = 1;

static void die(const char *what) {
  fprintf(stderr, "skybatch-launcher: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n);
  if (q == NULL) die("out of memory");
  return q;
}

/* Replies are single write(2)s, under PIPE_BUF, so they never interleave or tear. */
static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
  if (!stdout_open) return;
  char line[PIPE_BUF];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  ssize_t done = 0;
  while (done < n) {
    ssize_t w = write(STDOUT_FILENO, line + done, (size_t)(n - done));
    if (w < 0 && errno == EINTR) continue;
    /* The server is gone: keep reaping and recording exits, stop talking. */
    if (w < 0) { stdout_open = 0; return; }
    done += w;
  }
}

/* mkdir -p of the directory part of path (the path itself when dir_only is 0). */
static int make_dirs(const char *path, int parent_only) {
  char buf[PATH_MAX];
  size_t len = strlen(path);
  if (len >= sizeof buf) { errno = ENAMETOOLONG; return -1; }
  memcpy(buf, path, len + 1);
  if (parent_only) {
    char *slash = strrchr(buf, '/');
    if (slash == NULL || slash == buf) return 0;
    *slash = '\0';
  }
  /* Usually only the last part is missing: one call, not one per part of the path. */
  if (mkdir(buf, 0755) == 0 || errno == EEXIST) return 0;
  if (errno != ENOENT) return -1;
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
  return 0;
}

static int journal_fd = -1;
/* The jobs' stdin, opened once (close-on-exec: each job gets it by dup2, which clears that). */
static int null_fd = -1;

/* One write(2) per line on an O_APPEND file: lines of other launchers or a torn tail never mix
   into it; readers take complete lines only. */
static void journal_exit(const char *id, int code, int not_found) {
  char line[PIPE_BUF];
  int n = snprintf(line, sizeof line, "%s %d%s\n", id, code, not_found ? " not-found" : "");
  if (n <= 0 || n >= (int)sizeof line) return;
  while (write(journal_fd, line, (size_t)n) < 0 && errno == EINTR) {}
}

/* PATH lookup in the job's environment, not ours: the job may set its own PATH. */
static int resolve_program(const char *name, char *const envp[], char *out, size_t out_size) {
  if (strchr(name, '/') != NULL) {
    if (strlen(name) >= out_size) return -1;
    strcpy(out, name);
    return access(out, X_OK) == 0 ? 0 : -1;
  }
  const char *path = "/usr/local/bin:/usr/bin:/bin";
  for (size_t i = 0; envp[i] != NULL; i++)
    if (strncmp(envp[i], "PATH=", 5) == 0) path = envp[i] + 5;
  while (*path) {
    const char *end = strchr(path, ':');
    size_t dir_len = end ? (size_t)(end - path) : strlen(path);
    const char *dir = dir_len == 0 ? "." : path;
    if (dir_len == 0) dir_len = 1;
    if (dir_len + 1 + strlen(name) < out_size) {
      memcpy(out, dir, dir_len);
      out[dir_len] = '/';
      strcpy(out + dir_len + 1, name);
      struct stat st;
      if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0) return 0;
    }
    if (!end) break;
    path = end + 1;
  }
  return -1;
}

/* A job that has not ended yet: running, or waiting to start. */
static int is_known(const char *id) {
  for (size_t i = 0; i < n_children; i++)
    if (strcmp(children[i].id, id) == 0) return 1;
  for (size_t i = 0; i < n_waiting; i++)
    if (strcmp(waiting[i].id, id) == 0) return 1;
  return 0;
}

static void free_waiting(size_t i) {
  free(waiting[i].id);
  free(waiting[i].after);
  free(waiting[i].frame);
  /* Order matters: starts behind the same job keep the order they were asked in. */
  memmove(&waiting[i], &waiting[i + 1], (n_waiting - i - 1) * sizeof *waiting);
  n_waiting--;
}

/* Starts what waited for `id`, which just ended. */
static void start_waiting_for(const char *id) {
  for (size_t i = 0; i < n_waiting; i++) {
    if (strcmp(waiting[i].after, id) != 0) continue;
    struct waiting next = waiting[i];
    memmove(&waiting[i], &waiting[i + 1], (n_waiting - i - 1) * sizeof *waiting);
    n_waiting--;
    /* `after` is no longer known, so the frame starts at once. */
    handle_frame(next.frame, next.len);
    free(next.id);
    free(next.after);
    free(next.frame);
    return;
  }
}

/* Tells the launcher, through the report pipe, why the job could not start, then exits.
   `kind` is 'F' (could not start) or 'N' (the program was not found). */
_Noreturn static void child_fail(int report, char kind, const char *what, const char *path, int err, int code) {
  char line[PATH_MAX + 256];
  int n = err ? snprintf(line, sizeof line, "%c%s %s: %s", kind, what, path, strerror(err)) : snprintf(line, sizeof line, "%c%s", kind, what);
  if (n > 0) {
    ssize_t ignored = write(report, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    (void)ignored;
  }
  _exit(code);
}

/*
 * In the forked child: everything that touches the file system happens here, in parallel with
 * the other jobs, not in the launcher's one thread (creating a directory or a file costs
 * hundreds of microseconds on some disks, more than the fork itself).
 */
_Noreturn static void child_exec(int report, char **argv, size_t argc, char **env, size_t envc, const char *work_dir, const char *log_file) {
  /* Its own session, so a timeout or terminate can kill the whole tree by its group; our blocked
     and ignored signals must not leak into the job. */
  setsid();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGINT, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  if (make_dirs(work_dir, 0) < 0) child_fail(report, 'F', "mkdir", work_dir, errno, 126);
  int log_fd = open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0 && errno == ENOENT && make_dirs(log_file, 1) == 0) log_fd = open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (log_fd < 0) child_fail(report, 'F', "open", log_file, errno, 126);
  if (chdir(work_dir) < 0) child_fail(report, 'F', "chdir", work_dir, errno, 126);
  char **args = malloc((argc + 1) * sizeof *args);
  size_t n_base = 0;
  while (environ[n_base] != NULL) n_base++;
  char **envp = malloc((n_base + envc + 1) * sizeof *envp);
  if (args == NULL || envp == NULL) child_fail(report, 'F', "malloc", "arguments", ENOMEM, 126);
  memcpy(args, argv, argc * sizeof *args);
  args[argc] = NULL;
  /* The job's variables on top of ours (the server gave us its environment once, at spawn, so
     each start request carries only what is the job's own). */
  size_t n_env = 0;
  for (size_t i = 0; i < n_base; i++) {
    const char *eq = strchr(environ[i], '=');
    size_t name_len = eq ? (size_t)(eq - environ[i]) + 1 : strlen(environ[i]);
    int overridden = 0;
    for (size_t j = 0; j < envc && !overridden; j++) overridden = strncmp(env[j], environ[i], name_len) == 0;
    if (!overridden) envp[n_env++] = environ[i];
  }
  memcpy(envp + n_env, env, envc * sizeof *envp);
  envp[n_env + envc] = NULL;
  char program[PATH_MAX];
  if (resolve_program(argv[0], envp, program, sizeof program) < 0) {
    char line[PATH_MAX + 64];
    snprintf(line, sizeof line, "skybatch: %s: executable file not found\n", argv[0]);
    ssize_t ignored = write(log_fd, line, strlen(line));
    (void)ignored;
    child_fail(report, 'N', "not found", "", 0, 127);
  }
  if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
  dup2(log_fd, STDOUT_FILENO);
  dup2(log_fd, STDERR_FILENO);
  execve(program, args, envp);
  child_fail(report, 'F', "exec", program, errno, 126);
}

static void start_job(char **fields, size_t n_fields, const char *frame, size_t frame_len) {
  if (n_fields < 6) { reply("F ? malformed request"); return; }
  const char *id = fields[0], *after = fields[1], *work_dir = fields[2], *log_file = fields[3];
  size_t argc = strtoul(fields[4], NULL, 10);
  if (argc == 0 || 5 + argc >= n_fields) { reply("F %s malformed request", id); return; }
  char **argv = &fields[5];
  size_t envc = strtoul(fields[5 + argc], NULL, 10);
  if (6 + argc + envc != n_fields) { reply("F %s malformed request", id); return; }
  char **env = &fields[6 + argc];
  if (after[0] != '\0' && is_known(after)) {
    if (n_waiting == cap_waiting) {
      cap_waiting = cap_waiting ? cap_waiting * 2 : 64;
      waiting = xrealloc(waiting, cap_waiting * sizeof *waiting);
    }
    char *copy = xrealloc(NULL, frame_len);
    memcpy(copy, frame, frame_len);
    waiting[n_waiting++] = (struct waiting){strdup(id), strdup(after), copy, frame_len};
    return;
  }
  /* No `after`, or it ended before this request arrived: start now. */
  int report[2];
  if (pipe2(report, O_CLOEXEC) < 0) { reply("F %s pipe: %s", id, strerror(errno)); return; }
  pid_t pid = fork();
  if (pid < 0) {
    reply("F %s fork: %s", id, strerror(errno));
    close(report[0]);
    close(report[1]);
    return;
  }
  if (pid == 0) {
    close(report[0]);
    child_exec(report[1], argv, argc, env, envc, work_dir, log_file);
  }
  close(report[1]);
  fcntl(report[0], F_SETFL, O_NONBLOCK);
  if (n_children == cap_children) {
    cap_children = cap_children ? cap_children * 2 : 64;
    children = xrealloc(children, cap_children * sizeof *children);
  }
  children[n_children++] = (struct child){pid, strdup(id), report[0]};
  reply("S %s %d", id, (int)pid);
}

static void reap(void) {
  for (;;) {
    /* Look before reaping: while the job's leader is an unreaped zombie its pid, and so its
       group id, cannot be reused. Like a container, a job ends with its main process: what
       it left running in the background is killed here, by the group id that is still its. */
    siginfo_t info;
    info.si_pid = 0;
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0) return;
    kill(-info.si_pid, SIGKILL);
    int status;
    pid_t pid = waitpid(info.si_pid, &status, 0);
    if (pid <= 0) return;
    for (size_t i = 0; i < n_children; i++) {
      if (children[i].pid != pid) continue;
      /* As a shell and Docker report it: 128+N for a job killed by signal N. */
      int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      int code = sig ? 128 + sig : WEXITSTATUS(status);
      char why[PATH_MAX + 256];
      ssize_t got = read(children[i].report, why, sizeof why - 1);
      close(children[i].report);
      if (got > 0 && why[0] == 'N') {
        journal_exit(children[i].id, 127, 1);
        reply("X %s %d %d %d not-found", children[i].id, (int)pid, code, sig);
      } else if (got > 0) {
        why[got] = '\0';
        reply("F %s %s", children[i].id, why + 1);
      } else {
        journal_exit(children[i].id, code, 0);
        reply("X %s %d %d %d", children[i].id, (int)pid, code, sig);
      }
      struct child ended = children[i];
      children[i] = children[--n_children];
      start_waiting_for(ended.id);
      free(ended.id);
      break;
    }
  }
}

static void cancel_job(const char *id) {
  for (size_t i = 0; i < n_waiting; i++) {
    if (strcmp(waiting[i].id, id) != 0) continue;
    /* What waited behind it now waits for what it waited for. */
    for (size_t j = 0; j < n_waiting; j++) {
      if (strcmp(waiting[j].after, id) != 0) continue;
      free(waiting[j].after);
      waiting[j].after = strdup(waiting[i].after);
    }
    free_waiting(i);
    reply("C %s", id);
    return;
  }
  reply("c %s", id);
}

/* Finds a frame's NUL-terminated fields (the bytes are left as they are) and runs it. */
static void handle_frame(char *frame, size_t len) {
  size_t n_fields = 0, cap_fields = 64;
  char **fields = xrealloc(NULL, cap_fields * sizeof *fields);
  for (size_t p = 0; p < len;) {
    char *end = memchr(frame + p, '\0', len - p);
    if (end == NULL) break;
    if (n_fields == cap_fields) fields = xrealloc(fields, (cap_fields *= 2) * sizeof *fields);
    fields[n_fields++] = frame + p;
    p = (size_t)(end - frame) + 1;
  }
  /* start_job may keep a copy of the frame: give it the bytes before they are split up. */
  if (n_fields >= 1 && strcmp(fields[0], "start") == 0) start_job(fields + 1, n_fields - 1, frame, len);
  else if (n_fields == 2 && strcmp(fields[0], "cancel") == 0) cancel_job(fields[1]);
  else reply("F ? malformed request");
  free(fields);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: skybatch-launcher EXIT-JOURNAL\n");
    return 2;
  }
  null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  journal_fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (journal_fd < 0) die(argv[1]);
  signal(SIGPIPE, SIG_IGN);
  /* The server's terminal may send SIGINT/SIGHUP to its group; jobs must outlive that. */
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0) die("sigprocmask");
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) die("signalfd");
  fcntl(STDIN_FILENO, F_SETFD, FD_CLOEXEC);
  fcntl(STDOUT_FILENO, F_SETFD, FD_CLOEXEC);

  size_t cap = 1 << 16, len = 0;
  char *buf = xrealloc(NULL, cap);
  int input_open = 1;
  while (input_open || n_children > 0) {
    struct pollfd fds[2] = {{sfd, POLLIN, 0}, {input_open ? STDIN_FILENO : -1, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (fds[0].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (read(sfd, &info, sizeof info) == sizeof info) {}
      reap();
    }
    if (input_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (cap - len < 4096) buf = xrealloc(buf, cap *= 2);
      ssize_t r = read(STDIN_FILENO, buf + len, cap - len);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        /* The server is gone. Starts still waiting are dropped, never run: the next server finds
           those jobs neither running nor ended and runs them itself. */
        input_open = 0;
        while (n_waiting > 0) free_waiting(n_waiting - 1);
        continue;
      }
      len += (size_t)r;
      size_t at = 0;
      for (;;) {
        char *nl = memchr(buf + at, '\n', len - at);
        if (nl == NULL) break;
        size_t frame = strtoul(buf + at, NULL, 10);
        size_t body = (size_t)(nl - buf) + 1;
        if (len - body < frame) {
          if (body + frame > cap) buf = xrealloc(buf, cap = body + frame + 4096);
          break;
        }
        handle_frame(buf + body, frame);
        at = body + frame;
      }
      memmove(buf, buf + at, len - at);
      len -= at;
    }
  }
  return 0;
}
