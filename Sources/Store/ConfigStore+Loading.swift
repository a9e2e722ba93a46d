import Runtime

/// Reading the three layers that come from outside: the board defaults file, the saved
/// settings and the environment. Every problem is one log line naming the file (or the
/// variable), the key and the value, with secrets masked, and the bad value is skipped.
extension ConfigStore {
    /// Rereads the board defaults, the saved settings and the environment, dropping unsaved
    /// changes (SIGHUP, or after the file was replaced from outside).
    public func reload() {
        problems = []
        refusedValues = []
        hasUnsavedChanges = false
        loadBoardDefaults()
        loadSavedSettings()
        loadEnvironment()
        checkEffectiveSettings()
        onChange?()
    }

    /// Reports (never refuses: the settings are what they are) each path that cannot be
    /// read and each broken rule over several keys, naming the keys.
    private func checkEffectiveSettings() {
        for key in schema.keys {
            let value = resolve(key).value
            if let reason = key.kind.pathProblem(value) {
                warn(StoreError.unusableValue(key: key.name, value: ConfigText.shortened(key.displayValue(value)),
                                              reason: reason).description, level: .error)
            }
        }
        for conflict in conflicts { warn(conflict.description, level: .error) }
    }

    private func loadSavedSettings() {
        let loaded = files.load()
        loadOutcome = loaded.outcome
        if let report = loaded.report {
            warn(report, level: loaded.outcome == .lastGoodCopy ? .warning : .error)
        }
        let source = loaded.outcome == .lastGoodCopy ? files.previous : files.current
        userValues = [:]
        unknownUserValues = [:]
        for name in loaded.settings.keys.sorted() {
            let text = loaded.settings[name]!
            guard let key = schema.key(named: name) else {
                unknownUserValues[name] = text
                continue
            }
            do throws(StoreError) {
                userValues[name] = try key.validate(text)
            } catch {
                warn(source + ": skipped " + error.description, level: .warning)
                refusedValues.append((name, "saved value skipped: " + error.description))
            }
        }
        savedValues = userLayer
        if !unknownUserValues.isEmpty {
            // Names only: an unknown key may be a secret of the firmware that wrote it.
            warn(source + " has settings this firmware does not know (kept as they are): "
                + ConfigStore.list(unknownSavedKeys), level: .warning)
        }
    }

    private func loadBoardDefaults() {
        boardValues = [:]
        guard let path = boardDefaultsPath else { return }
        let parsed: BoardDefaults
        do throws(StoreError) {
            guard let found = try BoardDefaults.read(path) else {
                log.info("board defaults " + path + " not found; using the keys' own defaults")
                return
            }
            parsed = found
        } catch {
            warn("board defaults " + error.description + "; using the keys' own defaults", level: .error)
            return
        }
        for problem in parsed.malformedLines { warn("board defaults " + path + ": " + problem, level: .warning) }
        var unknown: [String] = []
        for (name, text) in parsed.settings {
            guard let key = schema.key(named: name) else {
                unknown.append(name)
                continue
            }
            do throws(StoreError) {
                boardValues[name] = try key.validate(text)
            } catch {
                warn("board defaults " + path + ": skipped " + error.description, level: .warning)
                refusedValues.append((name, "board default skipped: " + error.description))
            }
        }
        if !unknown.isEmpty {
            warn("board defaults " + path + " name keys this firmware does not know (ignored): "
                + ConfigStore.list(unknown.sorted()), level: .warning)
        }
    }

    /// Reads each key's environment variable once. An empty variable counts as unset (the
    /// usual `${VAR:-default}` reading, and what a blank line in an env file produces).
    private func loadEnvironment() {
        environmentValues = [:]
        for key in schema.keys {
            guard let variable = key.environmentName, let text = environment(variable), !text.isEmpty else {
                continue
            }
            do throws(StoreError) {
                environmentValues[key.name] = try key.validate(text)
            } catch {
                warn("environment " + variable + " ignored: " + error.description, level: .warning)
                refusedValues.append((key.name, "environment " + variable + " ignored: " + error.description))
            }
        }
    }

    private func warn(_ line: String, level: LogLevel) {
        problems.append(line)
        log.log(level) { line }
    }

    private static func list(_ names: [String]) -> String {
        var text = ""
        for name in names {
            if !text.isEmpty { text += ", " }
            text += name
        }
        return text
    }
}
