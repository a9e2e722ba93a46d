import CCrypto

/// SHA-256 through libcrypto's EVP interface: one-shot over bytes, or incremental for data
/// that arrives in pieces (OTA chunks, a file read in blocks).
///
/// The incremental hasher owns one `EVP_MD_CTX` and frees it in `deinit`. After `finalize()`
/// it starts over, so one hasher can digest several messages in turn.
public final class SHA256 {
    /// Digest length in bytes.
    public static let digestCount = 32

    private let context: OpaquePointer

    /// A hasher with nothing fed to it yet.
    public init() {
        guard let context = EVP_MD_CTX_new() else {
            // Only an allocation failure gets here, which Swift itself would trap on.
            preconditionFailure("SHA256: EVP_MD_CTX_new failed (out of memory)")
        }
        self.context = context
        SHA256.check(EVP_DigestInit_ex(context, EVP_sha256(), nil))
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds `buffer` to the digest.
    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0 else { return }
        SHA256.check(EVP_DigestUpdate(context, buffer.baseAddress, buffer.count))
    }

    /// Feeds `bytes` to the digest.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Feeds the UTF-8 bytes of `text` to the digest.
    public func update(_ text: String) {
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The digest of everything fed so far; the hasher then starts over empty.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: SHA256.digestCount)
        var length: UInt32 = 0
        let status = digest.withUnsafeMutableBufferPointer { out in
            EVP_DigestFinal_ex(context, out.baseAddress, &length)
        }
        SHA256.check(status)
        precondition(Int(length) == SHA256.digestCount, "SHA256: digest of unexpected length")
        SHA256.check(EVP_DigestInit_ex(context, EVP_sha256(), nil))
        return digest
    }

    /// The SHA-256 digest of `buffer`.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestCount)
        var length: UInt32 = 0
        let status = digest.withUnsafeMutableBufferPointer { out in
            EVP_Digest(buffer.baseAddress, buffer.count, out.baseAddress, &length, EVP_sha256(), nil)
        }
        check(status)
        precondition(Int(length) == digestCount, "SHA256: digest of unexpected length")
        return digest
    }

    /// The SHA-256 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// The SHA-256 digest of the UTF-8 bytes of `text`.
    public static func hash(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    // EVP calls return 1 on success. SHA-256 over memory fails only when libcrypto cannot
    // allocate or was built without SHA-256: nothing a caller could handle, so it traps.
    private static func check(_ status: Int32) {
        precondition(status == 1, "SHA256: libcrypto call failed")
    }
}
