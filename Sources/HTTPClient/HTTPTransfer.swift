import CCurl
import Runtime

/// One request in flight: its curl easy handle, the header list curl reads from, the error
/// buffer curl writes to, and what has arrived so far. Loop thread only.
final class HTTPTransfer {
    let id: HTTPTransferID
    let easy: UnsafeMutableRawPointer
    let started: Instant
    let limit: Int
    let completion: (Result<HTTPResponse, HTTPClientError>) -> Void
    var headerList: UnsafeMutablePointer<curl_slist>? = nil
    let errorBuffer: UnsafeMutablePointer<CChar>
    var body: [UInt8] = []
    var headers: [HTTPHeader] = []
    /// Header and body bytes so far, against `limit`.
    var received = 0
    /// Set when the write callback refused data because the cap was reached, so the curl
    /// write error that follows is reported as `.tooLarge`.
    var overflowed = false

    init(id: HTTPTransferID, easy: UnsafeMutableRawPointer, started: Instant, limit: Int,
         completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void) {
        self.id = id
        self.easy = easy
        self.started = started
        self.limit = limit
        self.completion = completion
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(easy)
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// Takes `count` body bytes; false (curl then aborts) once the cap would be passed.
    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard received + bytes.count <= limit else {
            overflowed = true
            return false
        }
        received += bytes.count
        body.append(contentsOf: bytes)
        return true
    }

    /// Takes one header line as curl delivers it (`Name: value\r\n`, or a status line, which
    /// starts a new response after a redirect or a 100 Continue).
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard received + bytes.count <= limit else {
            overflowed = true
            return false
        }
        received += bytes.count
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D) { end -= 1 }
        guard end > 0 else { return true }
        let line = UnsafeRawBufferPointer(rebasing: bytes[0..<end])
        if line.starts(with: "HTTP/".utf8) {
            headers.removeAll()
            return true
        }
        guard let colon = line.firstIndex(of: 0x3A) else { return true }
        var valueStart = colon + 1
        while valueStart < end && (line[valueStart] == 0x20 || line[valueStart] == 0x09) { valueStart += 1 }
        headers.append(HTTPHeader(String(decoding: line[0..<colon], as: UTF8.self),
                                  String(decoding: line[valueStart..<end], as: UTF8.self)))
        return true
    }

    /// curl's detailed message for the last failure, or its generic one for `code`.
    func message(for code: CURLcode) -> String {
        if errorBuffer.pointee != 0 { return String(cString: errorBuffer) }
        guard let generic = curl_easy_strerror(code) else { return "unknown error" }
        return String(cString: generic)
    }
}
