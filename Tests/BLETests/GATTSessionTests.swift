@testable import BLE
import Foundation
import Runtime
import Testing

/// The ATT client against health devices that speak real ATT PDUs on a socketpair
/// (GATTPeripheralSimulator): a blood-pressure cuff (clock, indications with confirmations,
/// a link dropped mid-measurement), a heart-rate sensor and a health thermometer.
@Suite("ATT client against simulated health devices")
struct GATTSessionTests {
    private func session(_ peripheral: GATTPeripheralSimulator, loop: EventLoop)
        throws -> (client: ATTClient, pressures: Box<[BloodPressureMeasurement]>, readings: Box<[SensorReading]>, closed: Box<String?>)
    {
        let client = ATTClient(descriptor: try peripheral.connect(), loop: loop, timeout: .seconds(3))
        let pressures = Box<[BloodPressureMeasurement]>([])
        let readings = Box<[SensorReading]>([])
        let closed = Box<String?>(nil)
        client.onBloodPressure = { pressures.value.append($0) }
        client.onReading = { readings.value.append($0) }
        client.onClosed = { closed.value = $0 }
        return (client, pressures, readings, closed)
    }

    @Test("a cuff: battery read, its clock 2 h off is set, indications enabled, stored readings confirmed one by one")
    func cuffSession() throws {
        let loop = try EventLoop()
        let cuff = GATTPeripheralSimulator(.bloodPressureCuff, loop: loop)
        cuff.clockOffset = -7200
        let now = Int64(Date().timeIntervalSince1970)
        cuff.stored = [cuff.bloodPressure(systolic: 121, diastolic: 80, mean: 95, pulse: 72, at: now - 600),
                       cuff.bloodPressure(systolic: 135, diastolic: 88, mean: 104, pulse: 66, at: now - 60)]
        let (client, pressures, readings, _) = try session(cuff, loop: loop)
        client.start()
        #expect(loop.run(timeout: 5) { client.phase == .ready })
        #expect(readings.value.first?.value(.battery) == 77)
        // The clock was 2 h behind: written, now within a few seconds of ours.
        #expect(client.clockSet && client.clockOffset.map { abs($0 + 7200) <= 2 } == true)
        #expect(cuff.clockWrites.count == 1 && abs(cuff.clockOffset) <= 2)
        // The CCCD of 0x2A35 asked for indications (0x0002), not notifications.
        #expect(cuff.cccdWrites.map(\.value) == [0x0002] && cuff.cccdWrites.first?.handle == 0x0032)
        #expect(loop.run(timeout: 5) { pressures.value.count == 2 && cuff.stored.isEmpty })
        #expect(cuff.confirmations == 2 && client.indications == 2)
        #expect(pressures.value.map { $0.systolicAndDiastolic?.systolic } == [121, 135])
        #expect(pressures.value.first?.time?.epochSeconds == now - 600)
        // A new measurement while connected comes at once.
        cuff.measure(cuff.bloodPressure(systolic: 118, diastolic: 76, mean: 90, pulse: 70, at: now))
        #expect(loop.run(timeout: 5) { pressures.value.count == 3 && cuff.confirmations == 3 })
        // An undecodable indication is confirmed too, and counted.
        cuff.measure([0x06, 0x79])
        #expect(loop.run(timeout: 5) { cuff.confirmations == 4 })
        #expect(client.undecodedValues == 1 && pressures.value.count == 3)
    }

    @Test("a cuff whose clock is right is left alone")
    func clockWithinTolerance() throws {
        let loop = try EventLoop()
        let cuff = GATTPeripheralSimulator(.bloodPressureCuff, loop: loop)
        cuff.clockOffset = 30
        let (client, _, _, _) = try session(cuff, loop: loop)
        client.start()
        #expect(loop.run(timeout: 5) { client.phase == .ready })
        #expect(!client.clockSet && cuff.clockWrites.isEmpty)
        #expect(client.clockOffset.map { abs($0 - 30) <= 2 } == true)
    }

    @Test("a cuff that drops the link right after an indication: the value read, the drop noticed, resent on the next link")
    func droppedMidMeasurement() throws {
        let loop = try EventLoop()
        let cuff = GATTPeripheralSimulator(.bloodPressureCuff, loop: loop)
        cuff.dropMidMeasurement = true
        let now = Int64(Date().timeIntervalSince1970)
        cuff.stored = [cuff.bloodPressure(systolic: 121, diastolic: 80, mean: 95, pulse: 72, at: now - 5)]
        let first = try session(cuff, loop: loop)
        first.client.start()
        #expect(loop.run(timeout: 5) { first.closed.value != nil })
        #expect(first.pressures.value.count <= 1)
        #expect(cuff.confirmations == 0 && cuff.stored.count == 1, "unconfirmed: still stored")
        let second = try session(cuff, loop: loop)
        second.client.start()
        #expect(loop.run(timeout: 5) { cuff.confirmations == 1 })
        #expect(second.pressures.value.map { $0.time?.epochSeconds } == [now - 5])
        #expect(cuff.connections == 2)
    }

    @Test("a heart-rate sensor: notifications (0x0001), RR intervals; a thermometer: FLOAT indications")
    func heartRateAndThermometer() throws {
        let loop = try EventLoop()
        let sensor = GATTPeripheralSimulator(.heartRateSensor, loop: loop)
        let hr = try session(sensor, loop: loop)
        hr.client.start()
        #expect(loop.run(timeout: 5) { hr.client.phase == .ready })
        #expect(sensor.cccdWrites.map(\.value) == [0x0001])
        sensor.notify(0x2A37, [0x10, 62, 0x00, 0x04])
        #expect(loop.run(timeout: 5) { hr.readings.value.contains { $0.value(.heartRate) == 62 } })
        #expect(hr.readings.value.last?.value(.rrInterval) == 1)

        let thermometer = GATTPeripheralSimulator(.healthThermometer, loop: loop)
        let temperature = try session(thermometer, loop: loop)
        temperature.client.start()
        #expect(loop.run(timeout: 5) { temperature.client.phase == .ready })
        #expect(thermometer.cccdWrites.map(\.value) == [0x0002])
        thermometer.measure([0x00, 0x6C, 0x01, 0x00, 0xFF])
        #expect(loop.run(timeout: 5) { thermometer.confirmations == 1 })
        #expect(temperature.readings.value.last?.value(.temperature) == 36.4)
    }
}

/// A mutable value the callbacks and the test share.
final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}
