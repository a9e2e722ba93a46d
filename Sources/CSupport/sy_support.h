// sy_support.h: the libc surface Switchyard uses, plus the few shims Swift cannot import
// directly (macros, variadic functions). Every shim carries the sy_ prefix and says why.
#ifndef SY_SUPPORT_H
#define SY_SUPPORT_H

// No _GNU_SOURCE here: in the host build these headers also belong to Swift's Glibc
// module, and feature macros that differ between the two make clang reject the types as
// different definitions. The one GNU extension we need is declared below instead.

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <spawn.h>
#include <sys/file.h>
#include <termios.h>
#include <pty.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>

// errno is a macro over a thread-local: Swift cannot read it directly.
static inline int sy_errno(void) { return errno; }
static inline void sy_set_errno(int value) { errno = value; }

// open(2) and fcntl(2) are variadic, which Swift does not import.
static inline int sy_open(const char *path, int flags, unsigned int mode) {
    return open(path, flags, (mode_t)mode);
}
static inline int sy_fcntl_getfl(int fd) { return fcntl(fd, F_GETFL); }
static inline int sy_fcntl_setfl(int fd, int flags) { return fcntl(fd, F_SETFL, flags); }
static inline int sy_fcntl_setfd_cloexec(int fd) { return fcntl(fd, F_SETFD, FD_CLOEXEC); }

// snprintf is variadic; Embedded Swift has no floating-point printing of its own.
// Formats `value` with `decimals` digits after the point ("%.*f"); returns the length.
static inline int sy_format_double(char *buf, size_t size, double value, int decimals) {
    return snprintf(buf, size, "%.*f", decimals, value);
}

// Shortest representation that reads back to the same double ("%.17g" trimmed by trying
// shorter precisions first), so JSON numbers and logs do not print 0.1 as 0.1000000000000001.
static inline int sy_format_double_shortest(char *buf, size_t size, double value) {
    for (int precision = 1; precision <= 17; precision++) {
        int n = snprintf(buf, size, "%.*g", precision, value);
        if (n < 0 || (size_t)n >= size) return n;
        if (strtod(buf, NULL) == value) return n;
    }
    return snprintf(buf, size, "%.17g", value);
}

// The WIFEXITED family are macros over the wait status.
static inline int sy_wifexited(int status) { return WIFEXITED(status); }
static inline int sy_wexitstatus(int status) { return WEXITSTATUS(status); }
static inline int sy_wifsignaled(int status) { return WIFSIGNALED(status); }
static inline int sy_wtermsig(int status) { return WTERMSIG(status); }

// ioctl(2) is variadic; these are the two requests the console and CAN need.
static inline int sy_ioctl_int(int fd, unsigned long request, int *value) {
    return ioctl(fd, request, value);
}
static inline int sy_ioctl_ptr(int fd, unsigned long request, void *arg) {
    return ioctl(fd, request, arg);
}

// pipe2 is a GNU extension (see above); same prototype as glibc's <unistd.h>.
extern int pipe2(int __pipedes[2], int __flags);

// Thread entry for pthread_create: Swift closures cannot be C function pointers, so the
// Swift side passes one context pointer and a C-convention trampoline.
typedef void *(*sy_thread_entry)(void *);

// The environment as an array, for listing overrides (environ is a plain extern, but its
// declaration depends on _GNU_SOURCE visibility).
extern char **environ;
static inline char **sy_environ(void) { return environ; }

// The calling thread's signal mask: SIGINT/SIGTERM/SIGHUP are blocked and read through a
// signalfd, so a run loop gets them as ordinary readable events.
static inline int sy_block_signals(const int *signals, int count, sigset_t *out) {
    sigemptyset(out);
    for (int i = 0; i < count; i++) sigaddset(out, signals[i]);
    return pthread_sigmask(SIG_BLOCK, out, NULL);
}
static inline int sy_unblock_signals(const sigset_t *set) {
    return pthread_sigmask(SIG_UNBLOCK, set, NULL);
}

// posix_spawn with a clean signal mask and default dispositions: the supervisor blocks
// SIGINT/SIGTERM/SIGHUP/SIGCHLD for its signalfd and ignores SIGPIPE, and a child inheriting
// that could never be stopped (the attribute flags are macros Swift sees only as values).
// `pass_fd` (unless -1) becomes the child's descriptor `as_fd`, without close-on-exec;
// `out_fd` (unless -1) becomes its standard output and error (the supervisor's log relay).
static inline int sy_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                           int pass_fd, int as_fd, int out_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (pass_fd >= 0) posix_spawn_file_actions_adddup2(&actions, pass_fd, as_fd);
    if (out_fd >= 0) {
        posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
        posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGHUP);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGCHLD);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int result = posix_spawn(pid, path, &actions, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    return result;
}

// SIG_IGN is a macro casting 1 to a function pointer, which Swift cannot import. A peer
// that closes a socket or pipe must give us EPIPE, not kill the gateway.
static inline void sy_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }


// Marks every descriptor from `first` up close-on-exec, so a restart (exec of ourselves)
// hands nothing to the new image: not the broker socket libmosquitto opened without
// O_CLOEXEC, not the RPC listener. close_range(2) where the kernel has it (5.11+), else
// each descriptor /proc/self/fd lists. Returns 0, or -1 when neither way worked.
static inline int sy_cloexec_from(int first) {
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned int)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return 0;
#endif
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL) return -1;
    int own = dirfd(dir);
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        int fd = atoi(entry->d_name);
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9' || fd < first || fd == own) continue;
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    closedir(dir);
    return 0;
}

#endif
