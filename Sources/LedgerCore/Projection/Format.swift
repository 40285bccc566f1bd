/// German number formats for the human outputs (1.234.567,89 €). Machine outputs stay in cents.
public enum Format {
    /// Groups thousands with '.'.
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(".") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Cents as euros: `1.234.567,89 €`.
    public static func euro(_ cents: Int64) -> String {
        let sign = cents < 0 ? "-" : ""
        let m = cents.magnitude
        let euros = grouped(Int64(m / 100))
        let rest = m % 100
        return "\(sign)\(euros),\(rest < 10 ? "0" : "")\(rest) €"
    }

    /// Minutes as hours with one decimal: `1.234,5 h`.
    public static func hours(_ minutes: Int64) -> String {
        let tenths = Money.divideRoundingHalfUp(minutes.magnitude > Int64.max.magnitude ? 0 : abs(minutes), 6)
        let sign = minutes < 0 ? "-" : ""
        return "\(sign)\(grouped(tenths / 10)),\(tenths % 10) h"
    }

    /// Basis points as percent: `12,34 %`.
    public static func percent(_ basisPoints: Int64) -> String {
        let sign = basisPoints < 0 ? "-" : ""
        let m = basisPoints.magnitude
        let rest = m % 100
        return "\(sign)\(grouped(Int64(m / 100))),\(rest < 10 ? "0" : "")\(rest) %"
    }

    /// Hundredths of a post: `2,50`.
    public static func posts(_ hundredths: Int64) -> String {
        let m = hundredths.magnitude
        let rest = m % 100
        return "\(hundredths < 0 ? "-" : "")\(m / 100),\(rest < 10 ? "0" : "")\(rest)"
    }
}
