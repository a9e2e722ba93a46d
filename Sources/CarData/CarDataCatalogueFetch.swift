import HTTPClient
import Runtime

/// Fetches every page of BMW's catalogue, one after another (offset += 10 until
/// `hasNextPage` is false), into a fresh `CarDataCatalogue`.
public final class CarDataCatalogueFetch {
    /// A runaway server cannot keep us paging forever: ~25 pages today.
    static let maxPages = 200
    private let http: HTTPClient
    private let baseURL: String
    private let caFile: String
    private var catalogue = CarDataCatalogue()
    private var transfer: HTTPTransferID?
    private var cancelled = false
    private(set) var pages = 0

    public init(http: HTTPClient, baseURL: String, caFile: String) {
        self.http = http
        self.baseURL = baseURL
        self.caFile = caFile
    }

    public func run(completion: @escaping (Result<CarDataCatalogue, CarDataError>) -> Void) {
        fetch(offset: 0, completion: completion)
    }

    public func cancel() {
        cancelled = true
        if let transfer { http.cancel(transfer) }
        transfer = nil
    }

    private func fetch(offset: Int, completion: @escaping (Result<CarDataCatalogue, CarDataError>) -> Void) {
        var request = HTTPRequest.get(CarDataCatalogue.pageURL(base: baseURL, offset: offset),
                                      headers: [HTTPHeader("Accept", "application/json")])
        request.timeout = .seconds(30)
        request.maxResponseBytes = 1 << 20
        if !caFile.isEmpty { request.caFile = caFile }
        do throws(HTTPClientError) {
            transfer = try http.send(request) { [self] result in
                self.transfer = nil
                guard !self.cancelled else { return }
                self.pages += 1
                switch result {
                case .failure(let error):
                    completion(.failure(.transport("catalogue page at offset " + String(offset) + ": " + error.description)))
                case .success(let response):
                    guard response.status == 200 else {
                        completion(.failure(.transport("catalogue page at offset " + String(offset) + ": HTTP "
                                                       + String(response.status))))
                        return
                    }
                    switch self.catalogue.addPage(response.body) {
                    case .failure(let error): completion(.failure(error))
                    case .success(let more):
                        if more && self.pages < CarDataCatalogueFetch.maxPages {
                            self.fetch(offset: offset + 10, completion: completion)
                        } else if self.catalogue.isEmpty {
                            completion(.failure(.malformed("the catalogue came back empty")))
                        } else {
                            completion(.success(self.catalogue))
                        }
                    }
                }
            }
        } catch {
            completion(.failure(.transport(error.description)))
        }
    }
}
