/*
 * Link probe for the firmware's C libraries: proves that the static archives
 * from toolchain/static-libs.sh (OpenSSL, libcurl, libmosquitto, cJSON,
 * libmicrohttpd) and
 * Debian's own (libbluetooth, libsocketcan, libserialport) link into one
 * -static-pie binary per architecture and work there. toolchain/probe.sh
 * builds and runs it; its size is the floor of the firmware's size.
 *
 * Without arguments it checks what needs no peer. With
 *   --cafile CA.pem --https https://127.0.0.1:PORT/ --mqtts 127.0.0.1:PORT
 * it also makes real TLS handshakes: curl over TLS 1.3 and TLS 1.2 against an
 * HTTPS server, libmosquitto over TLS against a broker (connect, QoS 1
 * publish, PUBACK, disconnect).
 *
 * PROBE_WITH_<LIB>=0 leaves a library's calls out, so probe.sh --sizes can
 * measure what each library adds to the binary.
 */
#ifndef PROBE_WITH_DEBIAN_LIBS
#define PROBE_WITH_DEBIAN_LIBS 1
#endif
#ifndef PROBE_WITH_CJSON
#define PROBE_WITH_CJSON 1
#endif
#ifndef PROBE_WITH_OPENSSL
#define PROBE_WITH_OPENSSL 1
#endif
#ifndef PROBE_WITH_MOSQUITTO
#define PROBE_WITH_MOSQUITTO 1
#endif
#ifndef PROBE_WITH_CURL
#define PROBE_WITH_CURL 1
#endif
#ifndef PROBE_WITH_MICROHTTPD
#define PROBE_WITH_MICROHTTPD 1
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if PROBE_WITH_OPENSSL
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#endif
#if PROBE_WITH_CURL
#include <curl/curl.h>
#endif
#if PROBE_WITH_MOSQUITTO
#include <mosquitto.h>
#endif
#if PROBE_WITH_CJSON
#include <cjson/cJSON.h>
#endif
#if PROBE_WITH_MICROHTTPD
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#endif
#if PROBE_WITH_DEBIAN_LIBS
#include <bluetooth/bluetooth.h>
#include <libserialport.h>
#include <libsocketcan.h>
#endif

static int failures;

static void check(int ok, const char *what, const char *detail)
{
    printf("%s %s: %s\n", ok ? "ok  " : "FAIL", what, detail);
    if (!ok)
        failures++;
}

#if PROBE_WITH_OPENSSL
static void probe_openssl(void)
{
    char line[160];

    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    check(ctx != NULL, "openssl", OpenSSL_version(OPENSSL_VERSION));
    SSL_CTX_free(ctx);

    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1] = "";
    if (EVP_Digest("abc", 3, md, &len, EVP_sha256(), NULL))
        for (unsigned int i = 0; i < len; i++)
            sprintf(hex + 2 * i, "%02x", md[i]);
    snprintf(line, sizeof line, "sha256(abc) = %s", hex);
    check(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
          "sha256", line);

    /* What OTA does: verify an Ed25519 signature over a manifest with EVP. */
    const unsigned char msg[] = "switchyard manifest";
    unsigned char sig[64];
    size_t siglen = sizeof sig;
    int ok = 0;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_MD_CTX *sctx = EVP_MD_CTX_new(), *vctx = EVP_MD_CTX_new();
    if (key && sctx && vctx
        && EVP_DigestSignInit(sctx, NULL, NULL, NULL, key) == 1
        && EVP_DigestSign(sctx, sig, &siglen, msg, sizeof msg) == 1
        && EVP_DigestVerifyInit(vctx, NULL, NULL, NULL, key) == 1
        && EVP_DigestVerify(vctx, sig, siglen, msg, sizeof msg) == 1) {
        sig[0] ^= 1; /* a damaged signature must not verify */
        ok = EVP_DigestVerifyInit(vctx, NULL, NULL, NULL, key) == 1
             && EVP_DigestVerify(vctx, sig, siglen, msg, sizeof msg) != 1;
    }
    check(ok, "ed25519", ok ? "keygen, sign, verify, reject damaged" : "failed");
    EVP_MD_CTX_free(sctx);
    EVP_MD_CTX_free(vctx);
    EVP_PKEY_free(key);
}
#endif

#if PROBE_WITH_CURL
struct https_result {
    CURL *curl;
    size_t body;
    char tls[80]; /* protocol and cipher, read while the connection is open */
};

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    struct https_result *result = user;
    struct curl_tlssessioninfo *tls = NULL;
    (void)data;
    if (!result->tls[0] && curl_easy_getinfo(result->curl, CURLINFO_TLS_SSL_PTR, &tls) == CURLE_OK
        && tls && tls->backend == CURLSSLBACKEND_OPENSSL && tls->internals)
        snprintf(result->tls, sizeof result->tls, "%s %s", SSL_get_version(tls->internals),
                 SSL_get_cipher_name(tls->internals));
    result->body += size * n;
    return size * n;
}

static void probe_https(const char *url, const char *cafile, long tls_max, const char *want,
                        const char *name)
{
    char line[200];
    long status = 0;
    struct https_result result = { curl_easy_init(), 0, "" };

    curl_easy_setopt(result.curl, CURLOPT_URL, url);
    curl_easy_setopt(result.curl, CURLOPT_CAINFO, cafile);
    curl_easy_setopt(result.curl, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2 | tls_max);
    curl_easy_setopt(result.curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(result.curl, CURLOPT_WRITEDATA, &result);
    curl_easy_setopt(result.curl, CURLOPT_TIMEOUT, 20L);
    CURLcode rc = curl_easy_perform(result.curl);
    curl_easy_getinfo(result.curl, CURLINFO_RESPONSE_CODE, &status);
    snprintf(line, sizeof line, "%s -> %s, HTTP %ld, %zu bytes, %s", url,
             rc == CURLE_OK ? "ok" : curl_easy_strerror(rc), status, result.body, result.tls);
    check(rc == CURLE_OK && status == 200 && strncmp(result.tls, want, strlen(want)) == 0, name,
          line);
    curl_easy_cleanup(result.curl);
}

static void probe_curl(const char *https_url, const char *cafile)
{
    char line[400];
    check(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK, "curl_global_init", "ok");
    CURL *c = curl_easy_init();
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    size_t at = 0;
    for (const char *const *p = info->protocols; *p; p++)
        at += (size_t)snprintf(line + at, sizeof line - at, "%s ", *p);
    snprintf(line + at, sizeof line - at, "| %s | ca %s", curl_version(),
             info->cainfo ? info->cainfo : "-");
    check(c != NULL, "curl", line);
    curl_easy_cleanup(c);
    if (https_url && cafile) {
        probe_https(https_url, cafile, CURL_SSLVERSION_MAX_DEFAULT, "TLSv1.3 ", "https TLS 1.3");
        probe_https(https_url, cafile, CURL_SSLVERSION_MAX_TLSv1_2, "TLSv1.2 ", "https TLS 1.2");
    }
}
#endif

#if PROBE_WITH_MOSQUITTO
struct mqtt_progress {
    int connack; /* -1 until CONNACK */
    int acked;   /* message id of the last PUBACK */
};

static void on_connect(struct mosquitto *m, void *user, int rc)
{
    (void)m;
    ((struct mqtt_progress *)user)->connack = rc;
}

static void on_publish(struct mosquitto *m, void *user, int mid)
{
    (void)m;
    ((struct mqtt_progress *)user)->acked = mid;
}

static void probe_mqtts(struct mosquitto *m, struct mqtt_progress *progress, const char *hostport,
                        const char *cafile)
{
    char host[64], line[200];
    int port = 0, mid = 0, rc;
    if (sscanf(hostport, "%63[^:]:%d", host, &port) != 2) {
        check(0, "mqtts", "bad --mqtts host:port");
        return;
    }
    rc = mosquitto_tls_set(m, cafile, NULL, NULL, NULL, NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_connect(m, host, port, 30);
    time_t deadline = time(NULL) + 20;
    while (rc == MOSQ_ERR_SUCCESS && progress->connack < 0 && time(NULL) < deadline)
        rc = mosquitto_loop(m, 200, 1);
    if (rc == MOSQ_ERR_SUCCESS && progress->connack == 0)
        rc = mosquitto_publish(m, &mid, "switchyard/probe", 5, "hello", 1, false);
    while (rc == MOSQ_ERR_SUCCESS && progress->acked != mid && time(NULL) < deadline)
        rc = mosquitto_loop(m, 200, 1);
    int ok = rc == MOSQ_ERR_SUCCESS && progress->connack == 0 && mid != 0 && progress->acked == mid;
    SSL *ssl = mosquitto_ssl_get(m);
    snprintf(line, sizeof line, "%s -> %s, CONNACK %d, PUBACK %s, %s %s", hostport,
             mosquitto_strerror(rc), progress->connack, progress->acked == mid ? "yes" : "no",
             ssl ? SSL_get_version(ssl) : "?", ssl ? SSL_get_cipher_name(ssl) : "?");
    check(ok, "mqtts", line);
    mosquitto_disconnect(m);
}

static void probe_mosquitto(const char *mqtts, const char *cafile)
{
    char line[120];
    int major = 0, minor = 0, revision = 0;
    struct mqtt_progress progress = { -1, 0 };
    check(mosquitto_lib_init() == MOSQ_ERR_SUCCESS, "mosquitto_lib_init", "ok");
    mosquitto_lib_version(&major, &minor, &revision);
    struct mosquitto *m = mosquitto_new("switchyard-probe", true, &progress);
    snprintf(line, sizeof line, "libmosquitto %d.%d.%d, threaded loop %s", major, minor, revision,
             m && mosquitto_loop_start(m) == MOSQ_ERR_NOT_SUPPORTED ? "not built (as wanted)"
                                                                    : "BUILT");
    check(m != NULL && major == 2, "mosquitto", line);
    if (m) {
        mosquitto_connect_callback_set(m, on_connect);
        mosquitto_publish_callback_set(m, on_publish);
        if (mqtts && cafile)
            probe_mqtts(m, &progress, mqtts, cafile);
        mosquitto_destroy(m);
    }
    mosquitto_lib_cleanup();
}
#endif

#if PROBE_WITH_CJSON
static void probe_cjson(void)
{
    cJSON *json = cJSON_Parse("{ \"node\": \"gw1\", \"tasks\": [5, 30, 180], \"ota\": null }");
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    check(text && strcmp(text, "{\"node\":\"gw1\",\"tasks\":[5,30,180],\"ota\":null}") == 0, "cjson",
          text ? text : "parse failed");
    free(text);
    cJSON_Delete(json);
}
#endif

#if PROBE_WITH_MICROHTTPD
static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **request)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload, (void)upload_size, (void)request;
    struct MHD_Response *response = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result result = MHD_queue_response(connection, 204, response);
    MHD_destroy_response(response);
    return result;
}

/* The dashboard's way of running libmicrohttpd: external epoll mode on loopback,
 * one request answered by driving MHD_run from our own loop (no thread). */
static void probe_microhttpd(void)
{
    char line[120];
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = 0 };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *daemon = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL, answer, NULL,
                                                 MHD_OPTION_SOCK_ADDR, &address, MHD_OPTION_END);
    const union MHD_DaemonInfo *fd = daemon ? MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    const union MHD_DaemonInfo *port = daemon ? MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    char reply[64] = "";
    if (fd && port) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        address.sin_port = htons(port->port);
        if (s >= 0 && connect(s, (struct sockaddr *)&address, sizeof address) == 0) {
            const char *request = "GET / HTTP/1.0\r\n\r\n";
            (void)!write(s, request, strlen(request));
            for (int i = 0; i < 200 && reply[0] == 0; i++) {
                MHD_run(daemon);
                ssize_t n = recv(s, reply, sizeof reply - 1, MSG_DONTWAIT);
                if (n > 0) reply[n] = 0;
                else usleep(5000);
            }
        }
        if (s >= 0) close(s);
    }
    snprintf(line, sizeof line, "epoll fd %d, port %d, reply %.12s", fd ? fd->epoll_fd : -1, port ? port->port : 0, reply);
    check(strncmp(reply, "HTTP/1.0 204", 12) == 0 || strncmp(reply, "HTTP/1.1 204", 12) == 0, "libmicrohttpd", line);
    check(MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_NO, "libmicrohttpd without TLS", "no GnuTLS linked");
    if (daemon) MHD_stop_daemon(daemon);
}
#endif

#if PROBE_WITH_DEBIAN_LIBS
static void probe_debian_libs(void)
{
    char line[120];
    bdaddr_t addr = { { 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 } };
    char text[18];
    ba2str(&addr, text);
    check(strcmp(text, "11:22:33:44:55:66") == 0, "libbluetooth ba2str", text);

    /* No such interface here: an error is the expected answer. */
    int state = -1;
    int rc = can_get_state("sy-nonexist0", &state);
    snprintf(line, sizeof line, "can_get_state(sy-nonexist0) = %d (error expected)", rc);
    check(rc != 0, "libsocketcan", line);

    struct sp_port **ports = NULL;
    enum sp_return sr = sp_list_ports(&ports);
    int n = 0;
    while (sr == SP_OK && ports[n])
        n++;
    snprintf(line, sizeof line, "sp_list_ports = %d, %d ports", (int)sr, n);
    check(sr == SP_OK, "libserialport", line);
    if (sr == SP_OK)
        sp_free_port_list(ports);
}
#endif

int main(int argc, char **argv)
{
    const char *cafile = NULL, *https = NULL, *mqtts = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--cafile") == 0)
            cafile = argv[i + 1];
        else if (strcmp(argv[i], "--https") == 0)
            https = argv[i + 1];
        else if (strcmp(argv[i], "--mqtts") == 0)
            mqtts = argv[i + 1];
    }
    (void)cafile, (void)https, (void)mqtts;
    /* Line-buffered, so the libraries' own stderr messages stay in order. */
    setvbuf(stdout, NULL, _IOLBF, 0);

#if PROBE_WITH_OPENSSL
    probe_openssl();
#endif
#if PROBE_WITH_CURL
    probe_curl(https, cafile);
#endif
#if PROBE_WITH_MOSQUITTO
    probe_mosquitto(mqtts, cafile);
#endif
#if PROBE_WITH_CJSON
    probe_cjson();
#endif
#if PROBE_WITH_DEBIAN_LIBS
    probe_debian_libs();
#endif
#if PROBE_WITH_MICROHTTPD
    probe_microhttpd();
#endif
    if (failures) {
        printf("probe: %d checks FAILED\n", failures);
        return 1;
    }
    printf("probe: all checks ok\n");
    return 0;
}
