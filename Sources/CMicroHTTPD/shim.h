#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <string.h>
#include <microhttpd.h>

// MHD_start_daemon takes its options as variadic (option, value) pairs, which Swift cannot
// call: this is the one daemon Switchyard starts, with every option it sets spelled out.
// `address` is a sockaddr_in or sockaddr_in6 (already holding the port). The connection
// limit is a backstop above the accept policy's own count; the memory limit bounds a
// connection's request headers and buffers (larger requests are answered 431/413).
// `notify` sees connections open and close, `completed` each request end: between the two
// the daemon times how long a connection takes to send a request's headers (libmicrohttpd's
// own timeout is an idle one, reset by every byte, so it cannot bound that).
static inline struct MHD_Daemon *sy_mhd_start(unsigned int flags, const struct sockaddr *address,
                                              unsigned int connection_limit, size_t memory_limit,
                                              unsigned int timeout_seconds,
                                              MHD_AcceptPolicyCallback accept_policy,
                                              MHD_AccessHandlerCallback handler,
                                              MHD_NotifyConnectionCallback notify,
                                              MHD_RequestCompletedCallback completed, void *context) {
    return MHD_start_daemon(flags, 0, accept_policy, context, handler, context,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_NOTIFY_CONNECTION, notify, context,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, context,
                            MHD_OPTION_END);
}

// MHD_get_connection_info is variadic as well. The connection's socket: the daemon shuts it
// down when a client is too slow to send its headers (libmicrohttpd then sees the end of
// the stream and closes the connection itself; it has no call to close one from outside).
static inline int sy_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? (int)info->connect_fd : -1;
}

// The client's address as its raw bytes: copies 4 (IPv4) or 16 (IPv6) bytes into `out` and
// returns that count, or 0 when libmicrohttpd has none. sockaddr's family-dependent layout
// stays on this side.
static inline int sy_mhd_client_address(struct MHD_Connection *connection, uint8_t out[16]) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr) return 0;
    if (info->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)info->client_addr;
        memcpy(out, &v4->sin_addr, 4);
        return 4;
    }
    if (info->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)info->client_addr;
        memcpy(out, &v6->sin6_addr, 16);
        return 16;
    }
    return 0;
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
