/// Integer money arithmetic: cents, basis points, exact splits.
public enum Money {
    /// `a ÷ b` rounded half up (away from zero for halves), for `b > 0`.
    @inline(__always)
    public static func divideRoundingHalfUp(_ a: Int64, _ b: Int64) -> Int64 {
        precondition(b > 0)
        if a >= 0 { return (a + b / 2) / b }
        return -divideRoundingHalfUp(-a, b)
    }

    /// `whole × numerator ÷ denominator`, rounded half up; the part of a split.
    @inline(__always)
    public static func share(_ whole: Int64, _ numerator: Int64, _ denominator: Int64) -> Int64 {
        if whole < 0 { return -share(-whole, numerator, denominator) }
        precondition(numerator >= 0 && denominator > 0)
        let (p, o) = whole.multipliedFullWidth(by: numerator)
        let (q, r) = denominator.dividingFullWidth((p, o))
        // Round half up: compare twice the remainder with the denominator.
        return (r * 2 >= denominator) ? q + 1 : q
    }

    /// Splits `whole` by `percent`: the rounded part and the rest, which always sum to `whole`.
    public static func split(_ whole: Int64, percent: Int64) -> (part: Int64, rest: Int64) {
        let part = share(whole, percent, 100)
        return (part, whole - part)
    }
}
