/* libmosquitto's own floor for the CAN row (issue 29): the CPU one QoS 0 PUBLISH costs when
 * nothing but libmosquitto runs. Links the same static libmosquitto (and OpenSSL) the firmware
 * links, publishes what the CAN tunnel publishes (topic <base>/<decimal id>, the 9-byte header
 * and 8 data bytes) at the same paced rate to the same broker, and drives the socket the way
 * our run loop does: poll on mosquitto_socket(), mosquitto_loop_read() when readable,
 * mosquitto_loop_write() when mosquitto_want_write(), mosquitto_loop_misc() once a second.
 *
 * Modes (what is the same and what differs from the gateway):
 *   pace       the pacing alone, no publish: the cost of waking up once per frame
 *   batchpace  the pacing alone, waking once per window
 *   frame      one wake-up per frame, one mosquitto_publish each (can.batch_us 0)
 *   batch      wake once per window (WINDOW_US), publish the frames due in one pass
 *              (can.batch_us): still one send() and one socketpair write() per PUBLISH
 *   cork       batch, with TCP_CORK set on mosquitto_socket() around the pass: the sends
 *              only append to the socket, one segment goes out at the uncork
 *   queue      batch, with mosquitto_threaded_set(true): publish only queues, one
 *              mosquitto_loop_write() per pass sends them (still one send() each)
 * Prints: mode, publishes, CPU seconds (user+system, getrusage) and CPU us per publish.
 *
 * PAYLOAD_BYTES (default 17, a classic CAN frame's) pads the payload for other services' sizes.
 * Usage: mosquitto_floor MODE PORT RATE SECONDS [WINDOW_US] [BASE_TOPIC] [PAYLOAD_BYTES]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

static int64_t now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static double cpu_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static void cork(struct mosquitto *mosq, int on) {
    int fd = mosquitto_socket(mosq);
    if (fd >= 0) setsockopt(fd, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
}

/* Services the socket the way the gateway's loop does, waiting at most timeout_ms. */
static int service(struct mosquitto *mosq, int timeout_ms) {
    struct pollfd fd = {.fd = mosquitto_socket(mosq), .events = POLLIN};
    if (mosquitto_want_write(mosq)) fd.events |= POLLOUT;
    int ready = poll(&fd, 1, timeout_ms);
    if (ready < 0 && errno != EINTR) return -1;
    if (ready > 0 && (fd.revents & POLLIN) && mosquitto_loop_read(mosq, 1) != MOSQ_ERR_SUCCESS) return -1;
    if (ready > 0 && (fd.revents & POLLOUT) && mosquitto_loop_write(mosq, 1) != MOSQ_ERR_SUCCESS) return -1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s pace|batchpace|frame|batch|cork|queue PORT RATE SECONDS [WINDOW_US] [BASE_TOPIC] [PAYLOAD_BYTES]\n",
                argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    int port = atoi(argv[2]), rate = atoi(argv[3]);
    double seconds = atof(argv[4]);
    int64_t window_ns = (argc > 5 ? atoll(argv[5]) : 500) * 1000;
    const char *base = argc > 6 ? argv[6] : "bench/floor";
    int size = argc > 7 ? atoi(argv[7]) : 17;
    if (size < 17 || size > 4096) size = 17;
    int publish = strcmp(mode, "pace") != 0 && strcmp(mode, "batchpace") != 0;
    int batched = strcmp(mode, "batch") == 0 || strcmp(mode, "cork") == 0 || strcmp(mode, "queue") == 0 ||
                  strcmp(mode, "batchpace") == 0;
    int corked = strcmp(mode, "cork") == 0, queued = strcmp(mode, "queue") == 0;

    mosquitto_lib_init();
    struct mosquitto *mosq = mosquitto_new(NULL, true, NULL);
    if (!mosq || mosquitto_connect(mosq, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
        fprintf(stderr, "mosquitto_floor: cannot connect to 127.0.0.1:%d\n", port);
        return 1;
    }
    if (queued) mosquitto_threaded_set(mosq, true);
    /* Until the CONNACK is in, as the gateway waits for `connected` before publishing. */
    for (int i = 0; i < 100 && mosquitto_want_write(mosq); i++) service(mosq, 10);
    for (int i = 0; i < 20; i++) service(mosq, 5);

    int64_t count = (int64_t)(rate * seconds), sent = 0;
    int64_t start = now_ns(CLOCK_MONOTONIC), last_misc = start;
    double cpu_start = cpu_seconds();
    unsigned char payload[4096];
    memset(payload, 'x', sizeof payload);
    char topic[64];
    while (sent < count) {
        int64_t now = now_ns(CLOCK_MONOTONIC);
        int64_t due = (now - start) * rate / 1000000000 + 1;
        if (due > count) due = count;
        if (due > sent) {
            if (corked) cork(mosq, 1);
            int64_t stamp = now_ns(CLOCK_REALTIME) / 1000;
            for (; sent < due; sent++) {
                if (!publish) continue;
                memcpy(payload, &stamp, 8); /* little-endian on both firmware arches */
                payload[8] = 0;
                memcpy(payload + 9, &sent, 8);
                snprintf(topic, sizeof topic, "%s/%d", base, 256 + (int)(sent % 16));
                if (mosquitto_publish(mosq, NULL, topic, size, payload, 0, false) != MOSQ_ERR_SUCCESS) {
                    fprintf(stderr, "mosquitto_floor: publish refused\n");
                    return 1;
                }
            }
            if (queued) mosquitto_loop_write(mosq, 1);
            if (corked) cork(mosq, 0);
        }
        if (now - last_misc >= 1000000000) {
            mosquitto_loop_misc(mosq);
            last_misc = now;
        }
        /* Sleep in poll until the next frame (or, batched, the next window) is due. */
        int64_t next = start + (batched ? ((now - start) / window_ns + 1) * window_ns
                                        : (sent * 1000000000 + rate - 1) / rate);
        int64_t wait_ns = next - now_ns(CLOCK_MONOTONIC);
        struct timespec pause = {0, 0};
        if (wait_ns > 0) {
            /* poll's millisecond timeout is too coarse for 111 us: poll without waiting, then
             * sleep the rest, as the gateway's loop does with its sub-millisecond timers. */
            if (service(mosq, 0) < 0) break;
            pause.tv_sec = wait_ns / 1000000000;
            pause.tv_nsec = wait_ns % 1000000000;
            nanosleep(&pause, NULL);
        } else if (service(mosq, 0) < 0) {
            break;
        }
    }
    while (mosquitto_want_write(mosq) && service(mosq, 10) == 0) {}
    double cpu = cpu_seconds() - cpu_start;
    printf("%s %lld %.3f %.2f\n", mode, (long long)sent, cpu, cpu * 1e6 / (sent ? sent : 1));
    mosquitto_disconnect(mosq);
    mosquitto_destroy(mosq);
    mosquitto_lib_cleanup();
    return 0;
}
