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
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

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

// Which user owns the local IPv4 TCP socket whose own end is src_addr:src_port and whose
// other end is dst_addr:dst_port (addresses as in sockaddr_in, ports in host order): the
// RPC door's question about a loopback client. SO_PEERCRED answers only for Unix sockets (a
// TCP peer reads as uid -1), so this asks the kernel's sock_diag netlink interface for that
// one socket, as `ss -e` does; the NLMSG_* helpers are macros Swift cannot import. The
// kernel answers inside send(), so the recv never waits. Returns the uid, or -1 (errno set)
// when there is no such socket or the kernel has no sock_diag (CONFIG_INET_DIAG).
static inline long long sy_tcp4_socket_owner(uint32_t src_addr, uint16_t src_port,
                                             uint32_t dst_addr, uint16_t dst_port) {
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -1;
    struct {
        struct nlmsghdr header;
        struct inet_diag_req_v2 request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST;
    message.request.sdiag_family = AF_INET;
    message.request.sdiag_protocol = IPPROTO_TCP;
    message.request.idiag_states = ~0U;
    message.request.id.idiag_sport = htons(src_port);
    message.request.id.idiag_dport = htons(dst_port);
    message.request.id.idiag_src[0] = src_addr;
    message.request.id.idiag_dst[0] = dst_addr;
    message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    long long owner = -1;
    errno = ENOENT;
    if (send(fd, &message, sizeof message, 0) == (ssize_t)sizeof message) {
        long buffer[512];  /* 4 KiB, aligned for nlmsghdr */
        ssize_t length = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        const struct nlmsghdr *reply = (const struct nlmsghdr *)(const void *)buffer;
        if (length > 0 && NLMSG_OK(reply, (unsigned int)length)) {
            if (reply->nlmsg_type == SOCK_DIAG_BY_FAMILY
                && reply->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
                owner = ((const struct inet_diag_msg *)NLMSG_DATA(reply))->idiag_uid;
            } else if (reply->nlmsg_type == NLMSG_ERROR
                       && reply->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
                errno = -((const struct nlmsgerr *)NLMSG_DATA(reply))->error;
            }
        }
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return owner;
}

#endif
