/// German formats the quarterly report needs beyond amounts: dates, moments, counts, short shares.
extension Format {
    /// `30.06.2025`.
    public static func date(_ d: CalendarDate) -> String {
        let (y, m, day) = d.components
        return "\(two(day)).\(two(m)).\(y)"
    }

    /// `03.07.2025, 10:15 UTC` (the ledger keeps UTC; the report says so rather than guess a zone).
    public static func moment(_ t: Timestamp) -> String {
        let secs = t.seconds - Int64(t.date.daysSinceEpoch) * 86_400
        return "\(date(t.date)), \(two(Int(secs / 3600))):\(two(Int(secs / 60 % 60))) UTC"
    }

    /// A count with thousands grouped: `1.234`.
    public static func count(_ n: Int64) -> String { grouped(n) }

    /// Basis points as percent with one decimal, rounded half up: `12,3 %`.
    public static func percentShort(_ basisPoints: Int64) -> String {
        let tenths = Money.divideRoundingHalfUp(basisPoints, 10)
        let m = tenths.magnitude
        return "\(tenths < 0 ? "-" : "")\(grouped(Int64(m / 10))),\(m % 10) %"
    }

    /// Basis points for an axis: `25 %`, or `12,5 %` when not whole.
    public static func percentAxis(_ basisPoints: Int64) -> String {
        basisPoints % 100 == 0 ? "\(grouped(basisPoints / 100)) %" : percentShort(basisPoints)
    }

    /// Whole euros, grouped, for chart labels: `1.234.568 €`.
    public static func euroRounded(_ cents: Int64) -> String {
        "\(grouped(Money.divideRoundingHalfUp(cents, 100))) €"
    }

    /// Whole thousands of euros for axis labels: `250 T€`.
    public static func euroThousands(_ cents: Int64) -> String {
        "\(grouped(Money.divideRoundingHalfUp(cents, 100_000))) T€"
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
