import Foundation

/// A throwaway CA and a server certificate for 127.0.0.1/localhost, made with the openssl
/// CLI, plus an unrelated CA for the "wrong CA" case.
public final class TestCertificates {
    public let directory = TemporaryDirectory(prefix: "certs")
    public var caFile: String { directory.file("ca.crt") }
    public var otherCAFile: String { directory.file("other-ca.crt") }
    public var serverCertificate: String { directory.file("server.crt") }
    public var serverKey: String { directory.file("server.key") }

    public init() throws {
        let d = directory.path
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-days", "2", "-subj", "/CN=Switchyard Test CA", "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.crt"])
        try openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-days", "2", "-subj", "/CN=Other CA", "-keyout", "\(d)/other-ca.key", "-out", "\(d)/other-ca.crt"])
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-subj", "/CN=localhost", "-keyout", "\(d)/server.key", "-out", "\(d)/server.csr"])
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\n".write(toFile: "\(d)/san.ext", atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "\(d)/server.csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key",
                     "-CAcreateserial", "-days", "2", "-extfile", "\(d)/san.ext", "-out", "\(d)/server.crt"])
        chmod(serverKey, 0o644)
    }

    /// A mosquitto listener block serving TLS on `port` with the server certificate.
    public func listenerConfig(port: Int) -> String {
        "listener \(port) 127.0.0.1\ncafile \(caFile)\ncertfile \(serverCertificate)\nkeyfile \(serverKey)\n"
    }

    private func openssl(_ arguments: [String]) throws {
        let result = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/openssl"), arguments)
        guard result.status == 0 else { throw CertificateError.openssl(result.stderr) }
    }

    public enum CertificateError: Error { case openssl(String) }
}
