/// What a reconciliation is about: a quarter of service dates, and (optionally) the moment whose
/// knowledge counts (CONTRACT section 4: two time axes).
public struct ReconciliationPeriod: Equatable, Hashable, Sendable {
    public let year: Int
    public let quarter: Int
    /// Only records with `recordedAt ≤ asOf` count; `nil` means everything recorded so far.
    public let asOf: Timestamp?
    /// The quarter's first and last day.
    public let first: CalendarDate
    public let last: CalendarDate

    /// Refuses a year outside 2000…2100 or a quarter outside 1…4, naming the option.
    public init(year: Int, quarter: Int, asOf: Timestamp? = nil) throws(ValidationError) {
        guard (2000...2100).contains(year) else {
            throw ValidationError(field: "year", "--year must be between 2000 and 2100, got \(year)")
        }
        guard (1...4).contains(quarter) else {
            throw ValidationError(field: "quarter", "--quarter must be 1, 2, 3 or 4, got \(quarter)")
        }
        self.year = year
        self.quarter = quarter
        self.asOf = asOf
        first = CalendarDate.quarterStart(year: year, quarter: quarter)
        last = CalendarDate.quarterEnd(year: year, quarter: quarter)
    }

    /// Whether a service date lies in the quarter.
    @inline(__always)
    public func contains(_ date: CalendarDate) -> Bool { first <= date && date <= last }

    /// Whether a record recorded at `recordedAt` was known at `asOf`.
    @inline(__always)
    public func knows(_ recordedAt: Timestamp) -> Bool { asOf.map { recordedAt <= $0 } ?? true }

    /// "Q2/2025".
    public var label: String { "Q\(quarter)/\(year)" }
}
