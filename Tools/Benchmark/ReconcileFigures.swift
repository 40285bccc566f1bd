import LedgerCore
import LedgerStore
import LMDB

/// The quarterly reconciliation of a Jugendamt's and a Träger's ledger (``PairEvents``), along
/// the path `doppelledger reconcile --jugendamt DIR --traeger DIR` takes.
enum ReconcileFigures {
    /// Imports the pair (`records` or `smallRecords` a side), batches of 10,000, history preserved.
    static func preparePair(_ s: Settings, _ m: inout Metrics, small: Bool) throws {
        let n = small ? s.smallRecords : s.records
        let jugendamt = try Ledger.create(at: s.pair(.jugendamt, small: small), side: .jugendamt, org: BenchEvents.ledgerOrg,
                                          jugendamt: nil, policy: LogFigures.policy)
        var jSource = PairEvents(side: .jugendamt, total: n)
        let (jCount, jSeconds) = try LogFigures.importAll(&jSource, into: jugendamt, batch: 10_000, preserveRecordedAt: true)
        let traeger = try Ledger.create(at: s.pair(.traeger, small: small), side: .traeger, org: PairEvents.traeger,
                                        jugendamt: BenchEvents.ledgerOrg, policy: LogFigures.policy)
        var tSource = PairEvents(side: .traeger, total: n)
        let (tCount, tSeconds) = try LogFigures.importAll(&tSource, into: traeger, batch: 10_000, preserveRecordedAt: true)
        guard jCount == n, tCount == n else { throw BenchError("the pair has \(jCount) and \(tCount) records, expected \(n) each") }
        m.set("events", Double(jCount + tCount))
        m.set("jugendamtEventsPerSecond", Double(jCount) / jSeconds)
        m.set("traegerEventsPerSecond", Double(tCount) / tSeconds)
    }

    /// Reconciles the last quarter of the pair's history as the command line does: both folders
    /// opened and verified at once (``ReconcileSource/openBoth(_:_:policy:progress:)``), the streams checked,
    /// ``Reconciler/reconcile(jugendamt:_:traeger:_:period:)``, and the report rendered (JSON
    /// for the signature, Markdown as printed by default). Verification and the comparison are
    /// timed apart as well.
    static func reconcile(_ s: Settings, _ m: inout Metrics, small: Bool) throws {
        let jPath = s.pair(.jugendamt, small: small), tPath = s.pair(.traeger, small: small)
        let period = try ReconciliationPeriod(year: History.lastQuarter.year, quarter: History.lastQuarter.quarter)
        let start = nowNanos()
        var sources: [ReconcileSource] = []
        let verifySeconds = try seconds {
            let (j, t) = ReconcileSource.openBoth(jPath, tPath, policy: LogFigures.policy)
            sources.append(try j.get())
            sources.append(try t.get())
        }
        let (j, t) = (sources[0], sources[1])
        guard j.name.side == .jugendamt, t.name.side == .traeger else { throw BenchError("the pair's sides are swapped") }
        let jStream = "traeger:\(t.name.org)", tStream = "jugendamt:\(j.name.org)"
        try j.check(stream: jStream)
        try t.check(stream: tStream)
        m.set("hwmAfterVerify", Double((ProcStatus.kilobytes("VmHWM") ?? 0) * 1024))
        var result: Reconciliation?
        let compareSeconds = try seconds {
            result = try Reconciler.reconcile(jugendamt: j.name, j.records(stream: jStream, asOf: period.asOf),
                                              traeger: t.name, t.records(stream: tStream, asOf: period.asOf), period: period)
        }
        var reportBytes = 0
        let renderSeconds = seconds {
            reportBytes = result!.reportBytes.count + ReconciliationMarkdown.render(result!).utf8.count
        }
        let total = Double(nowNanos() - start) / 1e9
        let findings = result!.findings.count
        guard findings >= PairEvents.Plant.findingsAtLeast else {
            throw BenchError("the reconciliation found \(findings) differences, expected at least \(PairEvents.Plant.findingsAtLeast) (the planted ones)")
        }
        for (field, name) in [("RssAnon", "rssAnon"), ("RssFile", "rssFile")] {
            if let kB = ProcStatus.kilobytes(field) { m.set(name, Double(kB * 1024)) }
        }
        m.set("records", Double(j.verified.records + t.verified.records))
        m.set("streamRecords", Double(result!.jugendamt.records + result!.traeger.records))
        m.set("findings", Double(findings))
        m.set("reportBytes", Double(reportBytes))
        m.set("seconds", total)
        m.set("verifySeconds", verifySeconds)
        m.set("compareSeconds", compareSeconds)
        m.set("renderSeconds", renderSeconds)
    }

    /// The baseline: raw LMDB cursor scans of both logs, one after the other, touching every
    /// value (best of three after a warm-up pass).
    static func rawScans(_ s: Settings, _ m: inout Metrics) throws {
        let paths = [s.pair(.jugendamt), s.pair(.traeger)]
        let envs = try paths.map { try Environment(path: $0) }
        let logs = try envs.map { try $0.openDatabase("log", create: false) }
        func pass() throws -> (Int, Double) {
            var n = 0
            var sink: UInt64 = 0
            let t = try seconds {
                for (env, log) in zip(envs, logs) {
                    try env.read { txn in
                        try txn.withCursor(log) { cursor in
                            var entry = try cursor.first()
                            while let (_, v) = entry {
                                sink &+= UInt64(v.count) &+ UInt64(v[v.count - 1])
                                n += 1
                                entry = try cursor.next()
                            }
                        }
                    }
                }
            }
            if sink == 42 { print("") }
            return (n, t)
        }
        _ = try pass()
        let (n, t) = try (0..<(s.quick ? 1 : 3)).map { _ in try pass() }.min { $0.1 < $1.1 }!
        m.set("records", Double(n))
        m.set("seconds", t)
    }
}
