// modules: OTA
// Bytes as an OTA manifest payload (from anyone who can publish to the broker), then as a
// stored state record and a chunk bitmap. Nothing may trap; every manifest that parses must
// print to JSON that parses back to the same manifest, with the same canonical text.
import JSON
import OTA

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let manifest = try? OTAManifest.parse(bytes) {
        precondition(manifest.size >= 1 && manifest.size <= OTAManifest.maxImageSize, "size out of range")
        precondition(OTAManifest.chunkSizes.contains(manifest.chunkSize), "chunk size out of range")
        precondition(manifest.chunkCount <= OTAManifest.maxChunks, "too many chunks")
        precondition(manifest.chunkDigests.count == manifest.chunkCount * 32, "chunk digests do not fit")
        precondition(manifest.serial >= 1 && manifest.serial <= OTAManifest.maxSerial, "serial out of range")
        let again = try? OTAManifest.parse(Array(manifest.json.serialized().utf8))
        precondition(again == manifest, "manifest did not round-trip")
        precondition(again?.canonicalText == manifest.canonicalText, "canonical text changed")
        _ = manifest.length(ofChunk: manifest.chunkCount - 1)
    }
    if let value = try? JSONValue.parse(bytes), let record = OTAStateRecord(json: value) {
        precondition(OTAStateRecord(json: record.json) == record, "state record did not round-trip")
    }
    if size > 2 {
        let count = Int(bytes[0]) << 8 | Int(bytes[1])
        if var bitmap = ChunkBitmap(count: count, bits: Array(bytes[2...])) {
            let missing = bitmap.missingRanges(limit: 1 << 16).reduce(0) { $0 + $1.count }
            precondition(missing + bitmap.received == count, "bitmap counts disagree")
            if count > 0 { bitmap.insert(count - 1) }
        }
    }
    return 0
}
