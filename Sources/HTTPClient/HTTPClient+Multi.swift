import CCurl
import Runtime

/// curl's side of the run loop: its socket and timer wishes become watches and a timer, and
/// their firing becomes `curl_multi_socket_action`, after which finished transfers complete.
extension HTTPClient {
    static let socketCallback: @convention(c) (
        UnsafeMutableRawPointer?, curl_socket_t, Int32, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?
    ) -> Int32 = { _, socket, what, userp, _ in
        guard let userp else { return 0 }
        Unmanaged<HTTPClient>.fromOpaque(userp).takeUnretainedValue().updateWatch(socket: socket, what: what)
        return 0
    }

    static let timerCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Int32 = {
        _, timeoutMs, userp in
        guard let userp else { return 0 }
        Unmanaged<HTTPClient>.fromOpaque(userp).takeUnretainedValue().scheduleTimer(milliseconds: timeoutMs)
        return 0
    }

    /// curl wants `socket` watched for `what` (CURL_POLL_IN/OUT/INOUT) or forgotten (REMOVE).
    func updateWatch(socket: curl_socket_t, what: Int32) {
        if what == CURL_POLL_REMOVE {
            socketWatches.removeValue(forKey: socket)?.cancel()
            return
        }
        var interest: IOInterest = []
        if what == CURL_POLL_IN || what == CURL_POLL_INOUT { interest.insert(.read) }
        if what == CURL_POLL_OUT || what == CURL_POLL_INOUT { interest.insert(.write) }
        if let watch = socketWatches[socket] {
            watch.interest = interest
            return
        }
        socketWatches[socket] = loop.watch(FileDescriptor(socket), interest: interest) { [self] events in
            var flags: Int32 = 0
            if events.contains(.readable) || events.contains(.hangup) { flags |= CURL_CSELECT_IN }
            if events.contains(.writable) { flags |= CURL_CSELECT_OUT }
            if events.contains(.error) { flags |= CURL_CSELECT_ERR }
            self.action(socket: socket, flags: flags)
        }
    }

    /// curl wants to be called after `milliseconds` (-1: never). Never called back from here:
    /// curl forbids re-entering socket_action from its own callback, so even 0 goes through
    /// the loop.
    func scheduleTimer(milliseconds: Int) {
        timer?.cancel()
        timer = nil
        guard milliseconds >= 0 else { return }
        timer = loop.after(.milliseconds(Int64(milliseconds))) { [self] in
            self.timer = nil
            self.action(socket: sy_curl_socket_timeout(), flags: 0)
        }
    }

    /// Lets curl work on `socket` (or on its timeouts), then completes what finished.
    func action(socket: curl_socket_t, flags: Int32) {
        var running: Int32 = 0
        _ = curl_multi_socket_action(multi, socket, flags, &running)
        completeFinished()
    }

    /// Collects every finished transfer first, then calls completions: a completion may send
    /// or cancel requests, which must not happen while curl's message queue is being read.
    private func completeFinished() {
        var finished: [(HTTPTransfer, CURLcode)] = []
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            guard let transfer = transfers.values.first(where: { $0.easy == easy }) else { continue }
            finished.append((transfer, sy_curl_msg_result(message)))
        }
        for (transfer, _) in finished {
            transfers[transfer.id] = nil
            curl_multi_remove_handle(multi, transfer.easy)
        }
        for (transfer, code) in finished {
            let result = outcome(of: transfer, code: code)
            switch result {
            case .success(let response):
                completedCount += 1
                log.debug("transfer \(transfer.id.rawValue): \(response.status) in \(response.duration.millisecondsText) ms")
            case .failure(let error):
                failedCount += 1
                log.debug("transfer \(transfer.id.rawValue): " + error.description)
            }
            transfer.completion(result)
        }
    }

    private func outcome(of transfer: HTTPTransfer, code: CURLcode) -> Result<HTTPResponse, HTTPClientError> {
        if code == CURLE_OK {
            var status = 0
            _ = sy_curl_easy_getinfo_long(transfer.easy, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPResponse(status: status, headers: transfer.headers, body: transfer.body,
                                         duration: loop.clock.now() - transfer.started))
        }
        if transfer.overflowed || code == CURLE_FILESIZE_EXCEEDED { return .failure(.tooLarge(limit: transfer.limit)) }
        return .failure(HTTPClient.error(for: code, message: transfer.message(for: code)))
    }

    /// curl's code sorted into what a caller acts on differently.
    static func error(for code: CURLcode, message: String) -> HTTPClientError {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connect(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_CRL_BADFILE,
             CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
             CURLE_SSL_CLIENTCERT:
            return .tls(message)
        default:
            return .curl(code: Int32(truncatingIfNeeded: code.rawValue), message: message)
        }
    }
}
