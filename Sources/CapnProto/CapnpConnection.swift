import CSupport
import Runtime

/// One client of a `CapnpServer`: its socket, the message being assembled, the RPC session
/// and the bytes waiting to be written (bounded: a client that does not read is dropped).
final class CapnpConnection {
    let fd: FileDescriptor
    /// `a.b.c.d:port`, for logs.
    let peer: String
    var assembler: CapnpFrameAssembler
    let session: CapnpRPCSession
    var watch: IOWatch?
    private var output: [UInt8] = []
    private var outputStart = 0
    let outputLimit: Int
    /// Set when more output was queued than `outputLimit` allows.
    private(set) var overflowed = false
    /// When it last sent a whole message (or connected), and when its unfinished one began.
    var lastMessage: Instant
    var partialSince: Instant?
    private(set) var isOpen = true

    init(fd: FileDescriptor, peer: String, limits: CapnpLimits, session: CapnpRPCSession, outputLimit: Int, now: Instant) {
        self.fd = fd
        self.peer = peer
        assembler = CapnpFrameAssembler(limits: limits)
        self.session = session
        self.outputLimit = outputLimit
        lastMessage = now
    }

    deinit { close() }

    var hasOutput: Bool { output.count > outputStart }

    /// Queues a framed message; refuses (and marks the connection overflowed) past the limit.
    func queue(_ bytes: [UInt8]) {
        guard isOpen else { return }
        guard output.count - outputStart + bytes.count <= outputLimit else {
            overflowed = true
            return
        }
        if outputStart > 0 && outputStart == output.count {
            output.removeAll(keepingCapacity: true)
            outputStart = 0
        }
        output.append(contentsOf: bytes)
    }

    /// Writes what the socket takes now. False when the client is gone.
    func flush() -> Bool {
        while hasOutput {
            let outcome = output.withUnsafeBytes { raw -> Result<IOResult<Int>, RuntimeError> in
                let rest = UnsafeRawBufferPointer(rebasing: raw[outputStart...])
                do throws(RuntimeError) {
                    return .success(try SystemCall.nonBlocking("send") {
                        CSupport.send(fd.rawValue, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
                    })
                } catch { return .failure(error) }
            }
            switch outcome {
            case .success(.done(let count)): outputStart += count
            case .success(.wouldBlock): return true
            case .failure: return false
            }
        }
        output.removeAll(keepingCapacity: true)
        outputStart = 0
        return true
    }

    /// Closes the socket, ends the session and lets go of the watch.
    func close() {
        guard isOpen else { return }
        isOpen = false
        session.close()
        watch?.cancel()
        watch = nil
        output = []
        outputStart = 0
        fd.close()
    }
}
