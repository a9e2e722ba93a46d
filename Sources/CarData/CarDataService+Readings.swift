import JSON
import Runtime
import ServiceKit

/// Each BMW as a person reads it: what the stream last said, with the catalogue's names and
/// units; the state of charge and range first (and kept as trends), then the rest.
extension CarDataService {
    /// Values shown per car at most (the stream can carry hundreds of keys).
    static let readingsPerCar = 16

    public var readings: [ReadingGroup] {
        var groups: [ReadingGroup] = []
        for car in latest.entries {
            var first: [Reading] = [], rest: [Reading] = []
            for (key, value, unit) in car.values {
                let leading = CarDataService.isChargeLevel(key) || CarDataService.isRange(key)
                guard let reading = Reading.from(key, catalogue.name(key), CarDataService.numeric(value),
                                                 unit: unit ?? catalogue.unit(key), trend: leading) else { continue }
                if leading { first.append(reading) } else { rest.append(reading) }
            }
            var values = Array((first + rest).prefix(CarDataService.readingsPerCar))
            values.append(.text("updated", "Last update", WallClock.iso8601(millisecondsSinceEpoch: car.updated * 1000)))
            groups.append(ReadingGroup(id: car.id, title: "BMW " + car.id, readings: values))
        }
        return groups
    }

    /// BMW sends most numbers as strings ("80"): those become numbers, the rest stays.
    static func numeric(_ value: JSONValue) -> JSONValue {
        guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 40 else { return value }
        let parsed: JSONValue
        do throws(JSONError) { parsed = try JSONValue.parse(text) } catch { return value }
        if case .number = parsed { return parsed }
        return value
    }

    /// The battery's state of charge, as CarData names it.
    static func isChargeLevel(_ key: String) -> Bool {
        key == "vehicle.drivetrain.batteryManagement.header" || key == "vehicle.drivetrain.electricEngine.charging.level"
    }

    /// The electric range.
    static func isRange(_ key: String) -> Bool {
        key == "vehicle.drivetrain.electricEngine.kombiRemainingElectricRange"
            || key == "vehicle.drivetrain.electricEngine.remainingElectricRange"
    }
}
