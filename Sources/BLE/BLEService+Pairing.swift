import JSON
import ServiceKit

extension BLEService {
    /// `bcms pair|unpair|is_paired --address A` in the seed's shape `{status, errors}`:
    /// pairing and unpairing answer when the kernel has finished (or the pairing timed out);
    /// `is_paired` answers at once from the kept keys.
    func pairingCall(_ call: BCMSRequest, answer: @escaping (CommandReply) -> Void) {
        guard let address = parseAddress(call.address) else { return answer(status(false, addressError(call.address))) }
        let device = pairing.device(address, heard: registry[address]?.addressType)
        switch call.method {
        case .isPaired:
            answer(.json(["status": .bool(pairing.isPaired(address)), "errors": .array([])]))
        case .pair where pairing.isPairing(address):
            // Refused at once as already in progress (it starts no connection).
            pairing.pair(device) { [self] problem in answer(self.status(problem)) }
        case .pair:
            // Pairing connects first: it waits for the adapter's LE connect turn like a GATT link.
            let ticket = connectTurns.request(dropped: { [self] in answer(self.status(false, "the BLE service stopped")) }) {
                [self] ticket in
                self.pairing.pair(device) { [self] problem in
                    self.connectTurns.finished(ticket)
                    answer(self.status(problem))
                }
            }
            if ticket == nil {
                answer(status(false, "the adapter is busy: " + String(connectTurns.capacity)
                              + " connection attempts are waiting; try again"))
            }
        case .unpair:
            pairing.unpair(device) { [self] problem in answer(self.status(problem)) }
        default:
            preconditionFailure("pairingCall is for pair, unpair and is_paired")
        }
    }
}
