import LedgerCore
import LedgerStore
import LMDB

/// Figures of the log itself: bulk import, single durable appends, verify.
enum LogFigures {
    /// What the command line and the node run: the rules and the projector's views.
    static let policy = DomainPolicy(views: Projector())

    /// Imports `records` generated events into a new ledger at `path` in batches of `batch`
    /// (one durable commit each), timing only `Ledger.append` (validation, hashing, state included).
    /// With `history`, each event keeps its own `recordedAt` (see ``History``).
    static func bulkImport(_ s: Settings, _ m: inout Metrics, batch: Int, into path: String, records: Int,
                           history: Bool = false) throws {
        let ledger = try Ledger.create(at: path, side: .jugendamt, org: BenchEvents.ledgerOrg, jugendamt: nil, policy: policy)
        var source = BenchEvents(total: records, history: history)
        let (count, total) = try importAll(&source, into: ledger, batch: batch, preserveRecordedAt: history)
        guard count == records else { throw BenchError("import ended at seq \(count), expected \(records)") }
        m.set("events", Double(count))
        m.set("seconds", total)
        m.set("eventsPerSecond", Double(count) / total)
    }

    /// Appends everything `source` gives to `ledger` in batches of `batch`; returns the records
    /// appended and the seconds spent in `Ledger.append`.
    static func importAll(_ source: inout some EventSource, into ledger: Ledger, batch: Int,
                          preserveRecordedAt: Bool) throws -> (Int, Double) {
        var total = 0.0
        var count = 0
        while true {
            let events = source.next(batch)
            if events.isEmpty { break }
            total += try seconds {
                let outcomes = try ledger.append(events, preserveRecordedAt: preserveRecordedAt)
                precondition(outcomes.count == events.count)
            }
            count += events.count
        }
        let head = try ledger.head()
        guard head.seq == UInt64(count) else { throw BenchError("import ended at seq \(head.seq), expected \(count)") }
        return (count, total)
    }

    /// Verifies the ledger at `path` once, timed.
    static func verify(_ s: Settings, _ m: inout Metrics, ledger path: String, threads: Int? = nil) throws {
        let ledger = try Ledger.open(at: path, policy: policy)
        var verified: VerificationResult?
        // The best of three (the first also warms the page cache): the machine is shared.
        var times: [Double] = []
        m.set("hwmBeforeVerify", Double((ProcStatus.kilobytes("VmHWM") ?? 0) * 1024))
        for _ in 0..<(s.quick ? 1 : 3) {
            times.append(try seconds { verified = try threads.map { try ledger.verify(threads: $0) } ?? ledger.verify() })
        }
        let t = times.min()!
        let result = verified!
        guard result.isValid else { throw BenchError("verify failed: \(result.failure ?? "")") }
        // Where the memory is once verify is done, the map still open.
        for (field, name) in [("RssAnon", "rssAnon"), ("RssFile", "rssFile")] {
            if let kB = ProcStatus.kilobytes(field) { m.set(name, Double(kB * 1024)) }
        }
        m.set("records", Double(result.records))
        m.set("seconds", t)
        m.set("secondsMedian", times.sorted()[times.count / 2])
        m.set("eventsPerSecond", Double(result.records) / t)
    }

    /// Appends single HoursBooked events, each in its own durable commit, to the ledger at `path`.
    static func singleAppends(_ s: Settings, _ m: inout Metrics, ledger path: String) throws {
        let ledger = try Ledger.open(at: path, policy: policy)
        let start = try ledger.head().seq
        // Another seed: new idempotency keys, the same Kontrakte.
        var source = BenchEvents(total: s.records, seed: 0xA99E4D)
        let warmUp = 3
        let events = (0..<(s.singleOperations + warmUp)).map { source.hoursBooked(number: Int(start) + 1_000_000 + $0) }
        var latencies = Latencies()
        var written = 0
        for (i, event) in events.enumerated() {
            if i == warmUp { written = ProcStatus.bytesWritten ?? 0 }
            let t = try seconds { _ = try ledger.append(event) }
            if i >= warmUp { latencies.add(t) }
        }
        if let after = ProcStatus.bytesWritten { m.set("bytesWrittenPerCommit", Double(after - written) / Double(latencies.samples.count)) }
        m.set("appends", Double(latencies.samples.count))
        m.set("p50", latencies.percentile(50))
        m.set("p99", latencies.percentile(99))
        m.set("appendsPerSecond", Double(latencies.samples.count) / latencies.total)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
