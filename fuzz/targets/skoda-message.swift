// modules: Skoda
// A MySkoda push message as the broker hands it over: a topic (the input's first line) and a
// payload (the rest). Decoding must never trap; whatever decodes must hold together.
import JSON
import Skoda

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let newline = input.firstIndex(of: 0x0A) ?? input.count
    let topicText = String(decoding: input[0..<newline], as: UTF8.self)
    let payload = newline < input.count ? Array(input[(newline + 1)...]) : []
    // The fuzzed topic when it parses, and a fixed one so every payload reaches the decoder.
    var topics: [SkodaTopic] = []
    if let topic = SkodaTopic(topicText) {
        precondition(!topic.user.isEmpty && !topic.vin.isEmpty && !topic.kind.isEmpty)
        topics.append(topic)
    }
    for fixed in ["u/V/service-event/charging", "u/V/operation-request/vehicle-access/honk-and-flash"] {
        if let topic = SkodaTopic(fixed) { topics.append(topic) }
    }
    for topic in topics {
        do throws(SkodaEventDecoder.Malformed) {
            switch try SkodaEventDecoder.decode(topic: topic, payload: payload) {
            case .operation(let update):
                precondition(!update.requestID.isEmpty && !update.status.isEmpty, "empty operation accepted")
                precondition(update.isFinal == (update.status != "IN_PROGRESS"))
            case .event(let event):
                precondition(!event.name.isEmpty && !event.name.contains("/"), "event name that is no topic level")
                for (key, value) in event.values {
                    precondition(!key.isEmpty)
                    _ = value.serialized()
                }
            }
        } catch {
            precondition(!error.reason.isEmpty, "malformed without a reason")
        }
    }
    return 0
}
