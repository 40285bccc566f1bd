import LedgerCore

/// Calendar arithmetic the generator needs (weekdays, months, times of day).
extension CalendarDate {
    /// 0 for Monday … 6 for Sunday (1970-01-01 was a Thursday).
    var weekdayIndex: Int {
        let d = Int(daysSinceEpoch) + 3
        return ((d % 7) + 7) % 7
    }

    var isWeekday: Bool { weekdayIndex < 5 }

    /// The Monday of this date's week.
    var monday: CalendarDate { advanced(by: -weekdayIndex) }

    /// The same day `months` later (clamped to the month's last day).
    func addingMonths(_ months: Int) -> CalendarDate {
        let (y, m, d) = components
        let total = y * 12 + (m - 1) + months
        let ny = total / 12, nm = total % 12 + 1
        return CalendarDate(year: ny, month: nm, day: min(d, CalendarDate.daysIn(month: nm, year: ny)))!
    }

    /// This date at `hour`:`minute`:`second` UTC.
    func at(_ hour: Int, _ minute: Int, _ second: Int = 0) -> Timestamp {
        Timestamp(seconds: Int64(daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second))
    }

    static func jan1(_ year: Int) -> CalendarDate { CalendarDate(year: year, month: 1, day: 1)! }
    static func dec31(_ year: Int) -> CalendarDate { CalendarDate(year: year, month: 12, day: 31)! }
}

extension Xoshiro256 {
    /// A day in `lo...hi` (which must not be empty).
    mutating func day(_ lo: CalendarDate, _ hi: CalendarDate) -> CalendarDate {
        lo.advanced(by: int(0...lo.distance(to: hi)))
    }

    /// A weekday in `lo...hi`, or any day there when the span holds no weekday.
    mutating func weekday(_ lo: CalendarDate, _ hi: CalendarDate) -> CalendarDate {
        let days = (0...lo.distance(to: hi)).map { lo.advanced(by: $0) }.filter(\.isWeekday)
        return days.isEmpty ? day(lo, hi) : pick(days)
    }
}

/// Zero-padded decimal.
func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// A JSON object from a literal.
func obj(_ pairs: KeyValuePairs<String, JSON>) -> JSONObject {
    JSONObject(pairs.map { ($0.key, $0.value) })
}
