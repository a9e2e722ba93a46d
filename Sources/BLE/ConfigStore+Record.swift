import Store

extension ConfigStore {
    /// Writes a record key the BLE service keeps itself (approvals, mode, pairing keys) and
    /// saves the store; nil on success, else why not (never quoting the value: it may be secret).
    func record(_ name: String, _ value: String) -> String? {
        do throws(StoreError) {
            try set(name, to: value)
            try save()
        } catch {
            return "could not save " + name + ": " + error.description
        }
        return nil
    }
}
