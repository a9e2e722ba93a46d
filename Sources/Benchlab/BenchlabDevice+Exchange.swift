import Runtime
import SerialPort

extension BenchlabDevice {
    /// The requests a device makes, in order; each knows its opcode and reply length.
    enum Step: Equatable {
        case vendorData
        case welcome(expected: Int)
        case uid
        case sensors(expected: Int)

        var opcode: BenchlabOpcode {
            switch self {
            case .vendorData: return .readVendorData
            case .welcome: return .welcome
            case .uid: return .readUID
            case .sensors: return .readSensors
            }
        }

        var expected: Int {
            switch self {
            case .vendorData: return BenchlabOpcode.vendorDataLength
            case .welcome(let expected), .sensors(let expected): return expected
            case .uid: return BenchlabOpcode.uidLength
            }
        }
    }

    /// What arriving bytes belong to.
    enum Phase: Equatable {
        case closed
        /// Collecting a welcome the firmware may push when RTS rises.
        case draining
        case awaiting(Step)
        /// Nothing asked: bytes now are stale.
        case idle
    }

    /// The unsolicited welcome is at most this long.
    static let pushedWelcomeLength = 32

    func beginDrain() {
        phase = .draining
        received.removeAll(keepingCapacity: true)
        replyTimer = loop.after(settings.welcomeDrain) { [self] in self.finishDrain() }
    }

    func finishDrain() {
        guard phase == .draining else { return }
        replyTimer?.cancel()
        if !received.isEmpty { log.debug(path + ": drained " + String(received.count) + " welcome bytes") }
        send(.vendorData)
    }

    /// Clears stale input, writes the request byte and waits for its reply or the timeout.
    func send(_ step: Step) {
        guard let port else { return }
        do throws(SerialPortError) {
            let stale = try port.bytesWaiting
            if stale > 0 { stats.staleBytes += stale }
            try port.flushInput()
            guard try port.write([step.opcode.rawValue]) == 1 else {
                fail(.port(.ioFailed(path: path, operation: "write", reason: "output buffer full")))
                return
            }
        } catch {
            fail(.port(error))
            return
        }
        phase = .awaiting(step)
        received.removeAll(keepingCapacity: true)
        replyTimer = loop.after(settings.replyTimeout) { [self] in self.replyTimedOut() }
    }

    func replyTimedOut() {
        guard case .awaiting(let step) = phase else { return }
        if received.isEmpty {
            fail(.timeout(opcode: step.opcode.name))
        } else {
            fail(.shortReply(opcode: step.opcode.name, expected: step.expected, received: received.count))
        }
    }

    /// The port is readable (or hung up): take what arrived and see whether a reply is whole.
    func handle(_ events: IOEvents) {
        guard let port else { return }
        var arrived = 0
        while true {
            let outcome = scratch.withUnsafeMutableBytes { raw -> Result<IOResult<Int>, SerialPortError> in
                do throws(SerialPortError) { return .success(try port.read(into: raw)) } catch { return .failure(error) }
            }
            let result: IOResult<Int>
            switch outcome {
            case .success(let value): result = value
            case .failure(let error):
                fail(.port(error))
                return
            }
            guard case .done(let count) = result, count > 0 else { break }
            arrived += count
            if case .idle = phase {
                stats.staleBytes += count
            } else {
                received.append(contentsOf: scratch[0..<count])
            }
            if count < scratch.count { break }
        }
        if arrived == 0 && (events.contains(.hangup) || events.contains(.error)) {
            fail(.port(.disconnected(path: path)))
            return
        }
        switch phase {
        case .draining:
            if received.count >= BenchlabDevice.pushedWelcomeLength { finishDrain() }
        case .awaiting(let step):
            if received.count > step.expected {
                fail(.overlongReply(opcode: step.opcode.name, expected: step.expected, received: received.count))
            } else if received.count == step.expected {
                replyTimer?.cancel()
                replyTimer = nil
                phase = .idle
                let bytes = received
                received.removeAll(keepingCapacity: true)
                complete(step, bytes)
            }
        case .closed, .idle:
            break
        }
    }

    /// A whole reply to `step` arrived.
    func complete(_ step: Step, _ bytes: [UInt8]) {
        switch step {
        case .vendorData:
            do throws(BenchlabError) {
                let vendor = try BenchlabVendorData.decode(bytes)
                self.vendor = vendor
                send(.welcome(expected: vendor.model.welcomeLength(firmware: vendor.firmware)))
            } catch {
                fail(error)
            }
        case .welcome:
            guard Array(bytes.prefix(BenchlabOpcode.welcomePrefix.count)) == BenchlabOpcode.welcomePrefix else {
                fail(.notABenchlab("the welcome reply does not start with BENCHLAB"))
                return
            }
            send(.uid)
        case .uid:
            guard let vendor else { return }
            do throws(BenchlabError) {
                let uid = try BenchlabIdentity.uidText(bytes)
                identified(BenchlabIdentity(uid: uid, model: vendor.model, firmware: vendor.firmware))
            } catch {
                fail(error)
            }
        case .sensors:
            sensorsArrived(bytes)
        }
    }
}
