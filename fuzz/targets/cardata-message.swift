// modules: CarData
// Anything BMW's stream (or a man in the middle) can send on <gcid>/<VIN>, and anything the
// token endpoint or the catalogue can answer. The first byte picks the parser. Parsing must
// never trap; a message it accepts has a VIN fit for a topic and readings whose payload text
// is not empty; tokens it accepts have an id_token and a gcid; numbers from outside (exp,
// expires_in, interval) are range-checked, never trap.
import CarData
import Crypto

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = input.first else { return 0 }
    let body = Array(input.dropFirst())
    switch selector % 4 {
    case 0:
        if case .success(let message) = CarDataMessage.parse(topic: "gcid/VIN0", payload: body) {
            precondition(!message.vin.isEmpty && !message.vin.utf8.contains(UInt8(ascii: "/")), "accepted a bad VIN")
            for reading in message.readings {
                precondition(!reading.key.isEmpty && !reading.key.utf8.contains(UInt8(ascii: "#")), "accepted a bad key")
                _ = reading.payloadText
            }
        }
    case 1:
        if case .success(let tokens) = CarDataTokens.parse(body, now: 1_700_000_000) {
            precondition(!tokens.idToken.isEmpty && !tokens.gcid.isEmpty, "accepted tokens without id_token or gcid")
        }
        _ = TokenPollOutcome.classify(status: 403, body: body, now: 0)
        _ = DeviceCodeGrant.parse(body)
    case 2:
        var catalogue = CarDataCatalogue()
        _ = catalogue.addPage(body)
        _ = CarDataCatalogue.parseCache(body)
        _ = CarDataLogin.parseSeedFile(body)
    default:
        // The body as a whole token, and as the payload of one (so the fuzzer reaches `exp`
        // with any number: issue 20's 9.3e18 and 1e400 trapped in the Skoda twin of this).
        for token in [String(decoding: body, as: UTF8.self), "eyJhbGciOiJSUzI1NiJ9." + Base64.encodeURL(body) + ".c2ln"] {
            if case .success(let claims) = JWTClaims.parse(token) {
                precondition(JWTClaims.expiryRange.contains(claims.expiry), "accepted an exp out of range")
            }
        }
        _ = CivilTime.parse(String(decoding: body, as: UTF8.self))
    }
    return 0
}
