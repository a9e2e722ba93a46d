import HTTPClient
import JSON
import Runtime

/// One refresh at a time against MySkoda's refresh endpoint:
/// `POST {"token": <refresh token>}` -> `{accessToken, refreshToken, idToken}`.
final class SkodaTokenRefresher {
    /// What a successful refresh yields.
    struct Tokens {
        let access: SkodaToken
        let refresh: String
    }

    private let http: HTTPClient
    private let url: String
    private var pending: HTTPTransferID?

    init(http: HTTPClient, url: String) {
        self.http = http
        self.url = url
    }

    var isRefreshing: Bool { pending != nil }

    /// Starts a refresh with `refreshToken`; `completion` runs once on the loop (not after `cancel`).
    /// A refresh already running is not started twice: the call is ignored.
    func refresh(_ refreshToken: String, completion: @escaping (Result<Tokens, SkodaError>) -> Void) {
        guard pending == nil else { return }
        let body: JSONValue = ["token": .string(refreshToken)]
        var request = HTTPRequest.postJSON(url, json: body.serialized())
        request.add("Accept", "application/json")
        request.timeout = .seconds(30)
        request.maxResponseBytes = 64 * 1024
        do throws(HTTPClientError) {
            pending = try http.send(request) { [self] result in
                self.pending = nil
                completion(SkodaTokenRefresher.interpret(result))
            }
        } catch {
            completion(.failure(.refreshUnreachable(error.description)))
        }
    }

    func cancel() {
        if let pending { http.cancel(pending) }
        pending = nil
    }

    static func interpret(_ result: Result<HTTPResponse, HTTPClientError>) -> Result<Tokens, SkodaError> {
        let response: HTTPResponse
        switch result {
        case .failure(let error): return .failure(.refreshUnreachable(error.description))
        case .success(let answer): response = answer
        }
        if response.status == 401 || response.status == 403 { return .failure(.refreshRejected(status: response.status)) }
        guard response.isSuccess else { return .failure(.refreshMalformed("HTTP \(response.status)")) }
        let document: JSONValue
        do throws(JSONError) { document = try JSONValue.parse(response.body) } catch {
            return .failure(.refreshMalformed("not JSON (" + (response.header("content-type") ?? "no content type") + ")"))
        }
        guard let access = document["accessToken"]?.stringValue, !access.isEmpty else {
            return .failure(.refreshMalformed("no accessToken"))
        }
        guard let refresh = document["refreshToken"]?.stringValue, !refresh.isEmpty else {
            return .failure(.refreshMalformed("no refreshToken"))
        }
        do throws(SkodaError) {
            return .success(Tokens(access: try SkodaToken.parse(access), refresh: refresh))
        } catch {
            return .failure(error)
        }
    }
}
