import LedgerCore
import LedgerStore
import LMDB

/// Figures of the views: rebuilding them from the log, and as-of budget queries.
enum ViewFigures {
    // MARK: - Rebuild

    /// `Ledger.rebuildViews` of the ledger at `path`, timed; the views are checked to come out
    /// as they were (one budget view compared before and after).
    ///
    /// With `releasingPages`, the pages of the map passed so far are handed back to the kernel
    /// after each batch (from the progress callback, as verify does inside), to show what the
    /// rebuild's memory is made of.
    static func rebuild(_ s: Settings, _ m: inout Metrics, ledger path: String, releasingPages: Bool = false) throws {
        let ledger = try Ledger.open(at: path, policy: LogFigures.policy)
        let records = try ledger.head().seq
        let year = History.lastQuarter.year
        let before = try ledger.budget(sozialraum: .konz, year: year, quarter: nil, asOf: nil)
        let log = try ledger.env.openDatabase("log", create: false)
        let env = ledger.env
        // The peak after the first batch (the state cleared, one batch rebuilt). Clearing the state
        // reads every leaf page of it (LMDB does so when a database has overflow pages), so when
        // releasing, the peak is also reset there, to show the peak of the batches that follow.
        var hwmAfterFirstBatch: Int?
        var peakReset = false
        let progress: (UInt64, UInt64) -> Void = { _, _ in
            let first = hwmAfterFirstBatch == nil
            if first { hwmAfterFirstBatch = (ProcStatus.kilobytes("VmHWM") ?? 0) * 1024 }
            guard releasingPages else { return }
            try? env.read { txn in
                if let any = try txn.get(log, BigEndianKey(1)), let p = any.baseAddress { env.releaseResidentPages(of: p) }
            }
            if first { peakReset = ProcStatus.resetPeakRSS() }
        }
        m.set("hwmBefore", Double((ProcStatus.kilobytes("VmHWM") ?? 0) * 1024))
        let t = try seconds { try ledger.rebuildViews(progress: progress) }
        m.set("hwmAfterFirstBatch", Double(hwmAfterFirstBatch ?? 0))
        if peakReset { m.set("hwmAfterReset", Double((ProcStatus.kilobytes("VmHWM") ?? 0) * 1024)) }
        for (field, name) in [("RssAnon", "rssAnon"), ("RssFile", "rssFile")] {
            if let kB = ProcStatus.kilobytes(field) { m.set(name, Double(kB * 1024)) }
        }
        let after = try ledger.budget(sozialraum: .konz, year: year, quarter: nil, asOf: nil)
        guard before == after else { throw BenchError("the rebuilt views differ from the views before") }
        m.set("records", Double(records))
        m.set("seconds", t)
        m.set("eventsPerSecond", Double(records) / t)
    }

    // MARK: - As-of budget queries

    /// A budget query: a Sozialraum, a year, a quarter (nil: the whole year) and an as-of time.
    struct Query {
        var sozialraum: Sozialraum
        var year: Int
        var quarter: Int?
        var asOf: Timestamp
    }

    /// `count` random queries over the recorded history `first...last`: any Sozialraum, any year
    /// the history touches, any quarter or the whole year, any moment of the history.
    static func queries(_ count: Int, first: Timestamp, last: Timestamp, seed: UInt64) -> [Query] {
        var rng = SplitMix64(seed: seed)
        let years = first.date.year...last.date.year
        return (0..<count).map { _ in
            let q = Int(rng.next() % 5)
            return Query(sozialraum: Sozialraum.allCases[Int(rng.next() % UInt64(Sozialraum.allCases.count))],
                         year: years.lowerBound + Int(rng.next() % UInt64(years.count)),
                         quarter: q == 0 ? nil : q,
                         asOf: Timestamp(seconds: first.seconds + Int64(rng.next() % UInt64(last.seconds - first.seconds + 1))))
        }
    }

    /// Random `Ledger.budget(sozialraum:year:quarter:asOf:)` queries on the ledger at `path`, each
    /// timed (p50, p99); then, untimed, how many state reads a query makes.
    static func asOf(_ s: Settings, _ m: inout Metrics, ledger path: String) throws {
        let ledger = try Ledger.open(at: path, policy: LogFigures.policy)
        guard let first = try ledger.record(seq: 1)?.recordedAt else { throw BenchError("the ledger at \(path) is empty") }
        let last = try ledger.head().recordedAt
        guard last.seconds - first.seconds > 86_400 else {
            throw BenchError("the ledger's history spans less than a day; as-of queries would cut nothing")
        }
        let warmUp = queries(10, first: first, last: last, seed: 0x0A50F)
        let timed = queries(s.asOfQueries, first: first, last: last, seed: 0xA50F)
        for q in warmUp { _ = try ledger.budget(sozialraum: q.sozialraum, year: q.year, quarter: q.quarter, asOf: q.asOf) }
        var latencies = Latencies()
        var sink = 0
        for q in timed {
            latencies.add(try seconds {
                let view = try ledger.budget(sozialraum: q.sozialraum, year: q.year, quarter: q.quarter, asOf: q.asOf)
                sink &+= Int(view.asOfSeq)
            })
        }
        if sink == -1 { print("") }
        for (field, name) in [("RssAnon", "rssAnon"), ("RssFile", "rssFile")] {
            if let kB = ProcStatus.kilobytes(field) { m.set(name, Double(kB * 1024)) }
        }
        m.set("queries", Double(latencies.samples.count))
        m.set("p50", latencies.percentile(50))
        m.set("p99", latencies.percentile(99))
        m.set("max", latencies.percentile(100))
        m.set("mean", latencies.total / Double(latencies.samples.count))
        m.set("historyDays", Double(last.seconds - first.seconds) / 86_400)

        // What a query reads: the same computation over a counting view of the state.
        var reads = CountingState.Counts()
        let counted = Array(timed.prefix(s.quick ? 20 : 200))
        for q in counted {
            let seq = try ledger.env.read { txn in try ledger.lastSeq(asOf: q.asOf, txn: txn) }
            try ledger.readState { state in
                let counting = CountingState(inner: state)
                _ = try BudgetView.compute(sozialraum: q.sozialraum, year: q.year, quarter: q.quarter, asOf: q.asOf,
                                           today: Timestamp.now().date, reader: ViewReader(state: counting, seq: seq),
                                           seqAsOf: { t in try ledger.env.read { try ledger.lastSeq(asOf: t, txn: $0) } })
                reads.add(counting.counts)
            }
        }
        let n = Double(counted.count)
        m.set("seeksPerQuery", Double(reads.seeks) / n)
        m.set("entriesPerQuery", Double(reads.entries) / n)
        m.set("getsPerQuery", Double(reads.gets) / n)
    }

    /// The raw floor under an as-of query, on the same file: point reads (a read transaction and
    /// one cursor seek to a random record of the log, its value touched), timed each; and the
    /// cost of the query's own reads done raw (its seeks and entry steps, counted by `as-of`, at
    /// the measured cost of a random seek and of a cursor step in the state database).
    static func rawPointReads(_ s: Settings, _ m: inout Metrics, ledger path: String, queryMetrics: String) throws {
        let env = try Environment(path: path)
        let log = try env.openDatabase("log", create: false), state = try env.openDatabase("state", create: false)
        let count = try env.read { txn in try txn.count(log) }
        var rng = SplitMix64(seed: 0x5EEC)
        var sink = 0
        for _ in 0..<10 { sink &+= try pointRead(env, log, UInt64(1 + Int(rng.next() % UInt64(count)))) }
        var latencies = Latencies()
        for _ in 0..<s.asOfQueries {
            let seq = UInt64(1 + Int(rng.next() % UInt64(count)))
            latencies.add(try seconds { sink &+= try pointRead(env, log, seq) })
        }
        m.set("p50", latencies.percentile(50))
        m.set("p99", latencies.percentile(99))

        // Every 64th key of the state, for random seeks spread like its entries.
        var keys: [[UInt8]] = []
        var entries = 0
        let stepTime = try seconds {
            try env.read { txn in
                try txn.withCursor(state) { cursor in
                    var entry = try cursor.first()
                    while let (k, v) = entry {
                        if entries % 64 == 0 { keys.append(Array(k)) }
                        sink &+= v.count
                        entries += 1
                        entry = try cursor.next()
                    }
                }
            }
        }
        guard !keys.isEmpty else { throw BenchError("the state of \(path) is empty") }
        let seeks = s.quick ? 2_000 : 100_000
        let seekTime = try seconds {
            try env.read { txn in
                try txn.withCursor(state) { cursor in
                    for _ in 0..<seeks {
                        if let (_, v) = try cursor.seek(atLeast: keys[Int(rng.next() % UInt64(keys.count))]) { sink &+= v.count }
                    }
                }
            }
        }
        if sink == -1 { print("") }
        let perStep = stepTime / Double(entries), perSeek = seekTime / Double(seeks)
        m.set("stateEntries", Double(entries))
        m.set("secondsPerStep", perStep)
        m.set("secondsPerSeek", perSeek)
        let q = Metrics.read(from: queryMetrics)
        if let seeksPerQuery = q["seeksPerQuery"], let entriesPerQuery = q["entriesPerQuery"], let gets = q["getsPerQuery"] {
            m.set("queryPattern", (seeksPerQuery + gets) * perSeek + entriesPerQuery * perStep)
        }
    }

    private static func pointRead(_ env: Environment, _ log: Database, _ seq: UInt64) throws -> Int {
        try env.read { txn in
            try txn.withCursor(log) { cursor in
                guard let (_, v) = try cursor.seek(atLeast: BigEndianKey(seq)) else { return 0 }
                return Int(v[v.count - 1]) &+ v.count
            }
        }
    }
}

/// A view of the state that counts what is read through it: point gets, seeks (`last`), and
/// entries visited by prefix scans.
final class CountingState: StateAccess {
    struct Counts {
        var gets = 0, seeks = 0, entries = 0
        mutating func add(_ o: Counts) {
            gets += o.gets
            seeks += o.seeks
            entries += o.entries
        }
    }

    let inner: any StateAccess
    private(set) var counts = Counts()

    init(inner: any StateAccess) { self.inner = inner }

    func get(_ key: [UInt8]) throws -> [UInt8]? {
        counts.gets += 1
        return try inner.get(key)
    }

    func put(_ key: [UInt8], _ value: [UInt8]) throws { try inner.put(key, value) }
    func delete(_ key: [UInt8]) throws { try inner.delete(key) }

    func scan(prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        counts.seeks += 1
        try inner.scan(prefix: prefix) { k, v in
            counts.entries += 1
            return try body(k, v)
        }
    }

    func last(prefix: [UInt8], atMost key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])? {
        counts.seeks += 1
        return try inner.last(prefix: prefix, atMost: key)
    }

    func first(prefix: [UInt8], atLeast key: [UInt8]) throws -> (key: [UInt8], value: [UInt8])? {
        counts.seeks += 1
        return try inner.first(prefix: prefix, atLeast: key)
    }

    var scratch: TransactionScratch { inner.scratch }
}
