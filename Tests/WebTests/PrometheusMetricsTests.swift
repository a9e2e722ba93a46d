import Foundation
import JSON
import ServiceKit
import TestSupport
import Testing
@testable import Web

/// `/metrics` as Prometheus reads it: every family typed and described, counters ending in
/// `_total`, and a strict reader of the format that fails on what promtool would refuse.
@Suite("Prometheus /metrics", .serialized)
struct PrometheusMetricsTests {
    @Test("the dashboard's /metrics passes the strict exposition check, typed from what services declare")
    func metricsAreStrictlyValid() throws {
        let rig = try WebRig()
        _ = try rig.get("/")
        _ = try rig.get("/nope")
        let reply = try rig.get("/metrics")
        #expect(reply.status == 200)
        #expect(reply.headers.lowercased().contains("content-type: text/plain; version=0.0.4"))
        let exposition = try PrometheusExposition(reply.body)
        #expect(!exposition.order.isEmpty)
        for name in exposition.order {
            let type = exposition.families[name]?.type
            #expect(type == "counter" || type == "gauge", "\(name) is typed (\(type ?? "none"))")
        }
        let up = exposition.families["switchyard_service_up"]
        #expect(up?.type == "gauge")
        #expect(up?.samples.first { $0.labels == ["service": "web"] }?.value == 1)
        let routes = exposition.families["switchyard_web_route_requests_total"]
        #expect(routes?.type == "counter")
        #expect(routes?.help?.isEmpty == false)
        #expect(routes?.samples.first { $0.labels == ["route": "page"] }?.value == 1)
        #expect(routes?.samples.first { $0.labels == ["route": "not_found"] }?.value == 1)
        #expect(exposition.families["switchyard_web_streams"]?.type == "gauge")
        #expect(!reply.body.contains("untyped"), "nothing is left untyped")
    }

    @Test("declared kinds decide the type line; labels and help are escaped; a repeated family is left out")
    func writerFollowsDeclarations() throws {
        var writer = PrometheusWriter()
        writer.family("switchyard_x_frames", .counter, help: "Frames \\ seen\nin total.",
                      samples: [MetricSample(3, labels: [MetricLabel("bus", "can\"0\\\n")])])
        writer.family("switchyard_x_depth", .gauge, help: "Queue depth.", samples: [MetricSample(-2.5)])
        writer.family("switchyard_x_frames", .counter, help: "again", samples: [MetricSample(4)])
        writer.family("switchyard_x_empty", .gauge, help: "nothing", samples: [])
        let exposition = try PrometheusExposition(writer.text)
        #expect(exposition.order == ["switchyard_x_frames_total", "switchyard_x_depth"])
        #expect(exposition.families["switchyard_x_frames_total"]?.help == "Frames \\ seen\nin total.")
        #expect(exposition.families["switchyard_x_frames_total"]?.samples == [
            .init(name: "switchyard_x_frames_total", labels: ["bus": "can\"0\\\n"], value: 3)])
        #expect(exposition.families["switchyard_x_depth"]?.samples.first?.value == -2.5)
        #expect(writer.duplicates == 1)
    }

    @Test("the strict reader refuses what promtool refuses", arguments: [
        "# HELP a_total x\n# TYPE a_total counter\na_total 1",                     // no final newline
        "# HELP a x\n# TYPE a counter\na 1\n",                                     // counter without _total
        "# TYPE a gauge\na 1\n",                                                   // no HELP
        "# HELP a x\n# TYPE a gauge\n# TYPE a gauge\na 1\n",                       // second TYPE
        "# HELP a x\na 1\n# TYPE a gauge\n",                                       // TYPE after samples
        "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\na{l=\"2\"} 1\n", // split family
        "# HELP a x\n# TYPE a gauge\na{l=\"1\"} 1\na{l=\"1\"} 2\n",                // same series twice
        "# HELP a x\n# TYPE a gauge\na{l=\"\\x\"} 1\n",                            // bad escape
        "# HELP a x\n# TYPE a gauge\na{1l=\"v\"} 1\n",                             // bad label name
        "# HELP a x\n# TYPE a gauge\na{l=\"v\",l=\"w\"} 1\n",                      // repeated label
        "# HELP a x\n# TYPE a gauge\na one\n",                                     // not a number
        "# HELP a x\n# TYPE a wobble\na 1\n",                                      // unknown type
        "# HELP a-b x\n# TYPE a-b gauge\na-b 1\n",                                 // bad metric name
        "# HELP a_total x\n# TYPE a_total counter\na_total -1\n",                  // negative counter
    ])
    func strictReaderRefuses(_ text: String) {
        #expect(throws: PrometheusExposition.Malformed.self) { try PrometheusExposition(text) }
    }
}
