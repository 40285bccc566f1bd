/// What the quarterly report is computed from, gathered from one ledger at one moment. It holds
/// no Kontrakt, Fall, booking or staff ids: the report cannot print what it never receives.
public struct ReportFacts: Sendable {
    /// A Kontrakt's extent, without its ids: enough to count the Kontrakte behind an hours figure.
    public struct KontraktSpan: Equatable, Sendable {
        public var sozialraum: Sozialraum
        public var traeger: String
        public var validFrom: CalendarDate
        /// The last day it runs (its `validTo`, or the day it ended).
        public var lastDay: CalendarDate
        /// The Hilfeart from each date on (signed, then amended), in date order.
        public var hilfeart: [(from: CalendarDate, hilfeart: Hilfeart)]

        public init(sozialraum: Sozialraum, traeger: String, validFrom: CalendarDate, lastDay: CalendarDate,
                    hilfeart: [(from: CalendarDate, hilfeart: Hilfeart)]) {
            self.sozialraum = sozialraum
            self.traeger = traeger
            self.validFrom = validFrom
            self.lastDay = lastDay
            self.hilfeart = hilfeart
        }

        public static func == (a: KontraktSpan, b: KontraktSpan) -> Bool {
            a.sozialraum == b.sozialraum && a.traeger == b.traeger && a.validFrom == b.validFrom && a.lastDay == b.lastDay
                && a.hilfeart.map(\.from) == b.hilfeart.map(\.from) && a.hilfeart.map(\.hilfeart) == b.hilfeart.map(\.hilfeart)
        }

        /// The Hilfearten it had on some day from `start` through `end`.
        public func hilfearten(from start: CalendarDate, through end: CalendarDate) -> Set<Hilfeart> {
            let a = max(start, validFrom), b = min(end, lastDay)
            guard a <= b else { return [] }
            var out: Set<Hilfeart> = []
            for (i, segment) in hilfeart.enumerated() {
                let segmentEnd = i + 1 < hilfeart.count ? hilfeart[i + 1].from.advanced(by: -1) : b
                if max(segment.from, a) <= min(segmentEnd, b) { out.insert(segment.hilfeart) }
            }
            return out
        }
    }

    /// A `ReconciliationRecorded` of the quarter.
    public struct Reconciliation: Equatable, Sendable {
        /// The other side's ledger, e.g. `traeger:caritas`.
        public var counterparty: String
        public var recordedAt: Timestamp
        public var findings: Int64
        public var ownHeadSeq: UInt64
        public var counterpartyHeadSeq: UInt64
        public var reportHash: Digest32

        public init(counterparty: String, recordedAt: Timestamp, findings: Int64, ownHeadSeq: UInt64,
                    counterpartyHeadSeq: UInt64, reportHash: Digest32) {
            self.counterparty = counterparty
            self.recordedAt = recordedAt
            self.findings = findings
            self.ownHeadSeq = ownHeadSeq
            self.counterpartyHeadSeq = counterpartyHeadSeq
            self.reportHash = reportHash
        }
    }

    public var ledger: LedgerName
    public var year: Int
    public var quarter: Int
    public var asOf: Timestamp?
    /// The last record the report includes.
    public var headSeq: UInt64
    public var headHash: Digest32
    public var headRecordedAt: Timestamp?
    /// Per Sozialraum, the budget views through quarters 1…`quarter` (index q − 1).
    public var views: [Sozialraum: [BudgetView]]
    public var kontrakte: [KontraktSpan]
    /// The other side's ledgers the quarter should be reconciled with (`traeger:<id>` of the
    /// agreements in force in the quarter, on the Jugendamt's ledger).
    public var counterparties: [String]
    /// Reconciliations of this quarter, in the order recorded.
    public var reconciliations: [Reconciliation]

    public init(ledger: LedgerName, year: Int, quarter: Int, asOf: Timestamp?, headSeq: UInt64, headHash: Digest32,
                headRecordedAt: Timestamp?, views: [Sozialraum: [BudgetView]], kontrakte: [KontraktSpan],
                counterparties: [String], reconciliations: [Reconciliation]) {
        self.ledger = ledger
        self.year = year
        self.quarter = quarter
        self.asOf = asOf
        self.headSeq = headSeq
        self.headHash = headHash
        self.headRecordedAt = headRecordedAt
        self.views = views
        self.kontrakte = kontrakte
        self.counterparties = counterparties
        self.reconciliations = reconciliations
    }
}
