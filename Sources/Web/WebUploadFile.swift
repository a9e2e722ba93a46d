import CSupport
import Runtime

/// An upload's body on its way to a file on the data partition, written as it arrives.
/// A write that fails (a full partition) is remembered and the rest of the body read and
/// dropped, so the client still gets an answer that says why.
final class WebUploadFile: HTTPUploadSink {
    let path: String
    private var file: OwnedDescriptor?
    private(set) var received = 0
    private(set) var failure: RuntimeError?
    /// Called once with the file complete (its answer) or nil when the upload was abandoned
    /// or failed; the file is gone after that either way.
    private let done: (WebUploadFile, Bool) -> HTTPResponse

    init(path: String, done: @escaping (WebUploadFile, Bool) -> HTTPResponse) throws(RuntimeError) {
        self.path = path
        self.done = done
        file = OwnedDescriptor(try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600))
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        received += bytes.count
        guard failure == nil, let file else { return }
        do throws(RuntimeError) { try file.fd.writeAll(bytes) } catch { failure = error }
    }

    func finish() -> HTTPResponse {
        file = nil
        defer { try? FileSystem.remove(path) }
        return done(self, failure == nil)
    }

    func abandon() {
        file = nil
        try? FileSystem.remove(path)
        _ = done(self, false)
    }
}
