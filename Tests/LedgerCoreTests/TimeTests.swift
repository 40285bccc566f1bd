import Testing
@testable import LedgerCore

@Suite("Timestamp and CalendarDate")
struct TimeTests {
    func ts(_ text: String) -> Timestamp? { Timestamp(rfc3339: text) }

    @Test("RFC 3339 in UTC round-trips exactly")
    func utcRoundTrip() throws {
        for text in ["1970-01-01T00:00:00Z", "2025-04-02T09:15:00Z", "2024-02-29T23:59:59Z",
                     "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "2000-03-01T12:00:00Z"] {
            let t = try #require(ts(text), "\(text)")
            #expect(t.description == text)
        }
        #expect(ts("1970-01-01T00:00:00Z")?.seconds == 0)
        #expect(ts("1969-12-31T23:59:59Z")?.seconds == -1)
        #expect(ts("2025-04-02T09:15:00Z")?.seconds == 1_743_585_300)
        #expect(Timestamp(seconds: -86_401).description == "1969-12-30T23:59:59Z")
    }

    @Test("offsets are converted to UTC, across day and year boundaries")
    func offsets() {
        #expect(ts("2025-04-02T11:15:00+02:00") == ts("2025-04-02T09:15:00Z"))
        #expect(ts("2025-04-02T03:45:00-05:30") == ts("2025-04-02T09:15:00Z"))
        #expect(ts("2025-01-01T00:30:00+01:00")?.description == "2024-12-31T23:30:00Z")
        #expect(ts("2024-12-31T23:30:00-01:00")?.description == "2025-01-01T00:30:00Z")
        #expect(ts("2024-02-28T23:00:00-02:00")?.description == "2024-02-29T01:00:00Z")
        #expect(ts("2025-04-02T09:15:00+00:00") == ts("2025-04-02T09:15:00Z"))
        #expect(ts("2025-04-02T09:15:00-00:00") == ts("2025-04-02T09:15:00Z"))
        #expect(ts("2025-04-02T09:15:00+23:59")?.description == "2025-04-01T09:16:00Z")
    }

    @Test("fractions are truncated to the second; lower-case t/z and a space separator are accepted")
    func lenientForms() {
        #expect(ts("2025-04-02T09:15:00.999Z") == ts("2025-04-02T09:15:00Z"))
        #expect(ts("2025-04-02T09:15:00.000001+02:00") == ts("2025-04-02T07:15:00Z"))
        #expect(ts("2025-04-02t09:15:00z") == ts("2025-04-02T09:15:00Z"))
        #expect(ts("2025-04-02 09:15:00Z") == ts("2025-04-02T09:15:00Z"))
    }

    @Test("a leap second is held at :59 so that order is kept")
    func leapSecond() {
        #expect(ts("2016-12-31T23:59:60Z")?.description == "2016-12-31T23:59:59Z")
    }

    @Test("a bare date means the end of that day")
    func bareDate() {
        #expect(ts("2025-03-31")?.description == "2025-03-31T23:59:59Z")
        #expect(ts("2024-02-29")?.description == "2024-02-29T23:59:59Z")
        #expect(ts("2025-02-29") == nil)
        #expect(ts("2025-03-31")! < ts("2025-04-01T00:00:00Z")!)
        #expect(ts("2025-03-31")! >= ts("2025-03-31T23:59:59Z")!)
    }

    @Test("malformed times are refused", arguments: [
        "", "2025-04-02T09:15:00", "2025-04-02T09:15Z", "2025-04-02T9:15:00Z", "2025-4-2T09:15:00Z",
        "2025-04-02T24:00:00Z", "2025-04-02T09:60:00Z", "2025-04-02T09:15:61Z", "2025-13-01T00:00:00Z",
        "2025-00-01T00:00:00Z", "2025-04-31T00:00:00Z", "2025-04-00T00:00:00Z", "2025-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "0000-01-01T00:00:00Z", "2025-04-02T09:15:00+0200", "2025-04-02T09:15:00+02",
        "2025-04-02T09:15:00+24:00", "2025-04-02T09:15:00+02:60", "2025-04-02T09:15:00.Z", "2025-04-02T09:15:00ZZ",
        "2025-04-02T09:15:00Z ", " 2025-04-02T09:15:00Z", "2025-04-02X09:15:00Z", "2025/04/02T09:15:00Z",
        "2025-04-02T09-15-00Z", "20250402T091500Z", "2025-04-02T09:15:00+02:00Z", "２０２５-04-02", "2025-04-0a",
        "yesterday", "2025-04-02T",
    ])
    func refusesMalformed(text: String) {
        #expect(ts(text) == nil)
    }

    @Test("leap years follow the Gregorian rule")
    func leapYears() {
        #expect(CalendarDate.isLeap(2024))
        #expect(!CalendarDate.isLeap(2025))
        #expect(!CalendarDate.isLeap(1900))
        #expect(!CalendarDate.isLeap(2100))
        #expect(CalendarDate.isLeap(2000))
        #expect(CalendarDate.isLeap(2400))
        #expect(CalendarDate("2000-02-29") != nil)
        #expect(CalendarDate("2100-02-29") == nil)
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2024-02-30") == nil)
        #expect(CalendarDate("2024-02-29")!.advanced(by: 1).description == "2024-03-01")
        #expect(CalendarDate("2025-02-28")!.advanced(by: 1).description == "2025-03-01")
        #expect(CalendarDate("2024-12-31")!.distance(to: CalendarDate("2025-12-31")!) == 365)
        #expect(CalendarDate("2023-12-31")!.distance(to: CalendarDate("2024-12-31")!) == 366)
    }

    @Test("every day from 1600 to 2400 matches a plain day-by-day count")
    func daysAgainstNaiveCalendar() {
        var date = CalendarDate(year: 1600, month: 1, day: 1)!
        var (y, m, d) = (1600, 1, 1)
        while y < 2400 {
            let text = String(format4: y) + "-" + String(format2: m) + "-" + String(format2: d)
            if date.description != text || CalendarDate(text) != date {
                Issue.record("\(text) came out as \(date)")
                return
            }
            date = date.advanced(by: 1)
            d += 1
            if d > CalendarDate.daysIn(month: m, year: y) { d = 1; m += 1 }
            if m > 12 { m = 1; y += 1 }
        }
        #expect(CalendarDate("1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDate("0001-01-01")?.description == "0001-01-01")
        #expect(CalendarDate("9999-12-31")?.description == "9999-12-31")
    }

    @Test("random moments round-trip through their text")
    func randomRoundTrip() {
        var rng = SplitMix64(seed: 7)
        let lo = Timestamp(rfc3339: "0001-01-01T00:00:00Z")!.seconds
        let hi = Timestamp(rfc3339: "9999-12-31T23:59:59Z")!.seconds
        for _ in 0..<20_000 {
            let t = Timestamp(seconds: Int64.random(in: lo...hi, using: &rng))
            guard Timestamp(rfc3339: t.description) == t else {
                Issue.record("\(t.seconds) → \(t.description) does not parse back")
                return
            }
            #expect(t.date.description == String(t.description.prefix(10)))
        }
    }

    @Test("quarters")
    func quarters() {
        #expect(CalendarDate.quarterStart(year: 2025, quarter: 1).description == "2025-01-01")
        #expect(CalendarDate.quarterEnd(year: 2025, quarter: 1).description == "2025-03-31")
        #expect(CalendarDate.quarterEnd(year: 2024, quarter: 1).description == "2024-03-31")
        #expect(CalendarDate.quarterStart(year: 2025, quarter: 2).description == "2025-04-01")
        #expect(CalendarDate.quarterEnd(year: 2025, quarter: 2).description == "2025-06-30")
        #expect(CalendarDate.quarterEnd(year: 2025, quarter: 3).description == "2025-09-30")
        #expect(CalendarDate.quarterEnd(year: 2025, quarter: 4).description == "2025-12-31")
        #expect(CalendarDate("2025-03-31")?.quarter == 1)
        #expect(CalendarDate("2025-04-01")?.quarter == 2)
        #expect(CalendarDate("2025-12-31")?.quarter == 4)
    }
}

extension String {
    init(format2 v: Int) { self = v < 10 ? "0\(v)" : "\(v)" }
    init(format4 v: Int) { self = String(repeating: "0", count: 4 - String(v).count) + String(v) }
}
