/// The benchmark's figures and the table rows built from them.
///
/// A *figure* runs in a child process of its own and reports named metrics; the parent adds the
/// child's peak RSS as the metric `rss`. A *row* of the table takes a value from one figure and,
/// where there is one, a baseline from another, measured in the same run on the same data.
///
/// To add a figure (rebuild, as-of, reconcile, HTTP …): write a function `(Settings, inout Metrics)`,
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
        Figure(name: "prepare-small", summary: "imports the small ledger verify's memory is compared against",
               run: { try LogFigures.bulkImport($0, &$1, batch: 10_000, into: $0.smallLedger, records: $0.smallRecords) }),
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
    case perSecond, microseconds, megabytes

    func format(_ v: Double) -> String {
        switch self {
        case .perSecond:
            if v >= 1e6 { return String(format2: v / 1e6) + "M/s" }
            if v >= 1e3 { return String(format1: v / 1e3) + "k/s" }
            return String(format1: v) + "/s"
        case .microseconds: return String(format1: v * 1e6) + " µs"
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

    var text: String {
        switch self {
        case .none: ""
        case .ratioAtLeast(let r): "≥ \(String(format2: r))×"
        case .ratioAtMost(let r): "≤ \(String(format2: r))×"
        case .atLeast(let v): "≥ " + Unit.perSecond.format(v)
        }
    }

    func met(value: Double, ratio: Double?) -> Bool? {
        switch self {
        case .none: nil
        case .ratioAtLeast(let r): ratio.map { $0 >= r }
        case .ratioAtMost(let r): ratio.map { $0 <= r }
        case .atLeast(let v): value >= v
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
        Row(label: "full verify", value: Source("verify", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-scan", "hashedPerSecond"), baselineLabel: "raw scan + SHA-256", target: .atLeast(2_000_000)),
        Row(label: "full verify, one thread", value: Source("verify-1-thread", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-scan", "hashedPerSecond"), baselineLabel: "raw scan + SHA-256", target: .atLeast(2_000_000)),
        Row(label: "full verify, two threads", value: Source("verify-2-threads", "eventsPerSecond"), unit: .perSecond,
            baseline: Source("raw-scan", "hashedPerSecond"), baselineLabel: "raw scan + SHA-256", target: .atLeast(2_000_000)),
        Row(label: "raw cursor scan", value: Source("raw-scan", "recordsPerSecond"), unit: .perSecond),
        Row(label: "verify peak RSS, large vs small ledger", value: Source("verify", "rss"), unit: .megabytes,
            baseline: Source("verify-small", "rss"), baselineLabel: "small ledger", target: .ratioAtMost(1.1), showsRSS: false),
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
