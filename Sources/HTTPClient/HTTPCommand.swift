import CLI
import Runtime

/// `switchyard http get|post URL`: one request through the gateway's own HTTP client (curl
/// multi in a run loop), to check from the device that a cloud endpoint, its TLS and the CA
/// directory work. The body goes to standard output, the status line to standard error.
public enum HTTPCommand {
    /// `switchyard http`: no service's, so the executable lists it among its own tools.
    public static var command: CLICommand<Void> {
        CLICommand("http", summary: "One HTTP(S) request through the gateway's client: get URL | post URL --json TEXT",
                   help: help) { arguments, _ throws(UsageError) in try main(arguments) }
    }

    static let help = """
    Usage: switchyard http get URL [--ca-file FILE] [--ca-dir DIR] [--timeout SECONDS] [--header 'Name: value']
           switchyard http post URL (--json TEXT | --form 'a=1&b=2') [same options]

    Sends one request the way the gateway's services do (libcurl in the run loop, TLS checked
    against /etc/ssl/certs unless --ca-file or --ca-dir says otherwise) and prints the response
    body; the status and time go to standard error. Exit status 0 for a 2xx answer, 1 for any
    other answer or a failure (timeout, connect, TLS: the message says which).
    Headers are sent but never printed; a secret in one stays off the terminal.
    """

    static func main(_ arguments: [String]) throws(UsageError) -> Int32 {
        let parsed = try Arguments(arguments, valued: ["--ca-file", "--ca-dir", "--timeout", "--header", "--json", "--form"])
        if parsed.wantsHelp {
            Output.line(help)
            return 0
        }
        guard parsed.positionals.count == 2, let method = parsed.positionals.first else {
            throw UsageError("expected `get URL` or `post URL`")
        }
        let url = parsed.positionals[1]
        var request: HTTPRequest
        switch method {
        case "get":
            request = .get(url)
        case "post":
            if let json = parsed.value("--json") {
                request = .postJSON(url, json: json)
            } else if let form = parsed.value("--form") {
                request = HTTPRequest(method: .post, url: url, body: Array(form.utf8))
                request.add("Content-Type", "application/x-www-form-urlencoded")
            } else {
                throw UsageError("post needs --json TEXT or --form 'a=1&b=2'")
            }
        default:
            throw UsageError("unknown method \"\(method)\"; use get or post")
        }
        if let header = parsed.value("--header") {
            guard let colon = header.firstIndex(of: ":") else { throw UsageError("--header needs 'Name: value'") }
            let value = header[header.index(after: colon)...].drop { $0 == " " }
            request.add(String(header[..<colon]), String(value))
        }
        if let text = parsed.value("--timeout") {
            // Bounded: `.seconds` of 10^10 and more overflows the nanosecond count (a trap).
            guard let seconds = Int64(text), (1...86_400).contains(seconds) else {
                throw UsageError("--timeout needs whole seconds, 1 to 86400")
            }
            request.timeout = .seconds(seconds)
        }
        if let caFile = parsed.value("--ca-file") { request.caFile = caFile }
        var settings = HTTPClientSettings()
        if let directory = parsed.value("--ca-dir") { settings.caDirectory = directory }
        return run(request, settings: settings)
    }

    private static func run(_ request: HTTPRequest, settings: HTTPClientSettings) -> Int32 {
        let loop: EventLoop
        do throws(RuntimeError) { loop = try EventLoop() } catch {
            Output.error("switchyard http: " + error.description)
            return 1
        }
        let client = HTTPClient(loop: loop, settings: settings)
        var outcome: Result<HTTPResponse, HTTPClientError>? = nil
        do throws(HTTPClientError) {
            try client.send(request) { result in
                outcome = result
                loop.stop()
            }
        } catch {
            Output.error("switchyard http: " + error.description)
            return 1
        }
        do throws(RuntimeError) { try loop.run() } catch {
            Output.error("switchyard http: " + error.description)
            return 1
        }
        switch outcome {
        case .success(let response):
            try? FileDescriptor.standardOutput.writeAll(response.text)
            Output.error("HTTP \(response.status) (\(response.body.count) bytes in \(response.duration.millisecondsText) ms)")
            return response.isSuccess ? 0 : 1
        case .failure(let error):
            Output.error("switchyard http: " + request.redactedURL + ": " + error.description)
            return 1
        case nil:
            return 1
        }
    }
}
