#if canImport(Glibc)
import Glibc
#endif
import LedgerCore

/// What a run measures and where it keeps its scratch ledgers.
struct Settings {
    /// Records in the large ledger (imports, verify, raw baselines).
    var records = 1_000_000
    /// A small version that finishes in seconds (CI checks only that it works).
    var quick = false
    /// Scratch folder for ledgers and raw environments.
    var directory = ""
    /// Keep the scratch folder afterwards.
    var keep = false
    /// Run only these figures (all when empty).
    var only: [String] = []
    /// Set in a child: the figure to run and where to write its metrics.
    var figure: String?
    var resultPath: String?

    /// Records in the small ledger that verify's memory is compared against.
    var smallRecords: Int { max(records / 10, 1_000) }
    /// Single durable appends and raw durable commits timed.
    var singleOperations: Int { quick ? 30 : 1_000 }

    /// Budget queries timed (as-of).
    var asOfQueries: Int { quick ? 100 : 1_000 }
    /// Concurrent HTTP clients, and requests each client sends (single events, batches).
    var httpClients: Int { 64 }
    var httpSingleRequestsPerClient: Int { quick ? 3 : 50 }
    var httpBatchRequestsPerClient: Int { quick ? 1 : 10 }
    var httpBatchSize: Int { 100 }
    /// Single-event requests of the one sequential client (the cost of one append over HTTP).
    var httpSequentialRequests: Int { quick ? 20 : 300 }

    var bigLedger: String { directory + "/ledger-big" }
    var smallLedger: String { directory + "/ledger-small" }
    /// The large ledger with a recorded history (``History``): as-of queries and rebuild.
    var historyLedger: String { directory + "/ledger-history" }
    /// The reconciled pairs: a Jugendamt's and a Träger's ledger of `records` (and `smallRecords`) each.
    func pair(_ side: Side, small: Bool = false) -> String {
        directory + "/pair\(small ? "-small" : "")-\(side == .jugendamt ? "jugendamt" : "traeger")"
    }

    static let usage = """
        usage: doppelledger-bench [--quick] [--records N] [--dir PATH] [--keep] [--only FIG,FIG…]
          --quick       a small run (20,000 records) that finishes in seconds
          --records N   records in the large ledger (default 1,000,000)
          --dir PATH    scratch folder (default: a new folder under /tmp); removed afterwards unless --keep
          --keep        keep the scratch folder and every ledger in it (for --only runs and profiling)
          --only LIST   run only these figures (see the table); their inputs must exist in --dir
        """

    static func parse(_ args: [String]) -> Settings? {
        var s = Settings()
        var recordsGiven = false
        var i = 0
        func value() -> String? {
            i += 1
            return i < args.count ? args[i] : nil
        }
        while i < args.count {
            switch args[i] {
            case "--quick": s.quick = true
            case "--keep": s.keep = true
            case "--records":
                guard let v = value(), let n = Int(v.replacingUnderscores()), n >= 1_000 else { return nil }
                s.records = n
                recordsGiven = true
            case "--dir":
                guard let v = value() else { return nil }
                s.directory = v
            case "--only":
                guard let v = value() else { return nil }
                s.only = v.split(separator: ",").map(String.init)
            case "--figure":
                guard let v = value() else { return nil }
                s.figure = v
            case "--result":
                guard let v = value() else { return nil }
                s.resultPath = v
            case "-h", "--help": return nil
            default: return nil
            }
            i += 1
        }
        if s.quick && !recordsGiven { s.records = 20_000 }
        return s
    }

    /// Arguments that hand these settings to a child.
    var childArguments: [String] {
        ["--records", String(records), "--dir", directory] + (quick ? ["--quick"] : [])
    }
}

extension String {
    func replacingUnderscores() -> String { String(filter { $0 != "_" && $0 != "," }) }
}
