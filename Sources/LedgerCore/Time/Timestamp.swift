#if canImport(Glibc)
import Glibc
#endif

/// A moment in UTC with one-second resolution, written as RFC 3339 `YYYY-MM-DDTHH:MM:SSZ`.
public struct Timestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    /// The current time from the system clock.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(seconds: Int64(ts.tv_sec))
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }

    /// The calendar date (UTC) of this moment.
    public var date: CalendarDate {
        CalendarDate(daysSinceEpoch: Int32(Self.floorDiv(seconds, 86_400)))
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(20)
        append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `YYYY-MM-DDTHH:MM:SSZ`.
    @inline(__always)
    public func append(to out: inout [UInt8]) {
        let days = Self.floorDiv(seconds, 86_400)
        let secs = Int(seconds - days * 86_400)
        CalendarDate(daysSinceEpoch: Int32(days)).append(to: &out)
        out.append(UInt8(ascii: "T"))
        CalendarDate.two(secs / 3600, &out)
        out.append(UInt8(ascii: ":"))
        CalendarDate.two(secs / 60 % 60, &out)
        out.append(UInt8(ascii: ":"))
        CalendarDate.two(secs % 60, &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// Parses RFC 3339 (`2025-04-02T09:15:00Z`, `2025-04-02T11:15:00+02:00`, fractions allowed and
    /// truncated to the second). A bare date `YYYY-MM-DD` means the end of that day (23:59:59Z),
    /// which is what "as of a date" means to a user.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        if b.count == 10, let d = CalendarDate(text) {
            seconds = Int64(d.daysSinceEpoch) * 86_400 + 86_399
            return
        }
        guard b.count >= 20, let date = CalendarDate(String(decoding: b[0..<10], as: UTF8.self)),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
              let hh = CalendarDate.digits(b, 11, 2), let mm = CalendarDate.digits(b, 14, 2),
              let ss = CalendarDate.digits(b, 17, 2), hh < 24, mm < 60, ss < 61 else { return nil }
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            if i == start { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"),
                  let oh = CalendarDate.digits(b, i + 1, 2), let om = CalendarDate.digits(b, i + 4, 2),
                  oh < 24, om < 60 else { return nil }
            offset = (oh * 60 + om) * 60 * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hh * 3600 + mm * 60 + min(ss, 59)) - Int64(offset)
    }
}
