/// One value a service shows in Home Assistant, described once so every service's discovery
/// config has the same shape (see `HomeAssistantDiscovery`).
public struct HomeAssistantEntity {
    /// The Home Assistant platform the value appears as.
    public enum Component: Sendable {
        case sensor, binarySensor

        /// The segment in the discovery topic.
        public var name: String { self == .sensor ? "sensor" : "binary_sensor" }
    }

    /// What kind of quantity a value is; Home Assistant's `state_class` follows from it.
    public enum Quantity: Sendable {
        /// Text, a state, a timestamp: no statistics.
        case text
        /// A reading that goes up and down (temperature, state of charge).
        case measured
        /// A count that only grows, or restarts from zero (odometer, movement counter).
        case counted
    }

    /// A second availability topic beside the gateway's status (a BLE device's presence).
    public struct Availability {
        public let topic: String
        public let available: String
        public let notAvailable: String

        public init(topic: String, available: String, notAvailable: String) {
            self.topic = topic
            self.available = available
            self.notAvailable = notAvailable
        }
    }

    /// The thing the value belongs to (a sensor, a car); linked to the gateway through it.
    public struct Device {
        /// Home Assistant's device identifier (`ble_<mac>`, `skoda_<VIN>`).
        public let identifier: String
        public let name: String
        public var manufacturer: String?
        public var model: String?
        /// A Bluetooth MAC, for the device registry's `connections`.
        public var macAddress: String?

        public init(identifier: String, name: String, manufacturer: String? = nil, model: String? = nil,
                    macAddress: String? = nil) {
            self.identifier = identifier
            self.name = name
            self.manufacturer = manufacturer
            self.model = model
            self.macAddress = macAddress
        }
    }

    public var component: Component
    /// Who publishes it (`ble`, `skoda`, `bmw`): part of the unique id.
    public var source: String
    /// The device's own id within its source (a MAC, a VIN): part of the unique id.
    public var deviceKey: String
    /// The value's key (`temperature`, `soc`, `vehicle.cabin.door.row1.driver.isOpen`).
    public var key: String
    public var name: String
    public var stateTopic: String
    public var quantity: Quantity
    public var valueTemplate: String?
    public var payloadOn: String?
    public var payloadOff: String?
    public var unit: String?
    public var deviceClass: String?
    public var extraAvailability: Availability?
    public var device: Device

    public init(component: Component, source: String, deviceKey: String, key: String, name: String,
                stateTopic: String, quantity: Quantity, device: Device) {
        self.component = component
        self.source = source
        self.deviceKey = deviceKey
        self.key = key
        self.name = name
        self.stateTopic = stateTopic
        self.quantity = quantity
        self.device = device
    }

    /// Home Assistant's `state_class`, from the quantity: energy is a meter reading and counts
    /// only grow (`total_increasing`, as Home Assistant requires for energy); other numbers
    /// are measurements; text, binary values and timestamps have none.
    public var stateClass: String? {
        guard component == .sensor, deviceClass != "timestamp" else { return nil }
        switch quantity {
        case .text: return nil
        case .counted: return "total_increasing"
        case .measured:
            if deviceClass == "energy" || HomeAssistantEntity.energyUnits.contains(unit ?? "") { return "total_increasing" }
            return "measurement"
        }
    }

    static let energyUnits: Set<String> = ["Wh", "kWh", "MWh"]
}
