#include <curl/curl.h>

// curl_easy_setopt / curl_multi_setopt are variadic; Swift needs one typed entry per kind.
static inline CURLcode sy_curl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sy_curl_easy_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sy_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode sy_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode sy_curl_multi_setopt_ptr(CURLM *m, CURLMoption o, const void *v) { return curl_multi_setopt(m, o, v); }

// CURLVERSION_NOW is a macro naming an enum value, which Swift does not import.
static inline curl_version_info_data *sy_curl_version_info(void) { return curl_version_info(CURLVERSION_NOW); }

// Callback setters: the options take function pointers through the variadic setopt, and a
// typed prototype per callback kind lets Swift hand over a @convention(c) function directly.
static inline CURLcode sy_curl_easy_setopt_write(CURL *h, CURLoption o, curl_write_callback f) { return curl_easy_setopt(h, o, f); }
static inline CURLcode sy_curl_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLMcode sy_curl_multi_setopt_socket(CURLM *m, curl_socket_callback f) { return curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, f); }
static inline CURLMcode sy_curl_multi_setopt_timer(CURLM *m, curl_multi_timer_callback f) { return curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, f); }
// CURLMsg.data is a union; reading the result in C keeps Swift away from its layout.
static inline CURLcode sy_curl_msg_result(const CURLMsg *m) { return m->data.result; }
// curl names the timeout "socket" with a macro of a macro, which Swift does not import.
static inline curl_socket_t sy_curl_socket_timeout(void) { return CURL_SOCKET_TIMEOUT; }
