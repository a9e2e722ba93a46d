/// The effective values of some keys at one moment, only to compare: the service host
/// restarts a service when the snapshot of its keys changes. Holds secrets, so it offers
/// nothing but equality.
public struct ConfigSnapshot: Equatable {
    let values: [String]
}
