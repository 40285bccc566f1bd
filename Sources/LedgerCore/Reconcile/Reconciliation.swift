/// One side of a reconciliation: whose ledger, which stream, and the last record compared.
public struct SideSummary: Equatable, Sendable {
    /// `jugendamt:<J>` or `traeger:<T>`.
    public var ledger: String
    /// The stream compared: `traeger:<T>` on the Jugendamt's ledger, `jugendamt:<J>` on the Träger's.
    public var stream: String
    /// The stream's last record known at as-of, not counting `ReconciliationRecorded` records
    /// (seq 0 and 64 zeros for an empty stream): the state this side's figures come from.
    public var head: HeadRef
    /// How many records of the stream were read (without `ReconciliationRecorded`).
    public var records: Int

    public init(ledger: String, stream: String, head: HeadRef, records: Int) {
        self.ledger = ledger
        self.stream = stream
        self.head = head
        self.records = records
    }

    public var json: JSON {
        ["ledger": .string(ledger), "stream": .string(stream), "head": head.json, "records": .int(Int64(records))]
    }

    /// The organisation's id (`trier-saarburg`, `caritas`).
    public var org: String { LedgerName(ledger)?.org ?? ledger }
}

/// The result of a reconciliation: what was compared and what differs.
public struct Reconciliation: Equatable, Sendable {
    /// The report format's name and version, carried in every JSON report.
    public static let format = "doppelledger-reconciliation/1"

    public var period: ReconciliationPeriod
    public var jugendamt: SideSummary
    public var traeger: SideSummary
    /// In report order (CONTRACT section 6 kind order, then ids).
    public var findings: [Finding]
    /// Extension point for the projector: totals per Sozialraum and pot from both sides, side by
    /// side. `nil` (and absent from the report) until the projector provides them.
    public var totals: JSON?

    public init(period: ReconciliationPeriod, jugendamt: SideSummary, traeger: SideSummary, findings: [Finding], totals: JSON? = nil) {
        self.period = period
        self.jugendamt = jugendamt
        self.traeger = traeger
        self.findings = findings
        self.totals = totals
    }

    /// Whether the quarter reconciles: no findings.
    public var reconciles: Bool { findings.isEmpty }

    /// Findings per kind, every kind listed (zero included), in kind order.
    public var counts: [(kind: Finding.Kind, count: Int)] {
        var n = [Finding.Kind: Int]()
        for f in findings { n[f.kind, default: 0] += 1 }
        return Finding.Kind.allCases.map { ($0, n[$0] ?? 0) }
    }

    /// The JSON report (see `Schemas/reconciliation-report.schema.json`).
    public var json: JSON {
        var o = JSONObject([
            ("format", .string(Self.format)),
            ("year", .int(Int64(period.year))),
            ("quarter", .int(Int64(period.quarter))),
            ("period", ["from": .string(period.first.description), "to": .string(period.last.description)]),
            ("jugendamt", jugendamt.json),
            ("traeger", traeger.json),
            ("reconciled", .bool(reconciles)),
            ("counts", .object(JSONObject(counts.map { ($0.kind.rawValue, JSON.int(Int64($0.count))) }))),
            ("findings", .array(findings.map(\.json))),
        ])
        if let asOf = period.asOf { o["asOf"] = .string(asOf.description) }
        if let totals { o["totals"] = totals }
        return .object(o)
    }

    /// The report as RFC 8785 canonical JSON: the same inputs give the same bytes. These bytes are
    /// what `reportHash` hashes and what `--record` signs.
    public var reportBytes: [UInt8] { CanonicalWriter.encode(json) }

    /// SHA-256 of ``reportBytes``.
    public var reportHash: Digest32 { Digest32.sha256(reportBytes) }
}
