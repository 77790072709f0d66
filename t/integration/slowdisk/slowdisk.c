/* slowdisk: an LD_PRELOAD shim that makes a disk stall on demand, for the
 * tests (t/integration/test_slow_disk.py).
 *
 * While the file $SLOWDISK_FLAG exists, every open, write, pwrite, rename,
 * unlink and mkdir of a path under $SLOWDISK_DIR waits until the flag is
 * removed (60 s at most), as a stalled SD card or NFS mount would make it
 * wait. Each call that waited appends one line to $SLOWDISK_FLAG.log, so a
 * test knows the stall really happened. Other files (the log, sockets,
 * eventfds) are never held.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static int under_dir(const char* path) {
  const char* dir = getenv("SLOWDISK_DIR");
  if (dir == NULL || *dir == '\0' || path == NULL) return 0;
  return strncmp(path, dir, strlen(dir)) == 0;
}

static int fd_under_dir(int fd) {
  char link[64], path[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return 0;
  path[n] = '\0';
  return under_dir(path);
}

static void note(const char* call, const char* what) {
  char log[PATH_MAX], line[PATH_MAX + 64];
  snprintf(log, sizeof log, "%s.log", getenv("SLOWDISK_FLAG"));
  int fd = REAL(open)(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  int n = snprintf(line, sizeof line, "%s %s\n", call, what);
  ssize_t unused = REAL(write)(fd, line, (size_t)n);
  (void)unused;
  close(fd);
}

/* Waits while the flag exists; `what` names the file for the note. */
static void stall(const char* call, const char* what) {
  const char* flag = getenv("SLOWDISK_FLAG");
  if (flag == NULL || access(flag, F_OK) != 0) return;
  note(call, what);
  struct timespec ten_ms = {0, 10 * 1000 * 1000};
  for (int i = 0; i < 6000 && access(flag, F_OK) == 0; i++) nanosleep(&ten_ms, NULL);
}

static void stall_fd(const char* call, int fd) {
  if (fd_under_dir(fd)) stall(call, "(fd)");
}

static void stall_path(const char* call, const char* path) {
  if (under_dir(path)) stall(call, path);
}

int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
  va_end(ap);
  stall_path("open", path);
  return REAL(open)(path, flags, mode);
}

int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  mode_t mode = (flags & O_CREAT) ? (mode_t)va_arg(ap, int) : 0;
  va_end(ap);
  stall_path("open", path);
  return REAL(open64)(path, flags, mode);
}

ssize_t write(int fd, const void* buf, size_t n) {
  stall_fd("write", fd);
  return REAL(write)(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  stall_fd("pwrite", fd);
  return REAL(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t off) {
  stall_fd("pwrite", fd);
  return REAL(pwrite64)(fd, buf, n, off);
}

int rename(const char* from, const char* to) {
  stall_path("rename", from);
  return REAL(rename)(from, to);
}

int unlink(const char* path) {
  stall_path("unlink", path);
  return REAL(unlink)(path);
}

int mkdir(const char* path, mode_t mode) {
  stall_path("mkdir", path);
  return REAL(mkdir)(path, mode);
}
