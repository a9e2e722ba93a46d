import ServiceKit

/// Each Benchlab as a person reads it: power by group, temperatures, fans.
extension BenchlabService {
    public var readings: [ReadingGroup] {
        var groups: [ReadingGroup] = []
        for device in devices {
            let title = device.identity.map { $0.model.name } ?? "Benchlab"
            guard let frame = device.lastFrame else {
                groups.append(ReadingGroup(id: device.path, title: title, badges: [device.state.name], readings: []))
                continue
            }
            var values: [Reading] = [
                .number("sys_power", "System power", tenths(BenchlabPowerSum.system.watts(frame)), unit: "W", trend: true),
                .number("cpu_power", "CPU power", tenths(BenchlabPowerSum.cpu.watts(frame)), unit: "W", trend: true),
                .number("gpu_power", "GPU power", tenths(BenchlabPowerSum.gpu.watts(frame)), unit: "W", trend: true),
            ]
            if let chip = frame.chipCelsius { values.append(.number("chip_temp", "Chip", (chip * 10).rounded() / 10, unit: "°C")) }
            if let ambient = frame.ambientCelsius {
                values.append(.number("ambient_temp", "Ambient", ambient, unit: "°C", trend: true))
                values.append(.number("humidity", "Humidity", Double(frame.humidityTenths) / 10, unit: "%"))
            }
            for (index, fan) in frame.fans.enumerated() where fan.enabled != 0 {
                values.append(.number("fan" + String(index + 1), "Fan " + String(index + 1), Double(fan.rpm), unit: "rpm"))
            }
            groups.append(ReadingGroup(id: device.path, title: title + " " + device.path, badges: [device.state.name],
                                       readings: values))
        }
        return groups
    }

    /// Watts with one decimal: the tiles stay readable, the metrics keep every milliwatt.
    private func tenths(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
