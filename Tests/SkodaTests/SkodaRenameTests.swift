import Foundation
import TestSupport
import Testing

/// Home Assistant discovery follows `node.name` (ServiceHost.rename, as the gateway calls it
/// when the name is saved): what was announced under the old name is withdrawn with empty
/// retained configs, or Home Assistant would keep an unavailable twin of every entity.
@Suite("Skoda discovery moves with node.name", .serialized)
struct SkodaRenameTests {
    static let oldSoc = "homeassistant/sensor/switchyard_test_skoda_tmbjb9ny6rf999999_soc/config"
    static let oldGateway = "homeassistant/binary_sensor/switchyard_test_status/config"
    static let newSoc = "homeassistant/sensor/switchyard_garage_skoda_tmbjb9ny6rf999999_soc/config"

    @Test("a rename withdraws the old configs (a late subscriber finds none) and the next event announces under the new name")
    func renameWithdrawsTheOldConfigs() throws {
        let rig = try SkodaRig()
        let observer = try MQTTObserver(port: rig.broker.port, topics: ["homeassistant/#"])
        rig.host.startAll()
        #expect(rig.waitConnected(), "\(rig.status)")
        #expect(rig.waitSubscribed())
        try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.chargingTopic, message: SkodaSeedExamples.changeSoc[0])
        let expected = ["soc", "range_km", "charging_state", "charge_mode"].map {
            "homeassistant/sensor/switchyard_test_skoda_tmbjb9ny6rf999999_" + $0 + "/config"
        } + [SkodaRenameTests.oldGateway]
        #expect(rig.loop.run(timeout: 20) { expected.allSatisfy { !observer.payloads(on: $0).isEmpty } }, "\(observer.lines)")
        let announced = Set(observer.lines.map { String($0.prefix { $0 != " " }) })

        rig.host.rename(node: "garage", topicPrefix: "switchyard/garage")
        let withdrawn = rig.loop.run(timeout: 10) {
            announced.allSatisfy { ["", "(null)"].contains(observer.payloads(on: $0).last ?? "x") }
        }
        #expect(withdrawn, "every old config is withdrawn: \(observer.lines)")
        for topic in [SkodaRenameTests.oldSoc, SkodaRenameTests.oldGateway] {
            #expect(try MQTTTool.retained(port: rig.broker.port, topic: topic, timeout: 1) == nil, "\(topic) still retained")
        }

        // The service, made again under the new name, announces there when a value arrives.
        #expect(rig.waitConnected(), "\(rig.status)")
        #expect(rig.loop.run(timeout: 20) { rig.broker.log.contains("Sending SUBACK to switchyard-garage-skoda") })
        try MQTTTool.publish(port: rig.broker.port, topic: SkodaSeedExamples.chargingTopic, message: SkodaSeedExamples.changeSoc[1])
        #expect(rig.loop.run(timeout: 20) { !observer.payloads(on: SkodaRenameTests.newSoc).isEmpty }, "\(observer.lines)")
        #expect(observer.payloads(on: SkodaRenameTests.oldSoc).last.map { ["", "(null)"].contains($0) } == true,
                "nothing announced under the old name again")
        rig.host.stopAll()
    }
}
