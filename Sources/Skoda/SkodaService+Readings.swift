import JSON
import Runtime
import ServiceKit

/// Each Škoda as a person reads it: the values its pushes carried, in the catalogue's order
/// with its names and units, and when it was last heard.
extension SkodaService {
    public var readings: [ReadingGroup] {
        var groups: [ReadingGroup] = []
        for car in latest.entries {
            var values: [Reading] = []
            for info in SkodaValueInfo.all {
                // The "as sent" spellings are for debugging: the dashboard shows the normalised one.
                guard !info.key.hasSuffix("_raw"), let value = car.value(info.key) else { continue }
                let trend = info.key == "soc" || info.key == "range_km"
                if let reading = Reading.from(info.key, info.name, value, unit: info.unit, trend: trend) { values.append(reading) }
            }
            values.append(.text("updated", "Last update", WallClock.iso8601(millisecondsSinceEpoch: car.updated * 1000)))
            let charging = car.value("charging_state")?.stringValue == "CHARGING"
            groups.append(ReadingGroup(id: car.id, title: "Škoda " + car.id, badges: charging ? ["charging"] : [], readings: values))
        }
        return groups
    }
}
