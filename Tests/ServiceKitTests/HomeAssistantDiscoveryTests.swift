import JSON
import ServiceKit
import Testing

@Suite("Home Assistant discovery")
struct HomeAssistantDiscoveryTests {
    let discovery = HomeAssistantDiscovery(prefix: "ha", node: "Yard-1", topicPrefix: "switchyard/Yard-1")

    func entity(_ key: String, quantity: HomeAssistantEntity.Quantity, unit: String? = nil,
                deviceClass: String? = nil, component: HomeAssistantEntity.Component = .sensor) -> HomeAssistantEntity {
        var entity = HomeAssistantEntity(component: component, source: "car", deviceKey: "WBY123", key: key, name: key,
                                         stateTopic: "switchyard/Yard-1/car/WBY123/" + key, quantity: quantity,
                                         device: .init(identifier: "car_WBY123", name: "Car", manufacturer: "Maker"))
        entity.unit = unit
        entity.deviceClass = deviceClass
        return entity
    }

    @Test("the gateway is a device with a connectivity sensor on its status topic (the last will's payloads)")
    func gatewayDevice() {
        #expect(discovery.gatewayIdentifier == "switchyard_yard_1")
        #expect(discovery.gatewayTopic == "ha/binary_sensor/switchyard_yard_1_status/config")
        let config = discovery.gatewayConfig()
        #expect(config["state_topic"]?.stringValue == "switchyard/Yard-1/status")
        #expect(config["payload_on"]?.stringValue == String(decoding: StatusTopics.online, as: UTF8.self))
        #expect(config["payload_off"]?.stringValue == String(decoding: StatusTopics.offline, as: UTF8.self))
        #expect(config["device_class"]?.stringValue == "connectivity")
        #expect(config["device"]?["identifiers"]?[0]?.stringValue == "switchyard_yard_1")
        #expect(config["device"]?["via_device"] == nil)
    }

    @Test("every entity names one unique id scheme, links to the gateway and is available only while it is online")
    func entityLinksAndAvailability() {
        let soc = entity("vehicle.soc", quantity: .measured, unit: "%", deviceClass: "battery")
        #expect(discovery.uniqueID(soc) == "switchyard_yard_1_car_wby123_vehicle_soc")
        #expect(discovery.topic(soc) == "ha/sensor/switchyard_yard_1_car_wby123_vehicle_soc/config")
        let config = discovery.config(soc)
        #expect(config["unique_id"]?.stringValue == "switchyard_yard_1_car_wby123_vehicle_soc")
        #expect(config["device"]?["via_device"]?.stringValue == discovery.gatewayIdentifier)
        #expect(config["device"]?["identifiers"]?[0]?.stringValue == "car_WBY123")
        #expect(config["availability"]?.arrayValue?.count == 1)
        #expect(config["availability"]?[0]?["topic"]?.stringValue == "switchyard/Yard-1/status")
        #expect(config["availability"]?[0]?["payload_available"]?.stringValue == "online")
        #expect(config["availability_mode"] == nil)
        #expect(config["device_class"]?.stringValue == "battery")

        var present = soc
        present.extraAvailability = .init(topic: "switchyard/Yard-1/ble/X/presence", available: "home", notAvailable: "away")
        let both = discovery.config(present)
        #expect(both["availability"]?.arrayValue?.count == 2)
        #expect(both["availability"]?[1]?["payload_not_available"]?.stringValue == "away")
        #expect(both["availability_mode"]?.stringValue == "all")
    }

    @Test("state_class follows the quantity: energy and counters total_increasing, text and binary none")
    func stateClassFromQuantity() {
        #expect(entity("t", quantity: .measured, unit: "°C", deviceClass: "temperature").stateClass == "measurement")
        #expect(entity("e", quantity: .measured, unit: "kWh", deviceClass: "energy").stateClass == "total_increasing")
        #expect(entity("e", quantity: .measured, unit: "kWh").stateClass == "total_increasing")
        #expect(entity("o", quantity: .counted, unit: "km", deviceClass: "distance").stateClass == "total_increasing")
        #expect(entity("s", quantity: .text).stateClass == nil)
        #expect(entity("ts", quantity: .measured, deviceClass: "timestamp").stateClass == nil)
        #expect(entity("d", quantity: .measured, deviceClass: "door", component: .binarySensor).stateClass == nil)
        let energy = discovery.config(entity("e", quantity: .measured, unit: "kWh", deviceClass: "energy"))
        #expect(energy["state_class"]?.stringValue == "total_increasing")
        #expect(discovery.config(entity("s", quantity: .text))["state_class"] == nil)
    }
}
