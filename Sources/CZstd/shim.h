#ifndef SY_ZSTD_SHIM_H
#define SY_ZSTD_SHIM_H
// The advanced API (ZSTD_CCtx_refPrefix, ZSTD_c_windowLog) is what --patch-from uses; it is
// stable in libzstd 1.5, which Debian ships.
#include <zstd.h>
#endif
