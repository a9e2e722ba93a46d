import CZstd

/// Binary deltas as `zstd --patch-from` makes them (issue 30): the base image is the
/// compressor's and decompressor's prefix dictionary, so a patch holds little more than what
/// changed. The one place libzstd is touched; contexts are freed before each call returns.
public enum ZstdPatch {
    /// Largest window (2^27 = 128 MiB): a base and an image of `OTAManifest.maxImageSize`
    /// each fit together, as the prefix must for matches against all of it.
    static let maxWindowLog: Int32 = 27

    /// The window that covers `base` followed by `image`.
    static func windowLog(base: Int, image: Int) -> Int32 {
        var log: Int32 = 20
        while log < maxWindowLog && (1 << Int(log)) < base + image { log += 1 }
        return log
    }

    /// A patch that turns `base` into `image`, at compression `level` (1 to 19); nil when
    /// libzstd fails (out of memory).
    public static func make(from base: [UInt8], to image: [UInt8], level: Int32 = 19) -> [UInt8]? {
        guard let context = ZSTD_createCCtx() else { return nil }
        defer { ZSTD_freeCCtx(context) }
        let window = windowLog(base: base.count, image: image.count)
        guard ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)) == 0,
              ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, window)) == 0,
              ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_enableLongDistanceMatching, 1)) == 0
        else { return nil }
        var patch = [UInt8](repeating: 0, count: ZSTD_compressBound(image.count))
        let written = base.withUnsafeBytes { prefix -> Int in
            guard ZSTD_isError(ZSTD_CCtx_refPrefix(context, prefix.baseAddress, prefix.count)) == 0 else { return -1 }
            return image.withUnsafeBytes { source in
                patch.withUnsafeMutableBytes { destination in
                    let result = ZSTD_compress2(context, destination.baseAddress, destination.count, source.baseAddress,
                                                source.count)
                    return ZSTD_isError(result) != 0 ? -1 : result
                }
            }
        }
        guard written >= 0 else { return nil }
        patch.removeSubrange(written...)
        return patch
    }

    /// `base` with `patch` applied: exactly `size` bytes, or the reason it does not apply
    /// (another base, a damaged patch, a size other than the manifest's).
    public static func apply(_ patch: [UInt8], to base: [UInt8], size: Int) throws(OTAError) -> [UInt8] {
        guard let context = ZSTD_createDCtx() else { throw .refused("delta: libzstd has no memory for a context") }
        defer { ZSTD_freeDCtx(context) }
        guard ZSTD_isError(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, maxWindowLog)) == 0 else {
            throw .refused("delta: libzstd refused the window size")
        }
        // One byte more than expected, so a patch that makes a longer image is caught.
        var image = [UInt8](repeating: 0, count: size + 1)
        let result = base.withUnsafeBytes { prefix -> Int in
            let referenced = ZSTD_DCtx_refPrefix(context, prefix.baseAddress, prefix.count)
            guard ZSTD_isError(referenced) == 0 else { return referenced }
            return patch.withUnsafeBytes { source in
                image.withUnsafeMutableBytes { destination in
                    ZSTD_decompressDCtx(context, destination.baseAddress, destination.count, source.baseAddress,
                                        source.count)
                }
            }
        }
        if ZSTD_isError(result) != 0 {
            throw .refused("delta does not apply: " + String(cString: ZSTD_getErrorName(result)))
        }
        guard result == size else {
            throw .refused("delta does not apply: it makes " + String(result) + " bytes, the manifest says " + String(size))
        }
        image.removeLast()
        return image
    }
}
