// modules: Skoda
// What MySkoda's refresh endpoint can answer as an access token: a JWT whose payload (the
// input, wrapped as base64url between a header and a signature) carries `exp`. Huge,
// negative, fractional or infinite numbers must be refused, never trap (issue 20: 9.3e18
// took the gateway down in `Int64(exp)`); a token accepted has an expiry in range. The input
// is also tried as the whole token text.
import Crypto
import JSON
import Skoda

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    for jwt in ["eyJhbGciOiJub25lIn0." + Base64.encodeURL(input) + ".c2ln", String(decoding: input, as: UTF8.self)] {
        do throws(SkodaError) {
            let token = try SkodaToken.parse(jwt)
            precondition(SkodaToken.expiryRange.contains(token.expires), "accepted an exp out of range")
            _ = token.expiresWithin(600, now: 1_700_000_000)
        } catch {
            precondition(!error.description.isEmpty, "refused without a reason")
        }
    }
    return 0
}
