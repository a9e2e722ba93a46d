import OTA
import Testing

@Suite struct ChunkBitmapTests {
    @Test func tracksChunksAndListsGaps() {
        var bitmap = ChunkBitmap(count: 20)
        for index in [0, 1, 2, 5, 6, 19] {
            let inserted = bitmap.insert(index)
            #expect(inserted)
        }
        let again = bitmap.insert(5)
        #expect(!again)
        #expect(bitmap.received == 6)
        #expect(bitmap.missingRanges(limit: 10) == [3...4, 7...18])
        #expect(bitmap.missingRanges(limit: 1) == [3...4])
        let restored = ChunkBitmap(count: 20, bits: bitmap.bits)
        #expect(restored == bitmap)
    }

    @Test func refusesBitsThatDoNotFit() {
        #expect(ChunkBitmap(count: 9, bits: [0xff]) == nil)
        #expect(ChunkBitmap(count: 9, bits: [0xff, 0x02]) == nil)
        #expect(ChunkBitmap(count: 9, bits: [0xff, 0x01])?.isComplete == true)
    }
}
