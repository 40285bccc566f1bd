/// State in memory: for replays (a Kontrakt list as of a past moment) and tests.
public final class MemoryState: StateAccess {
    private var entries: [[UInt8]: [UInt8]] = [:]
    public let scratch = TransactionScratch()

    public init() {}

    public var count: Int { entries.count }

    public func get(_ key: [UInt8]) throws -> [UInt8]? { entries[key] }
    public func put(_ key: [UInt8], _ value: [UInt8]) throws { entries[key] = value }
    public func delete(_ key: [UInt8]) throws { entries[key] = nil }

    public func scan(prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        for key in entries.keys.filter({ $0.starts(with: prefix) }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            if try !body(key, entries[key]!) { return }
        }
    }

    public func last(prefix: [UInt8], atMost key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])? {
        let candidate = entries.keys.filter { $0.starts(with: prefix) && !key.lexicographicallyPrecedes($0) }
            .max { $0.lexicographicallyPrecedes($1) }
        return candidate.map { ($0, entries[$0]!) }
    }

    public func first(prefix: [UInt8], atLeast key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])? {
        let candidate = entries.keys.filter { $0.starts(with: prefix) && !$0.lexicographicallyPrecedes(key) }
            .min { $0.lexicographicallyPrecedes($1) }
        return candidate.map { ($0, entries[$0]!) }
    }

    /// Every entry in key order (to compare states byte for byte).
    public var sortedEntries: [([UInt8], [UInt8])] {
        entries.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
    }
}
