/// Reads counters as of a record: the last version at or before `seq`.
public struct ViewReader {
    public let state: any StateAccess
    /// Only versions written by records up to this seq count.
    public let seq: UInt64

    public init(state: any StateAccess, seq: UInt64) {
        self.state = state
        self.seq = seq
    }

    /// A counter's value (0 when never set).
    public func value(_ counter: String) throws -> Int64 {
        let prefix = Counter.historyPrefix(counter)
        guard let (_, v) = try state.last(prefix: prefix, atMost: Counter.historyKey(counter, seq: seq)) else { return 0 }
        var r = BinaryReader(v)
        return r.int()
    }

    /// Every counter under `prefix` (e.g. `konz/2025/2/`) with its value, by name. Zeros omitted.
    ///
    /// Two seeks per counter, however many versions each has: the first key of the next counter,
    /// then that counter's last version at or before `seq`. (Version keys are
    /// `h/<counter>\0<seq>`; names hold no `\0`, so `h/<counter>\u{1}` sorts after every version
    /// of the counter and before every other counter's keys.)
    public func all(under prefix: String) throws -> [String: Int64] {
        var out: [String: Int64] = [:]
        let keyPrefix = [UInt8(ascii: "h"), UInt8(ascii: "/")] + Array(prefix.utf8)
        var from = keyPrefix
        while let (k, _) = try state.first(prefix: keyPrefix, atLeast: from) {
            // The key ends in "\0" and the 8-byte seq of the version.
            let zero = k.count - 9
            guard zero > 2, k[zero] == 0 else {
                from = k + [0]
                continue
            }
            let versions = Array(k[...zero])
            var atMost = versions
            withUnsafeBytes(of: seq.bigEndian) { atMost.append(contentsOf: $0) }
            if let (_, v) = try state.last(prefix: versions, atMost: atMost) {
                var r = BinaryReader(v)
                let value = r.int()
                if value != 0 { out[String(decoding: k[2..<zero], as: UTF8.self)] = value }
            }
            from = Array(k[..<zero]) + [1]
        }
        return out
    }

    /// The sum of a metric over quarters `from...to` of a year.
    public func sum(_ sz: Sozialraum, _ year: Int, quarters: ClosedRange<Int>, _ metric: String) throws -> Int64 {
        var total: Int64 = 0
        for q in quarters { total += try value(Counter.quarter(sz, year, q, metric)) }
        return total
    }
}
