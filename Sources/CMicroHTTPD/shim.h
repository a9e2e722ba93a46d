#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

// MHD_start_daemon takes its options as variadic (option, value) pairs, which Swift cannot
// call: this is the one daemon Switchyard starts, with every option it sets spelled out.
// `address` is a sockaddr_in or sockaddr_in6 (already holding the port). The connection
// limit is a backstop above the accept policy's own count; the memory limit bounds a
// connection's request headers and buffers (larger requests are answered 431/413).
static inline struct MHD_Daemon *sy_mhd_start(unsigned int flags, const struct sockaddr *address,
                                              unsigned int connection_limit, size_t memory_limit,
                                              unsigned int timeout_seconds,
                                              MHD_AcceptPolicyCallback accept_policy,
                                              MHD_AccessHandlerCallback handler,
                                              MHD_NotifyConnectionCallback notify, void *context) {
    return MHD_start_daemon(flags, 0, accept_policy, context, handler, context,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_NOTIFY_CONNECTION, notify, context,
                            MHD_OPTION_END);
}

// MHD_get_daemon_info is variadic too. The epoll descriptor is the one our poll watches:
// it is readable whenever any socket of the daemon needs attention.
static inline int sy_mhd_epoll_fd(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
    return info ? info->epoll_fd : -1;
}

// The port the daemon listens on (the address may have asked for any).
static inline int sy_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? (int)info->port : -1;
}

// Casted macros Swift does not import: what a content reader returns at the end of a stream.
static inline ssize_t sy_mhd_end_of_stream(void) { return MHD_CONTENT_READER_END_OF_STREAM; }
static inline uint64_t sy_mhd_size_unknown(void) { return MHD_SIZE_UNKNOWN; }

// Swift renames the cases of libmicrohttpd's closed enums (prefix stripped, case changed);
// these keep the C spelling in one place rather than guessing the imported names.
static inline struct MHD_Response *sy_mhd_response_copying(size_t size, const void *data) {
    return MHD_create_response_from_buffer(size, (void *)data, MHD_RESPMEM_MUST_COPY);
}
static inline int sy_mhd_connection_started(enum MHD_ConnectionNotificationCode code) {
    return code == MHD_CONNECTION_NOTIFY_STARTED;
}
