/// State in memory for replaying a stream through the rules and the projector (the
/// reconciliation's totals): like ``MemoryState``, but its keys are kept sorted by their first
/// segment (up to the first `/`) once a prefix in that segment is read, so the rules' repeated
/// scans (a Träger's agreements for every booking, each counter's versions when the views are
/// flushed) cost a binary search and the entries under the prefix, not every entry of the state.
/// Scans and `last` answer exactly as ``MemoryState`` does.
final class ReplayState: StateAccess {
    private var entries: [[UInt8]: [UInt8]] = [:]
    /// The keys of each indexed segment, sorted.
    private var indexes: [[UInt8]: [[UInt8]]] = [:]
    /// The lengths of the indexed segments (a new key is added to the index of its segment).
    private var prefixLengths: [Int] = []
    let scratch = TransactionScratch()

    init() {}

    var count: Int { entries.count }

    func get(_ key: [UInt8]) throws -> [UInt8]? { entries[key] }

    func put(_ key: [UInt8], _ value: [UInt8]) throws {
        guard entries.updateValue(value, forKey: key) == nil else { return }
        for n in prefixLengths where key.count >= n {
            let prefix = Array(key[0..<n])
            // Mutated in place (a copy of the array taken out first would be copied whole).
            guard indexes[prefix] != nil else { continue }
            indexes[prefix]!.insertSorted(key)
        }
    }

    func delete(_ key: [UInt8]) throws {
        guard entries.removeValue(forKey: key) != nil else { return }
        for n in prefixLengths where key.count >= n {
            let prefix = Array(key[0..<n])
            guard indexes[prefix] != nil else { continue }
            indexes[prefix]!.removeSorted(key)
        }
    }

    func scan(prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        for key in keys(under: prefix) {
            if try !body(key, entries[key]!) { return }
        }
    }

    func last(prefix: [UInt8], atMost key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])? {
        let keys = keys(under: prefix)
        // `key` itself, or the key before the first one not less than it.
        let i = keys.insertionPoint(of: key)
        if i < keys.endIndex, keys[i] == key { return (key, entries[key]!) }
        guard i > keys.startIndex else { return nil }
        return (keys[i - 1], entries[keys[i - 1]]!)
    }

    func first(prefix: [UInt8], atLeast key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])? {
        let keys = keys(under: prefix)
        let i = keys.insertionPoint(of: key)
        guard i < keys.endIndex else { return nil }
        return (keys[i], entries[keys[i]]!)
    }

    /// The sorted keys under `prefix`: a range of its segment's index (made on first use).
    private func keys(under prefix: [UInt8]) -> ArraySlice<[UInt8]> {
        let segment = prefix.firstIndex(of: UInt8(ascii: "/")).map { Array(prefix[...$0]) } ?? prefix
        let keys: [[UInt8]]
        if let indexed = indexes[segment] {
            keys = indexed
        } else {
            keys = entries.keys.filter { $0.starts(with: segment) }.sorted { $0.lexicographicallyPrecedes($1) }
            indexes[segment] = keys
            if !prefixLengths.contains(segment.count) { prefixLengths.append(segment.count) }
        }
        if segment.count == prefix.count { return keys[...] }
        let lo = keys.insertionPoint(of: prefix)
        var hi = lo
        while hi < keys.count, keys[hi].starts(with: prefix) { hi += 1 }
        return keys[lo..<hi]
    }
}

extension RandomAccessCollection where Element == [UInt8], Index == Int {
    /// The index of the first key (the collection being sorted) that is not less than `key`.
    fileprivate func insertionPoint(of key: [UInt8]) -> Int {
        var lo = startIndex, hi = endIndex
        while lo < hi {
            let mid = (lo + hi) / 2
            if self[mid].lexicographicallyPrecedes(key) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

extension Array where Element == [UInt8] {
    fileprivate mutating func insertSorted(_ key: [UInt8]) {
        insert(key, at: insertionPoint(of: key))
    }

    fileprivate mutating func removeSorted(_ key: [UInt8]) {
        let i = insertionPoint(of: key)
        if i < count, self[i] == key { remove(at: i) }
    }
}
