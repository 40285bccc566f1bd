/// The benchmark's figures and the table rows built from them.
///
/// A *figure* runs in a child process of its own and reports named metrics; the parent adds the
/// child's peak RSS as the metric `rss`. A *row* of the table takes a value from one figure and,
/// where there is one, a baseline from another, measured in the same run on the same data.
///
/// To add a figure: write a function `(Settings, inout Metrics)`,
/// list it in ``Figure/all`` after the figures that prepare its input, and add its rows to
/// ``Row/all``.
struct Figure: Sendable {
    let name: String
    /// What it measures, for `--only` and error messages.
    let summary: String
    let run: @Sendable (Settings, inout Metrics) throws -> Void
    /// Scratch folders (relative to the run's folder) the parent removes after this figure.
    var removesAfter: [String] = []

    static let all: [Figure] = [
        Figure(name: "import-10000", summary: "bulk import of the large ledger, batches of 10,000",
               run: { try LogFigures.bulkImport($0, &$1, batch: 10_000, into: $0.bigLedger, records: $0.records) }),
        Figure(name: "import-1000", summary: "bulk import, batches of 1,000",
               run: { try LogFigures.bulkImport($0, &$1, batch: 1_000, into: $0.directory + "/ledger-1000", records: $0.records) },
               removesAfter: ["ledger-1000"]),
        Figure(name: "raw-put-10000", summary: "raw LMDB puts of the stored values, batches of 10,000",
               run: { try RawFigures.puts($0, &$1, batch: 10_000, into: $0.directory + "/raw-10000") }),
        Figure(name: "raw-put-1000", summary: "raw LMDB puts of the stored values, batches of 1,000",
               run: { try RawFigures.puts($0, &$1, batch: 1_000, into: $0.directory + "/raw-1000") },
               removesAfter: ["raw-1000"]),
        Figure(name: "raw-writeset-10000", summary: "raw LMDB reads and puts of the ledger's 5 entries per event, batches of 10,000",
               run: { try RawFigures.writeSet($0, &$1, batch: 10_000, into: $0.directory + "/raw-writeset") },
               removesAfter: ["raw-writeset"]),
        Figure(name: "raw-scan", summary: "raw LMDB cursor scan of the log (and with SHA-256 of each value)",
               run: { try RawFigures.scan($0, &$1) }),
        Figure(name: "raw-commit", summary: "one put in one durable LMDB commit, repeated",
               run: { try RawFigures.durableCommits($0, &$1, in: $0.directory + "/raw-10000") },
               removesAfter: ["raw-10000"]),
        Figure(name: "prepare-small", summary: "imports the small ledger (N/10, recorded history) memory is compared against",
               run: { try LogFigures.bulkImport($0, &$1, batch: 10_000, into: $0.smallLedger, records: $0.smallRecords, history: true) }),
        Figure(name: "verify", summary: "full verify of the large ledger (threads as verify picks them)",
               run: { try LogFigures.verify($0, &$1, ledger: $0.bigLedger) }),
        Figure(name: "verify-1-thread", summary: "full verify of the large ledger on one thread",
               run: { try LogFigures.verify($0, &$1, ledger: $0.bigLedger, threads: 1) }),
        Figure(name: "verify-2-threads", summary: "full verify of the large ledger, a second thread hashing ahead",
               run: { try LogFigures.verify($0, &$1, ledger: $0.bigLedger, threads: 2) }),
        Figure(name: "verify-small", summary: "full verify of the small ledger (memory comparison)",
               run: { try LogFigures.verify($0, &$1, ledger: $0.smallLedger) }),
        Figure(name: "append-single", summary: "single durable appends to the large ledger",
               run: { try LogFigures.singleAppends($0, &$1, ledger: $0.bigLedger) }),
        Figure(name: "import-history", summary: "bulk import, batches of 10,000, each event with its own recordedAt (history)",
               run: { try LogFigures.bulkImport($0, &$1, batch: 10_000, into: $0.historyLedger, records: $0.records, history: true) }),
        Figure(name: "raw-scan-history", summary: "raw LMDB cursor scan of the history ledger's log",
               run: { try RawFigures.scan($0, &$1, ledger: $0.historyLedger, hashing: false) }),
        Figure(name: "as-of", summary: "random as-of budget queries on the history ledger",
               run: { try ViewFigures.asOf($0, &$1, ledger: $0.historyLedger) }),
        Figure(name: "as-of-small", summary: "random as-of budget queries on the small ledger (memory comparison)",
               run: { try ViewFigures.asOf($0, &$1, ledger: $0.smallLedger) }),
        Figure(name: "raw-point-read", summary: "raw LMDB: a read transaction and one cursor seek, repeated; state seeks and steps",
               run: { try ViewFigures.rawPointReads($0, &$1, ledger: $0.historyLedger, queryMetrics: $0.directory + "/as-of.metrics") }),
        Figure(name: "rebuild", summary: "rebuild of the views of the history ledger",
               run: { try ViewFigures.rebuild($0, &$1, ledger: $0.historyLedger) }),
        Figure(name: "rebuild-small", summary: "rebuild of the views of the small ledger (memory comparison)",
               run: { try ViewFigures.rebuild($0, &$1, ledger: $0.smallLedger) }),
        Figure(name: "rebuild-released", summary: "rebuild, map pages handed back after each batch; peak RSS counted after the 1st",
               run: { try ViewFigures.rebuild($0, &$1, ledger: $0.historyLedger, releasingPages: true) },
               removesAfter: ["ledger-history"]),
        Figure(name: "prepare-pair", summary: "imports a Jugendamt's and a Träger's ledger of N records each (matched streams)",
               run: { try ReconcileFigures.preparePair($0, &$1, small: false) }),
        Figure(name: "prepare-pair-small", summary: "imports the small pair (N/10 records each)",
               run: { try ReconcileFigures.preparePair($0, &$1, small: true) }),
        Figure(name: "raw-scan-pair", summary: "raw LMDB cursor scans of both logs of the pair",
               run: { try ReconcileFigures.rawScans($0, &$1) }),
        Figure(name: "reconcile", summary: "reconcile the pair's last quarter: verify both folders, compare, render",
               run: { try ReconcileFigures.reconcile($0, &$1, small: false) },
               removesAfter: ["pair-jugendamt", "pair-traeger"]),
        Figure(name: "reconcile-small", summary: "reconcile the small pair (memory comparison)",
               run: { try ReconcileFigures.reconcile($0, &$1, small: true) },
               removesAfter: ["pair-small-jugendamt", "pair-small-traeger"]),
        Figure(name: "http-single", summary: "HTTP appends of single events to a node on the large ledger (1, then 64 clients)",
               run: { try HTTPFigures.single($0, &$1) }),
        Figure(name: "http-batch", summary: "HTTP appends of batches of 100 events, 64 clients",
               run: { try HTTPFigures.batches($0, &$1) }),
    ]
}

/// Where a number in the table comes from: a figure's metric.
struct Source: Sendable {
    let figure: String
    let metric: String
    init(_ figure: String, _ metric: String) {
        self.figure = figure
        self.metric = metric
    }
}

/// How a row's number is written.
enum Unit: Sendable {
    case perSecond, microseconds, milliseconds, seconds, kilobytes, megabytes

    func format(_ v: Double) -> String {
        switch self {
        case .perSecond:
            if v >= 1e6 { return String(format2: v / 1e6) + "M/s" }
            if v >= 1e3 { return String(format1: v / 1e3) + "k/s" }
            return String(format1: v) + "/s"
        case .microseconds: return String(format1: v * 1e6) + " µs"
        case .milliseconds: return String.fixed(v * 1e3, v < 1e-3 ? 3 : 2) + " ms"
        case .seconds: return String(format2: v) + " s"
        case .kilobytes: return String(format1: v / 1_024) + " kB"
        case .megabytes: return String(format1: v / 1_048_576) + " MB"
        }
    }
}

/// A row's target, as issue 8 sets it.
enum Target: Sendable {
    case none
    /// value ÷ baseline at least this.
    case ratioAtLeast(Double)
    /// value ÷ baseline at most this.
    case ratioAtMost(Double)
    /// value at least this.
    case atLeast(Double)
    /// value under this (written in `unit`).
    case below(Double, Unit)

    var text: String {
        switch self {
        case .none: ""
        case .ratioAtLeast(let r): "≥ \(String(format2: r))×"
        case .ratioAtMost(let r): "≤ \(String(format2: r))×"
        case .atLeast(let v): "≥ " + Unit.perSecond.format(v)
        case .below(let v, let unit): "< " + unit.format(v)
        }
    }

    func met(value: Double, ratio: Double?) -> Bool? {
        switch self {
        case .none: nil
        case .ratioAtLeast(let r): ratio.map { $0 >= r }
        case .ratioAtMost(let r): ratio.map { $0 <= r }
        case .atLeast(let v): value >= v
        case .below(let v, _): value < v
        }
    }
}

/// One line of the table.
struct Row: Sendable {
    let label: String
    let value: Source
    let unit: Unit
    var baseline: Source?
    var baselineLabel = ""
    var target: Target = .none
    /// Whose peak RSS the memory column shows (the value's figure by default).
    var showsRSS = true

    static let all: [Row] = [
        Row(label: "bulk import, batches of 10,000", value: Source("import-10000", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-put-10000", "putsPerSecond"), baselineLabel: "raw puts, 10,000", target: .ratioAtLeast(0.5)),
        Row(label: "bulk import vs its own LMDB work", value: Source("import-10000", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-writeset-10000", "eventsPerSecond"), baselineLabel: "raw write set, 10,000", showsRSS: false),
        Row(label: "bulk import, batches of 1,000", value: Source("import-1000", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-put-1000", "putsPerSecond"), baselineLabel: "raw puts, 1,000", target: .ratioAtLeast(0.5)),
        Row(label: "single durable append p50", value: Source("append-single", "p50"), unit: .microseconds,
            baseline: Source("raw-commit", "p50"), baselineLabel: "raw commit p50", target: .ratioAtMost(1.5)),
        Row(label: "single durable append p99", value: Source("append-single", "p99"), unit: .microseconds,
            baseline: Source("raw-commit", "p99"), baselineLabel: "raw commit p99", showsRSS: false),
        Row(label: "single durable appends", value: Source("append-single", "appendsPerSecond"), unit: .perSecond,
            baseline: Source("raw-commit", "commitsPerSecond"), baselineLabel: "raw commits", showsRSS: false),
        Row(label: "bytes written per single append", value: Source("append-single", "bytesWrittenPerCommit"), unit: .kilobytes,
            baseline: Source("raw-commit", "bytesWrittenPerCommit"), baselineLabel: "per raw commit", showsRSS: false),
        Row(label: "full verify", value: Source("verify", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-scan", "hashedPerSecond"), baselineLabel: "raw scan + SHA-256", target: .atLeast(2_000_000)),
        Row(label: "full verify, one thread", value: Source("verify-1-thread", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-scan", "hashedPerSecond"), baselineLabel: "raw scan + SHA-256", target: .atLeast(2_000_000)),
        Row(label: "full verify, two threads", value: Source("verify-2-threads", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-scan", "hashedPerSecond"), baselineLabel: "raw scan + SHA-256", target: .atLeast(2_000_000)),
        Row(label: "raw cursor scan", value: Source("raw-scan", "recordsPerSecond"), unit: .perSecond),
        Row(label: "verify peak RSS, large vs small ledger", value: Source("verify", "rss"), unit: .megabytes,
            baseline: Source("verify-small", "rss"), baselineLabel: "small ledger", target: .ratioAtMost(1.1), showsRSS: false),
        Row(label: "bulk import with history, 10,000", value: Source("import-history", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-put-10000", "putsPerSecond"), baselineLabel: "raw puts, 10,000", target: .ratioAtLeast(0.5)),
        Row(label: "full rebuild of the views", value: Source("rebuild", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-scan-history", "recordsPerSecond"), baselineLabel: "raw scan, same log", target: .atLeast(2_000_000)),
        Row(label: "rebuild peak RSS, large vs small ledger", value: Source("rebuild", "rss"), unit: .megabytes,
            baseline: Source("rebuild-small", "rss"), baselineLabel: "small ledger", target: .ratioAtMost(1.1), showsRSS: false),
        Row(label: "rebuild, passed pages handed back", value: Source("rebuild-released", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("rebuild", "eventsPerSecond"), baselineLabel: "rebuild as it is"),
        Row(label: "rebuild peak RSS after 1st batch, released", value: Source("rebuild-released", "hwmAfterReset"), unit: .megabytes,
            baseline: Source("rebuild-small", "rss"), baselineLabel: "small ledger", showsRSS: false),
        Row(label: "rebuild heap (RssAnon), large vs small", value: Source("rebuild", "rssAnon"), unit: .megabytes,
            baseline: Source("rebuild-small", "rssAnon"), baselineLabel: "small ledger", showsRSS: false),
        Row(label: "as-of budget query p50", value: Source("as-of", "p50"), unit: .milliseconds,
            baseline: Source("raw-point-read", "p50"), baselineLabel: "raw point read p50"),
        Row(label: "as-of budget query p99", value: Source("as-of", "p99"), unit: .milliseconds,
            baseline: Source("raw-point-read", "p99"), baselineLabel: "raw point read p99", target: .below(0.010, .milliseconds), showsRSS: false),
        Row(label: "as-of query vs its reads done raw", value: Source("as-of", "mean"), unit: .milliseconds,
            baseline: Source("raw-point-read", "queryPattern"), baselineLabel: "its seeks + steps, raw", showsRSS: false),
        Row(label: "as-of peak RSS, large vs small ledger", value: Source("as-of", "rss"), unit: .megabytes,
            baseline: Source("as-of-small", "rss"), baselineLabel: "small ledger", target: .ratioAtMost(1.1), showsRSS: false),
        Row(label: "as-of heap (RssAnon), large vs small", value: Source("as-of", "rssAnon"), unit: .megabytes,
            baseline: Source("as-of-small", "rssAnon"), baselineLabel: "small ledger", showsRSS: false),
        Row(label: "reconcile N vs N records", value: Source("reconcile", "seconds"), unit: .seconds,
            baseline: Source("raw-scan-pair", "seconds"), baselineLabel: "raw scans of both logs", target: .below(2, .seconds)),
        Row(label: "reconcile: verifying both", value: Source("reconcile", "verifySeconds"), unit: .seconds, showsRSS: false),
        Row(label: "reconcile: comparing the quarter", value: Source("reconcile", "compareSeconds"), unit: .seconds, showsRSS: false),
        Row(label: "reconcile peak RSS, large vs small pair", value: Source("reconcile", "rss"), unit: .megabytes,
            baseline: Source("reconcile-small", "rss"), baselineLabel: "small pair", target: .ratioAtMost(1.1), showsRSS: false),
        Row(label: "reconcile heap (RssAnon), large vs small", value: Source("reconcile", "rssAnon"), unit: .megabytes,
            baseline: Source("reconcile-small", "rssAnon"), baselineLabel: "small pair", showsRSS: false),
        Row(label: "HTTP single append, 1 client, p50", value: Source("http-single", "sequentialP50"), unit: .microseconds,
            baseline: Source("raw-commit", "p50"), baselineLabel: "raw commit p50", target: .ratioAtMost(1.5)),
        Row(label: "HTTP single append, 1 client, p99", value: Source("http-single", "sequentialP99"), unit: .microseconds,
            baseline: Source("raw-commit", "p99"), baselineLabel: "raw commit p99", showsRSS: false),
        Row(label: "HTTP single events, 64 clients", value: Source("http-single", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-commit", "commitsPerSecond"), baselineLabel: "raw commits", showsRSS: false),
        Row(label: "HTTP single events vs raw puts", value: Source("http-single", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-put-1000", "putsPerSecond"), baselineLabel: "raw puts, 1,000", showsRSS: false),
        Row(label: "HTTP single, 64 clients, p50", value: Source("http-single", "p50"), unit: .microseconds,
            baseline: Source("raw-commit", "p50"), baselineLabel: "raw commit p50", showsRSS: false),
        Row(label: "HTTP single, 64 clients, p99", value: Source("http-single", "p99"), unit: .microseconds,
            baseline: Source("raw-commit", "p99"), baselineLabel: "raw commit p99", showsRSS: false),
        Row(label: "HTTP batches of 100, 64 clients", value: Source("http-batch", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-put-1000", "putsPerSecond"), baselineLabel: "raw puts, 1,000"),
        Row(label: "HTTP batch of 100, 64 clients, p50", value: Source("http-batch", "p50"), unit: .microseconds,
            baseline: Source("raw-commit", "p50"), baselineLabel: "raw commit p50", showsRSS: false),
        Row(label: "HTTP batch of 100, 64 clients, p99", value: Source("http-batch", "p99"), unit: .microseconds,
            baseline: Source("raw-commit", "p99"), baselineLabel: "raw commit p99", showsRSS: false),
    ]
}

extension String {
    init(format1 v: Double) { self = Self.fixed(v, 1) }
    init(format2 v: Double) { self = Self.fixed(v, 2) }

    /// `v` with `digits` decimals (no Foundation).
    static func fixed(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int64((abs(v) * scale).rounded())
        let whole = n / Int64(scale), frac = n % Int64(scale)
        var f = String(frac)
        while f.count < digits { f = "0" + f }
        return (v < 0 && n != 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + f : "")
    }
}
