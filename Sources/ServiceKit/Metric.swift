/// What a metric's value means to Prometheus: a counter only goes up (it restarts at zero
/// with the process), a gauge is a current value that may go either way.
public enum MetricKind: Equatable, Sendable {
    case counter
    case gauge

    /// The word of the exposition format's `# TYPE` line.
    public var name: String {
        switch self {
        case .counter: return "counter"
        case .gauge: return "gauge"
        }
    }
}

/// One label of a sample (`bus="can0"`).
public struct MetricLabel: Equatable {
    public let name: String
    public let value: String

    /// A label; `name` follows Prometheus's label-name rule (letters, digits, `_`).
    public init(_ name: String, _ value: String) {
        precondition(Metric.isName(name), "metric label name " + name + ": letters, digits and _ only")
        self.name = name
        self.value = value
    }
}

/// One value of a metric, told apart from its siblings by its labels.
public struct MetricSample {
    public let labels: [MetricLabel]
    public let value: Double

    public init(_ value: Double, labels: [MetricLabel] = []) {
        self.labels = labels
        self.value = value
    }

    public init(_ value: Int, labels: [MetricLabel] = []) { self.init(Double(value), labels: labels) }
}

/// A metric a service declares for `/metrics`: its name, kind and one-line help, with its
/// current samples. The dashboard prefixes the name with `switchyard_<service>_` and gives a
/// counter its `_total` suffix, so the declaration says what it counts, not how it is printed.
public struct Metric {
    /// Letters, digits and `_`; a counter's name does not end in `_total` (it is added).
    public let name: String
    public let kind: MetricKind
    /// One sentence: what is counted or measured, with its unit.
    public let help: String
    public var samples: [MetricSample]

    public init(_ name: String, _ kind: MetricKind, help: String, samples: [MetricSample]) {
        precondition(Metric.isName(name), "metric name " + name + ": letters, digits and _ only")
        precondition(kind != .counter || !name.hasSuffix("_total"), "counter " + name + ": _total is added when printed")
        self.name = name
        self.kind = kind
        self.help = help
        self.samples = samples
    }

    /// A counter with one unlabelled value.
    public static func counter(_ name: String, _ help: String, _ value: Int) -> Metric {
        Metric(name, .counter, help: help, samples: [MetricSample(value)])
    }

    /// A gauge with one unlabelled value.
    public static func gauge(_ name: String, _ help: String, _ value: Double) -> Metric {
        Metric(name, .gauge, help: help, samples: [MetricSample(value)])
    }

    /// A gauge with one unlabelled whole value.
    public static func gauge(_ name: String, _ help: String, _ value: Int) -> Metric {
        gauge(name, help, Double(value))
    }

    /// Whether `text` is a metric or label name part: ASCII letters, digits and `_`, not
    /// starting with a digit, not empty.
    public static func isName(_ text: String) -> Bool {
        var first = true
        for byte in text.utf8 {
            let letter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            let digit = byte >= 0x30 && byte <= 0x39
            if !(letter || (digit && !first)) { return false }
            first = false
        }
        return !first
    }
}

/// The metrics of one service, under its name.
public struct ServiceMetrics {
    public let service: String
    public let metrics: [Metric]

    public init(service: String, metrics: [Metric]) {
        self.service = service
        self.metrics = metrics
    }
}
