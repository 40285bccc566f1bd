/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD`. Stored as days since 1970-01-01.
public struct CalendarDate: Comparable, Hashable, Sendable, CustomStringConvertible, Strideable {
    public var daysSinceEpoch: Int32

    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    /// The date of `year`-`month`-`day`, or `nil` when no such day exists.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...Self.daysIn(month: month, year: year)).contains(day) else { return nil }
        daysSinceEpoch = Int32(Self.days(year: year, month: month, day: day))
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(_ text: String) {
        var text = text
        guard let date = text.withUTF8({ CalendarDate(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = date
    }

    /// `YYYY-MM-DD` in UTF-8 bytes.
    public init?(utf8 b: UnsafeRawBufferPointer) {
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = Self.digits(b, 0, 4), let m = Self.digits(b, 5, 2), let d = Self.digits(b, 8, 2) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }
    public func distance(to other: CalendarDate) -> Int { Int(other.daysSinceEpoch - daysSinceEpoch) }
    public func advanced(by n: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + Int32(n)) }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Year, month and day (Howard Hinnant's `civil_from_days`).
    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(daysSinceEpoch) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public var year: Int { components.year }
    /// The quarter, 1 to 4.
    public var quarter: Int { (components.month - 1) / 3 + 1 }

    /// The first day of a quarter.
    public static func quarterStart(year: Int, quarter: Int) -> CalendarDate {
        CalendarDate(year: year, month: (quarter - 1) * 3 + 1, day: 1)!
    }

    /// The last day of a quarter.
    public static func quarterEnd(year: Int, quarter: Int) -> CalendarDate {
        let m = quarter * 3
        return CalendarDate(year: year, month: m, day: daysIn(month: m, year: year))!
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(10)
        append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func append(to out: inout [UInt8]) {
        let (y, m, d) = components
        Self.two(y / 100, &out)
        Self.two(y % 100, &out)
        out.append(UInt8(ascii: "-"))
        Self.two(m, &out)
        out.append(UInt8(ascii: "-"))
        Self.two(d, &out)
    }

    @inline(__always)
    static func two(_ v: Int, _ out: inout [UInt8]) {
        out.append(UInt8(v / 10) + 0x30)
        out.append(UInt8(v % 10) + 0x30)
    }

    static func digits(_ b: [UInt8], _ at: Int, _ n: Int) -> Int? {
        b.withUnsafeBytes { digits($0, at, n) }
    }

    static func digits(_ b: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Int? {
        guard at + n <= b.count else { return nil }
        var v = 0
        for i in at..<(at + n) {
            guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
            v = v * 10 + Int(b[i] - 0x30)
        }
        return v
    }
}
