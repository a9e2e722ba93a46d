// Placeholder until the module lands; see issue notes.
