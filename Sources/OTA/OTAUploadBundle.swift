import CSupport
import Runtime

/// An update in one file, for a sender without MQTT (the dashboard's upload): the signed
/// manifest as compact JSON on the first line, then the image's bytes. `switchyard ota sign`
/// writes it; the gateway checks it exactly as it checks a manifest and chunks from MQTT.
public struct OTAUploadBundle {
    /// The manifest's bytes (without the newline).
    public let manifest: [UInt8]
    /// Where the image starts in the file.
    public let imageOffset: Int
    /// The image's length (what follows the manifest line).
    public let imageSize: Int

    /// Reads the manifest line of the bundle open as `fd` (of `fileSize` bytes); a file
    /// without a newline in its first `OTAManifest.maxPayload + 1` bytes is no bundle.
    public static func read(_ fd: FileDescriptor, fileSize: Int) throws(OTAError) -> OTAUploadBundle {
        let limit = min(fileSize, OTAManifest.maxPayload + 1)
        var head = [UInt8](repeating: 0, count: limit)
        let count = OTAUploadBundle.read(fd, offset: 0, into: &head)
        guard count == limit else { throw .refused("cannot read the uploaded file") }
        guard let newline = head.firstIndex(of: 0x0A) else {
            throw .refused("not an update file from `switchyard ota sign`: it does not start with a signed manifest line")
        }
        return OTAUploadBundle(manifest: Array(head[0..<newline]), imageOffset: newline + 1,
                               imageSize: fileSize - newline - 1)
    }

    /// Reads up to `buffer.count` bytes at `offset`; the count read, or -1.
    static func read(_ fd: FileDescriptor, offset: Int, into buffer: inout [UInt8]) -> Int {
        buffer.withUnsafeMutableBytes { raw in
            var total = 0
            while total < raw.count {
                let n = (try? SystemCall.retrying("pread(upload)") {
                    pread(fd.rawValue, raw.baseAddress! + total, raw.count - total, off_t(offset + total))
                }) ?? -1
                if n < 0 { return -1 }
                if n == 0 { break }
                total += n
            }
            return total
        }
    }
}
