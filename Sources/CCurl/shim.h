#include <curl/curl.h>

// curl_easy_setopt / curl_multi_setopt are variadic; Swift needs one typed entry per kind.
static inline CURLcode sy_curl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sy_curl_easy_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode sy_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLMcode sy_curl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLMcode sy_curl_multi_setopt_ptr(CURLM *m, CURLMoption o, const void *v) { return curl_multi_setopt(m, o, v); }

// CURLVERSION_NOW is a macro naming an enum value, which Swift does not import.
static inline curl_version_info_data *sy_curl_version_info(void) { return curl_version_info(CURLVERSION_NOW); }
