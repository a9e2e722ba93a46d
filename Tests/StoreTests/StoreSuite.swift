import Testing

/// Parent of every Store suite. Serialized because log capture goes through the
/// process-wide `LogSettings`, and the crash test's child processes share the machine.
@Suite(.serialized) struct StoreSuite {}
