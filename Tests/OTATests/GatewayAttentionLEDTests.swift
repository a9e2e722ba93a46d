import Foundation
import JSON
import OTA
import TestSupport
import Testing

/// The gateway's LED shows the highest attention its services report, whichever service it
/// is: a real supervised gateway with a BMW login waiting and then an update arriving.
@Suite struct GatewayAttentionLEDTests {
    @Test func aWaitingLoginShowsAuthorisationNeededAndAnUpdateShowsOverIt() throws {
        // BMW without a login waits for a person; nothing listens on port 9, so the
        // catalogue fetch fails at once and the service stays up.
        let gateway = try OTAGatewayFixture(extra: [
            "bmw.enabled": "true", "bmw.client_id": "0b1c2d3e-4f50-4617-8899-aabbccddeeff", "bmw.auth_url": "http://127.0.0.1:9",
            "bmw.catalogue_url": "http://127.0.0.1:9/catalogue",
        ])
        try gateway.startSupervisor()
        #expect(gateway.waitForLog("slot factory reported healthy"), "a waiting login is not a fault: \(gateway.log)")
        let waiting = gateway.waitForState { $0["led"]?.stringValue == "authorisation-needed" }
        #expect(waiting?["services"]?["bmw"]?["attention"]?.stringValue == "needs_person", "\(gateway.log)")
        #expect(waiting?["services"]?["ota"]?["attention"] == nil)

        // Half an update: the transfer is under way, and the LED says so over the login.
        let image = testImage()
        let manifest = try gateway.manifest(for: image, version: "0.2.0", chunkSize: 4096)
        try gateway.sendByHand(manifest: manifest, image: image, chunks: 0..<(manifest.chunkCount / 2))
        let updating = gateway.waitForState { $0["led"]?.stringValue == "ota" }
        #expect(updating?["services"]?["ota"]?["attention"]?.stringValue == "updating", "\(gateway.log)")
        #expect(updating?["services"]?["bmw"]?["attention"]?.stringValue == "needs_person")
    }
}
