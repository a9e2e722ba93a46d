import Foundation
import HTTPClient
import JSON
import Runtime
import ServiceKit
import Store
import TestSupport
import Testing
import Uplink
@testable import CarData

/// The service end to end: a local OAuth server answering as BMW does, a TLS mosquitto
/// standing in for BMW's broker (its password file holds the id_token the server issued),
/// and the gateway's own broker where the car's data must appear.
@Suite("BMW CarData service end to end", .serialized)
struct CarDataServiceTests {
    static let vin = "WBY11CF080CH12345"
    static let gcid = "0b2bc8a1-5f7c-4c1e-9b1f-2f3c4d5e6f70"

    /// BMW's side: a TLS broker with a password file and the OAuth server that fills it.
    final class FakeBMW {
        let certificates: TestCertificates
        let passwords = TemporaryDirectory(prefix: "bmw-passwd")
        let broker: MosquittoBroker
        let tlsPort = FreePort.next()
        let cloud: FakeBMWCloud

        init(stale: Int = 0) throws {
            certificates = try TestCertificates()
            let file = passwords.file("passwd")
            try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/mosquitto_passwd"), ["-b", "-c", file, "nobody", "nothing"])
            chmod(passwords.path, 0o755)
            chmod(file, 0o644)
            broker = try MosquittoBroker(extraConfig: certificates.listenerConfig(port: tlsPort) + "password_file \(file)\n")
            _ = FreePort.waitUntilListening(tlsPort, timeout: 5)
            cloud = try FakeBMWCloud(arguments: ["--passwd", file, "--broker-pid", String(broker.pid!), "--stale", String(stale)])
        }
    }

    private func store(_ bmw: FakeBMW, data: TemporaryDirectory, extra: [String: String] = [:]) throws -> ConfigStore {
        var schema = ConfigSchema.standard
        schema.register(CarDataConfigKeys.all + CarDataConfigKeys.stored)
        let store = ConfigStore(schema: schema, dataDirectory: data.path, environment: { _ in nil })
        let values = ["bmw.enabled": "true", "bmw.client_id": "0b1c2d3e-4f50-4617-8899-aabbccddeeff", "bmw.vin": CarDataServiceTests.vin,
                      "bmw.mqtt_host": "localhost", "bmw.mqtt_port": String(bmw.tlsPort),
                      "bmw.mqtt_ca_file": bmw.certificates.caFile, "bmw.auth_url": bmw.cloud.authURL,
                      "bmw.catalogue_url": bmw.cloud.catalogueURL, "bmw.token_file": data.file("bmw_tokens.json")]
        for (key, value) in values.merging(extra, uniquingKeysWith: { $1 }) { try store.set(key, to: value) }
        return store
    }

    private func hosted(_ store: ConfigStore, _ loop: EventLoop, _ uplink: MQTTClient) throws
        -> (ServiceHost, CarDataService, CommandRegistry)
    {
        let registry = CommandRegistry()
        let host = ServiceHost(catalogue: [CarDataService.descriptor], store: store, loop: loop, port: uplink, node: "test",
                               topicPrefix: "switchyard/test", commands: registry)
        host.startAll()
        let service = try #require(host.service(named: "bmw") as? CarDataService)
        service.authorizer?.slowDownStep = 1 // BMW's 5 s, shortened
        return (host, service, registry)
    }

    /// A device-code login against `bmw`'s fake cloud, as `bmw login` makes one: the loop it
    /// ran on, the authorizer (for a refresh) and the tokens.
    private func deviceCodeLogin(_ bmw: FakeBMW) throws -> (EventLoop, CarDataAuthorizer, CarDataTokens) {
        let loop = try EventLoop()
        let http = HTTPClient(loop: loop)
        let auth = CarDataAuthorizer(http: http, loop: loop, log: Logger("bmw-test"), authURL: bmw.cloud.authURL,
                                     clientID: "0b1c2d3e-4f50-4617-8899-aabbccddeeff", caFile: "")
        auth.slowDownStep = 1
        var login: Result<CarDataTokens, CarDataError>?
        auth.login { login = $0 }
        #expect(loop.run(timeout: 20) { login != nil })
        return (loop, auth, try #require(try? login?.get()))
    }

    private func carMessage(_ value: String) -> String {
        #"{"vin":"\#(CarDataServiceTests.vin)","entityId":"\#(CarDataServiceTests.gcid)","topic":"\#(CarDataServiceTests.vin)","timestamp":"2025-10-01T10:12:40.809Z","data":{"vehicle.cabin.door.row2.driver.isOpen":{"timestamp":"2025-09-17T12:18:19Z","value":false},"vehicle.drivetrain.batteryManagement.header":{"timestamp":"2025-10-01T10:12:39Z","value":"\#(value)","unit":"%"}}}"#
    }

    @Test("`bmw login`, the stream through BMW's stand-in, BMW's JSON republished byte for byte, values and discovery; no secret leaks")
    func loginStreamRepublish() throws {
        let bmw = try FakeBMW()
        let data = TemporaryDirectory(prefix: "bmw-data")
        let local = try MosquittoBroker()
        let observer = try MQTTObserver(port: local.port, topics: ["bmw/#", "switchyard/test/car/#", "homeassistant/#"])
        let loop = try EventLoop()
        let uplink = try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: Int32(local.port), clientID: "gw"), loop: loop)
        uplink.start()
        #expect(loop.run(timeout: 10) { uplink.isConnected })
        let store = try store(bmw, data: data)

        let (run, lines) = try LogCapture.lines { () throws -> (CarDataService, ServiceHost, CommandRegistry) in
            let (host, service, registry) = try hosted(store, loop, uplink)
            #expect(service.stateName == "login needed")
            #expect(host.attention(of: "bmw") == .needsPerson, "the LED asks for a login")
            // Logging in changes state: from the broker only with cmnd.allow_privileged on.
            let reply = registry.execute("bmw", CommandRequest(origin: .mqtt, arguments: ["login"], allowsPrivileged: true))
            #expect(reply.ok, "\(reply.output.text)")
            #expect(loop.run(timeout: 10) { service.stateJSON()["login"]?["user_code"]?.stringValue == "ABCD-1234" })
            #expect(service.stateJSON()["login"]?["verification_uri_complete"]?.stringValue?.contains("code=ABCD-1234") == true)
            #expect(loop.run(timeout: 30) { service.stream?.client.isConnected == true }, "\(service.stateJSON()) \(bmw.broker.log.suffix(800))")
            #expect(host.attention(of: "bmw") == Attention.none)
            #expect(loop.run(timeout: 5) { service.stream?.client.subscriptionsAnswered == true })
            try MQTTTool.publish(port: bmw.broker.port, topic: "\(CarDataServiceTests.gcid)/\(CarDataServiceTests.vin)",
                                 message: carMessage("9.498705"))
            #expect(loop.run(timeout: 10) { service.stats.messages == 1 })
            // Garbage on the stream is counted and the stream goes on.
            try MQTTTool.publish(port: bmw.broker.port, topic: "\(CarDataServiceTests.gcid)/\(CarDataServiceTests.vin)", message: "<html>")
            #expect(loop.run(timeout: 10) { service.stats.malformed == 1 })

            // A refresh ahead of expiry: a new id_token, the stream reconnects with it.
            let connects = service.stream!.client.stats.connects
            service.refreshNow()
            #expect(loop.run(timeout: 15) { service.stream!.client.stats.connects == connects + 1 && service.stream!.client.isConnected })
            #expect(loop.run(timeout: 5) { service.stream!.client.subscriptionsAnswered }, "the re-subscription's SUBACK")
            try MQTTTool.publish(port: bmw.broker.port, topic: "\(CarDataServiceTests.gcid)/\(CarDataServiceTests.vin)",
                                 message: carMessage("80"))
            #expect(loop.run(timeout: 10) { service.stats.messages == 3 })
            return (service, host, registry)
        }
        let (service, host, registry) = run
        // /metrics (issue 28): the stream's counters, declared as counters with what was counted.
        let declared = try #require(host.metrics().first { $0.service == "bmw" }?.metrics)
        #expect(declared.first { $0.name == "messages" }?.kind == .counter)
        #expect(declared.first { $0.name == "messages" }?.samples.first?.value == 3)
        #expect(declared.first { $0.name == "malformed" }?.samples.first?.value == 1)
        #expect(declared.first { $0.name == "last_message_timestamp_seconds" }?.kind == .gauge)
        // The dashboard's readings (issue 28): the state of charge first, with the catalogue's unit.
        let car = try #require(service.readings.first)
        #expect(car.title == "BMW " + CarDataServiceTests.vin)
        #expect(car.readings.first?.json == ["key": "vehicle.drivetrain.batteryManagement.header", "name": .string(service.catalogue.name(
            "vehicle.drivetrain.batteryManagement.header")), "value": 80, "unit": "%", "trend": true], "\(car.json)")
        let raw = "bmw/\(CarDataServiceTests.vin) " + carMessage("9.498705")
        #expect(observer.wait(timeout: 10) { $0.contains(raw) }, "BMW's JSON unchanged on bmw/<VIN>")
        let prefix = "switchyard/test/car/\(CarDataServiceTests.vin)/"
        #expect(observer.wait(timeout: 10) { $0.contains(prefix + "vehicle.drivetrain.batteryManagement.header 80") })
        #expect(observer.lines.contains(prefix + "vehicle.drivetrain.batteryManagement.header 9.498705"))
        #expect(observer.lines.contains(prefix + "vehicle.cabin.door.row2.driver.isOpen false"))
        let vin = CarDataServiceTests.vin.lowercased()
        let doorTopic = "homeassistant/binary_sensor/switchyard_test_bmw_\(vin)_vehicle_cabin_door_row2_driver_isopen/config"
        // Discovery goes at QoS 1, the values at QoS 0: a config may arrive after the value.
        #expect(observer.wait(timeout: 10) { lines in lines.contains { $0.hasPrefix(doorTopic + " ") } })
        let door = try #require(observer.lines.last { $0.hasPrefix(doorTopic + " ") })
        let doorConfig = try JSONValue.parse(String(door.dropFirst(doorTopic.count + 1)))
        #expect(doorConfig["device_class"]?.stringValue == "door")
        #expect(doorConfig["payload_on"]?.stringValue == "true")
        #expect(doorConfig["device"]?["via_device"]?.stringValue == "switchyard_test")
        #expect(doorConfig["availability"]?[0]?["topic"]?.stringValue == "switchyard/test/status")
        let socTopic = "homeassistant/sensor/switchyard_test_bmw_\(vin)_vehicle_drivetrain_batterymanagement_header/config"
        #expect(observer.wait(timeout: 10) { lines in lines.contains { $0.hasPrefix(socTopic + " ") } })
        let soc = try #require(observer.lines.last { $0.hasPrefix(socTopic + " ") })
        let socConfig = try JSONValue.parse(String(soc.dropFirst(socTopic.count + 1)))
        #expect(socConfig["device_class"]?.stringValue == "battery")
        #expect(socConfig["unit_of_measurement"]?.stringValue == "%")
        #expect(socConfig["state_class"]?.stringValue == "measurement")
        #expect(observer.lines.contains { $0.hasPrefix("homeassistant/binary_sensor/switchyard_test_status/config ") })
        // The catalogue was fetched page by page at start (25 items, 3 pages) and names the values.
        #expect(service.catalogue.items.count == 25)
        #expect(bmw.cloud.requests.filter { $0["path"] as? String == "catalogue" }.count == 3)
        #expect(lines.contains { $0.contains("Status of rear left door: false (at 2025-09-17T12:18:19Z)") }, "\(lines.suffix(20))")

        // The login is kept: as secrets in the config, and in the seed's token file.
        let tokens = try #require(service.tokens)
        #expect(store.secretValue(CarDataConfigKeys.refreshToken) == tokens.refreshToken)
        #expect(!store.show().joined().contains(tokens.refreshToken))
        let seed = try #require(CarDataLogin.importSeedFile(data.file("bmw_tokens.json"))).get()
        #expect(seed.refreshToken == tokens.refreshToken && seed.gcid == CarDataServiceTests.gcid)

        // Credentials only on the console; never on MQTT.
        #expect(!registry.execute("bmw", CommandRequest(origin: .mqtt, arguments: ["credentials"])).ok)
        let credentials = registry.execute("bmw", CommandRequest(origin: .console, arguments: ["credentials"]))
        #expect(credentials.output.text.contains("Password: " + tokens.idToken))
        #expect(credentials.output.text.contains("Topic: \(CarDataServiceTests.gcid)/\(CarDataServiceTests.vin)"))

        // No token in anything printed or published (the credentials reply aside).
        let published = observer.lines.joined(separator: "\n") + host.stateJSON().serialized()
            + registry.execute("bmw", CommandRequest(origin: .mqtt, arguments: ["status"])).output.text
        for secret in [tokens.idToken, tokens.refreshToken, tokens.accessToken] {
            #expect(!published.contains(secret))
            #expect(!lines.contains { $0.contains(secret) })
        }
        host.stopAll()
    }

    @Test("with bmw.session_expiry_s, the reconnect after a token refresh loses no QoS 1 message")
    func refreshLosesNothing() throws {
        let bmw = try FakeBMW()
        let data = TemporaryDirectory(prefix: "bmw-data")
        let local = try MosquittoBroker()
        let loop = try EventLoop()
        let uplink = try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: Int32(local.port), clientID: "gw"), loop: loop)
        uplink.start()
        let store = try store(bmw, data: data, extra: ["bmw.session_expiry_s": "300", "bmw.ha_discovery": "false"])
        let (host, service, _) = try hosted(store, loop, uplink)
        service.beginLogin()
        #expect(loop.run(timeout: 30) { service.stream?.client.isConnected == true })
        #expect(loop.run(timeout: 5) { service.stream?.client.subscriptionsAnswered == true })
        let count = 300
        let topic = "\(CarDataServiceTests.gcid)/\(CarDataServiceTests.vin)"
        let script = "for i in $(seq \(count)); do echo '\(carMessage("1"))'; sleep 0.004; done | "
            + "mosquitto_pub -l -q 1 -h 127.0.0.1 -p \(bmw.broker.port) -t \(topic)"
        let car = try Subprocess("/bin/sh", ["-c", script])
        #expect(loop.run(timeout: 10) { service.stats.messages >= 20 })
        let connects = service.stream!.client.stats.connects
        service.refreshNow()
        #expect(loop.run(timeout: 15) { service.stream!.client.stats.connects == connects + 1 })
        #expect(loop.run(timeout: 20) { service.stats.messages == count }, "\(service.stats.messages) of \(count) arrived")
        #expect(service.stats.refreshes == 2)
        car.wait()
        host.stopAll()
    }

    @Test("an imported login whose token the broker refuses: one refresh, then the stream runs")
    func notAuthorizedRecovery() throws {
        // Tokens 1 (the login below) and 2 (the service's first refresh) never reach the broker.
        let bmw = try FakeBMW(stale: 2)
        let data = TemporaryDirectory(prefix: "bmw-data")
        let local = try MosquittoBroker()
        let (loop, _, tokens) = try deviceCodeLogin(bmw)
        // The seed client's file, as a user switching over brings it.
        try CarDataLogin(tokens).exportSeedFile(data.file("bmw_tokens.json"))

        let uplink = try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: Int32(local.port), clientID: "gw"), loop: loop)
        uplink.start()
        let store = try store(bmw, data: data)
        let (host, service, _) = try hosted(store, loop, uplink)
        #expect(loop.run(timeout: 30) { service.stream?.client.isConnected == true }, "\(service.stateJSON())")
        let stream = try #require(service.stream)
        #expect(stream.refusals == 1)
        #expect(stream.lastRefusal == .notAuthorized || stream.lastRefusal == .badCredentials)
        #expect(bmw.cloud.requests.filter { $0["grant"] as? String == "refresh" }.count == 2)
        #expect(service.stats.refreshes == 2)
        host.stopAll()
    }

    // Issue 21, item 8: the service decided on `containsText("invalid_grant")`; now on the
    // OAuth error code parsed from the token endpoint's body.
    @Test("a saved login BMW no longer takes (invalid_grant) asks for a new login, and the LED for a person")
    func refusedSavedLoginAsksForANewLogin() throws {
        let bmw = try FakeBMW()
        let data = TemporaryDirectory(prefix: "bmw-data")
        let local = try MosquittoBroker()
        let (loop, auth, stale) = try deviceCodeLogin(bmw)
        // A refresh rotates the refresh token: the one the seed file keeps is spent.
        var rotated: Result<CarDataTokens, CarDataError>?
        auth.refresh(CarDataLogin(stale)) { rotated = $0 }
        #expect(loop.run(timeout: 10) { rotated != nil })
        try CarDataLogin(stale).exportSeedFile(data.file("bmw_tokens.json"))

        let uplink = try MQTTClient(name: "uplink", settings: MQTTSettings(host: "127.0.0.1", port: Int32(local.port), clientID: "gw"), loop: loop)
        uplink.start()
        let (host, service, _) = try hosted(try store(bmw, data: data), loop, uplink)
        #expect(loop.run(timeout: 10) { service.problem != nil }, "\(service.stateJSON())")
        guard case .loginRefused(.tokenRefused(_, _, .invalidGrant)) = service.problem else {
            Issue.record("\(String(describing: service.problem))")
            return
        }
        #expect(service.stateJSON()["problem"]?.stringValue
                == "the saved login was refused (refused: token refresh: HTTP 400 invalid_grant): run `bmw login` again")
        #expect(host.attention(of: "bmw") == .needsPerson, "the LED asks for a login")
        #expect(host.health(of: "bmw")?.name == "degraded")
        #expect(service.stream == nil)
        host.stopAll()
    }
}
