import CCurl
import Runtime

/// Turning an `HTTPRequest` into curl easy-handle options. Strings are copied by curl
/// (CURLOPT_COPYPOSTFIELDS for the body), so nothing here must outlive the call except the
/// header list and the transfer, which the transfer owns.
extension HTTPClient {
    static let writeCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, userdata in
        guard let userdata else { return 0 }
        let transfer = Unmanaged<HTTPTransfer>.fromOpaque(userdata).takeUnretainedValue()
        let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
        return transfer.appendBody(bytes) ? size * count : 0
    }

    static let headerCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
        data, size, count, userdata in
        guard let userdata else { return 0 }
        let transfer = Unmanaged<HTTPTransfer>.fromOpaque(userdata).takeUnretainedValue()
        let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
        return transfer.appendHeaderLine(bytes) ? size * count : 0
    }

    func configure(_ transfer: HTTPTransfer, for request: HTTPRequest) throws(HTTPClientError) {
        let easy = transfer.easy
        guard !request.url.isEmpty else { throw .invalidRequest("empty URL") }
        let me = Unmanaged.passUnretained(transfer).toOpaque()

        try set(easy, CURLOPT_URL, request.url)
        // Only HTTP(S): a URL from config must not make us open a file:// or another protocol.
        try set(easy, CURLOPT_PROTOCOLS_STR, "http,https")
        try set(easy, CURLOPT_USERAGENT, settings.userAgent)
        // Signals and threads: curl must never use SIGALRM for its timeouts in our process.
        try set(easy, CURLOPT_NOSIGNAL, 1)
        try set(easy, CURLOPT_TIMEOUT_MS, Int((request.timeout ?? settings.defaultTimeout).milliseconds))
        try set(easy, CURLOPT_CONNECTTIMEOUT_MS, Int(settings.connectTimeout.milliseconds))
        try set(easy, CURLOPT_ERRORBUFFER, UnsafeRawPointer(transfer.errorBuffer))
        _ = sy_curl_easy_setopt_write(easy, CURLOPT_WRITEFUNCTION, HTTPClient.writeCallback)
        try set(easy, CURLOPT_WRITEDATA, UnsafeRawPointer(me))
        _ = sy_curl_easy_setopt_write(easy, CURLOPT_HEADERFUNCTION, HTTPClient.headerCallback)
        try set(easy, CURLOPT_HEADERDATA, UnsafeRawPointer(me))
        // A declared Content-Length past the cap fails before any byte is read.
        _ = sy_curl_easy_setopt_off(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(transfer.limit))
        if request.followRedirects {
            try set(easy, CURLOPT_FOLLOWLOCATION, 1)
            try set(easy, CURLOPT_MAXREDIRS, 5)
        }

        try configureTLS(easy, request)
        try configureMethod(easy, request)

        for header in request.headers {
            for byte in Array(header.name.utf8) + Array(header.value.utf8) where byte == 0x0A || byte == 0x0D {
                throw .invalidRequest("line break in header " + header.name)
            }
            let line = header.name + ": " + header.value
            guard let list = line.withCString({ curl_slist_append(transfer.headerList, $0) }) else {
                preconditionFailure("curl_slist_append: out of memory")
            }
            transfer.headerList = list
        }
        if let list = transfer.headerList { try set(easy, CURLOPT_HTTPHEADER, UnsafeRawPointer(list)) }
    }

    private func configureTLS(_ easy: UnsafeMutableRawPointer, _ request: HTTPRequest) throws(HTTPClientError) {
        try set(easy, CURLOPT_SSL_VERIFYPEER, 1)
        try set(easy, CURLOPT_SSL_VERIFYHOST, 2)
        if !request.caFile.isEmpty {
            // A private server's CA replaces the system's: the test servers, a customer's API.
            try set(easy, CURLOPT_CAINFO, request.caFile)
            try set(easy, CURLOPT_CAPATH, nil)
        } else {
            if !settings.caFile.isEmpty { try set(easy, CURLOPT_CAINFO, settings.caFile) }
            if !settings.caDirectory.isEmpty { try set(easy, CURLOPT_CAPATH, settings.caDirectory) }
        }
        if !request.clientCertificateFile.isEmpty {
            try set(easy, CURLOPT_SSLCERT, request.clientCertificateFile)
            try set(easy, CURLOPT_SSLKEY, request.clientKeyFile.isEmpty ? request.clientCertificateFile : request.clientKeyFile)
        }
    }

    private func configureMethod(_ easy: UnsafeMutableRawPointer, _ request: HTTPRequest) throws(HTTPClientError) {
        switch request.method {
        case .get:
            guard request.body.isEmpty else { throw .invalidRequest("GET with a body") }
            return
        case .head:
            try set(easy, CURLOPT_NOBODY, 1)
            return
        case .post:
            try set(easy, CURLOPT_POST, 1)
        case .put, .patch, .delete:
            try set(easy, CURLOPT_CUSTOMREQUEST, request.method.name)
        }
        // Size first: COPYPOSTFIELDS copies exactly that many bytes (the body may hold NULs).
        _ = sy_curl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
        let code = request.body.withUnsafeBytes { bytes in
            sy_curl_easy_setopt_ptr(easy, CURLOPT_COPYPOSTFIELDS, bytes.count > 0 ? bytes.baseAddress : UnsafeRawPointer(bitPattern: 0))
        }
        try check(code, "body")
    }

    private func set(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) throws(HTTPClientError) {
        try check(sy_curl_easy_setopt_long(easy, option, value), "option")
    }

    private func set(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, _ value: UnsafeRawPointer?) throws(HTTPClientError) {
        try check(sy_curl_easy_setopt_ptr(easy, option, value), "option")
    }

    private func set(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, _ value: String) throws(HTTPClientError) {
        let code = value.withCString { sy_curl_easy_setopt_ptr(easy, option, $0) }
        try check(code, "option")
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPClientError) {
        guard code == CURLE_OK else {
            let message = curl_easy_strerror(code).map { String(cString: $0) } ?? "unknown"
            throw .invalidRequest(what + ": " + message)
        }
    }
}
