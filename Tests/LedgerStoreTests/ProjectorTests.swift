import Foundation
import Testing
import LedgerCore
import LedgerGen
import LedgerStore
import LMDB

/// A fresh ledger in a temporary folder, with the domain rules and the projector.
func makeLedger(side: Side = .jugendamt, org: String = "trier-saarburg", jugendamt: String? = nil) throws -> Ledger {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dl-test-\(UUID().uuidString)").path
    var options = Environment.Options()
    options.noSync = true
    return try Ledger.create(at: dir, side: side, org: org, jugendamt: jugendamt,
                             policy: DomainPolicy(views: Projector()), options: options)
}

func ev(_ type: String, _ key: String, _ data: JSON) -> NewEvent {
    NewEvent(type: type, key: key, data: data.object!)
}

let t0 = Timestamp(rfc3339: "2025-01-02T08:00:00Z")!

/// The Konz world of the worked example in docs/BUDGET.md.
func konzBasics() -> [NewEvent] {
    [
        ev("SignerAuthorized", "s1", ["signer": "asd-07", "from": "2025-01-01"]),
        ev("BudgetSet", "bs1", ["sozialraum": "konz", "year": 2025, "gesamtCents": 100_000_000]),
        ev("AgreementSigned", "a1", ["agreement": "ag-1", "traeger": "caritas", "sozialraum": "konz", "validFrom": "2025-01-01",
                                     "validTo": "2029-12-31", "stellenfaktorCents": 9_000_000, "jahresarbeitszeitMinutes": 96_000,
                                     "planstellenHundredths": 250]),
        ev("KontraktSigned", "k1", ["kontrakt": "k-1", "fall": "f-1", "sozialraum": "konz", "traeger": "caritas", "hilfeart": "31",
                                    "funding": "variabel", "grantedMinutes": 6000, "validFrom": "2025-02-01", "validTo": "2025-07-31",
                                    "signedBy": "asd-07"]),
    ]
}

@Suite struct ProjectorFormulas {
    @Test func splitsAreExactAndSumToTheWhole() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<5_000 {
            let whole = Int64(rng.next() % 10_000_000_000)
            let (sz, asd) = Money.split(whole, percent: 85)
            let (pers, variabel) = Money.split(sz, percent: 80)
            #expect(sz + asd == whole)
            #expect(pers + variabel == sz)
            // Round half up: the part is within half a cent of the exact share.
            #expect(abs(sz * 100 - whole * 85) <= 50)
            let weights = (0..<Int(rng.next() % 6 + 1)).map { _ in Int(rng.next() % 92) }
            let parts = Spread.split(whole, weights: weights)
            if weights.reduce(0, +) > 0 { #expect(parts.reduce(0, +) == whole) }
        }
    }

    @Test func gesamtWithTariffProRataAndSplits() throws {
        let ledger = try makeLedger()
        _ = try ledger.append(konzBasics() + [
            ev("TariffAdjusted", "t1", ["effectiveFrom": "2025-04-01", "basisPoints": 300]),
        ], now: t0)
        let view = try ledger.budget(sozialraum: .konz, year: 2025, quarter: 1, asOf: nil)
        // 3 % of 1,000,000.00 € = 30,000.00 €, for 275 of 365 days: 22,602.74 €.
        #expect(view.tariffs.first?.raiseCents == 2_260_274)
        #expect(view.gesamtCents == 102_260_274)
        #expect(view.sozialraumCents == 86_921_233) // 85 %, rounded half up
        #expect(view.asdCents == 15_339_041)
        #expect(view.personalisiertCents == 69_536_986)
        #expect(view.variabelCents == 17_384_247)
        #expect(view.praeventionMinCents == 8_692_123)
        // In the following year the raise counts in full.
        _ = try ledger.append([ev("BudgetSet", "bs2", ["sozialraum": "konz", "year": 2026, "gesamtCents": 100_000_000])], now: t0)
        #expect(try ledger.budget(sozialraum: .konz, year: 2026, quarter: nil, asOf: nil).gesamtCents == 103_000_000)
    }

    @Test func hoursValuedAtTheFachleistungsstundeAndForecast() throws {
        let ledger = try makeLedger()
        _ = try ledger.append(konzBasics() + [
            ev("HoursBooked", "h1", ["booking": "b-1", "kontrakt": "k-1", "date": "2025-02-03", "minutes": 600]),
            ev("HoursBooked", "h2", ["booking": "b-2", "kontrakt": "k-1", "date": "2025-03-03", "minutes": 45]),
            ev("PaymentBooked", "p1", ["payment": "pay-1", "traeger": "caritas", "sozialraum": "konz", "payee": "fremd-1",
                                       "funding": "variabel", "amountCents": 50_000, "date": "2025-03-01"]),
        ], now: t0)
        let view = try ledger.budget(sozialraum: .konz, year: 2025, quarter: 1, asOf: nil)
        let variabel = try #require(view.pots.first { $0.funding == .variabel })
        // FLS = 90,000.00 € × 60 / 96,000 min = 56.25 €/h; 10 h = 562.50 €; 0.75 h = 42.19 € (42.1875 rounded half up).
        #expect(variabel.consumedCents == 56_250 + 4_219 + 50_000)
        // Straight line over 90 days of 365.
        #expect(variabel.forecastCents == Money.share(variabel.consumedCents, 365, 90))
        #expect(variabel.utilisationBasisPoints == Money.share(variabel.consumedCents, 10_000, variabel.budgetCents))
        // Granted 6,000 min over 181 days; Q2 has 91 days and Q3 31: committed for the rest of the year.
        let rest = Spread.split(6000, weights: [59, 91, 31])
        #expect(variabel.committedCents == Money.divideRoundingHalfUp(rest[1] * 5625, 60) + Money.divideRoundingHalfUp(rest[2] * 5625, 60))
        #expect(variabel.remainingCents == variabel.budgetCents - variabel.consumedCents - variabel.committedCents)
        #expect(view.hours.first?.deliveredMinutes == 645)
        #expect(view.cases.first?.started == 1)
    }

    @Test func aReversedBookingLeavesNoTrace() throws {
        let with = try makeLedger(), without = try makeLedger()
        let booking = ev("HoursBooked", "h1", ["booking": "b-1", "kontrakt": "k-1", "date": "2025-02-03", "minutes": 9000])
        let other = ev("HoursBooked", "h2", ["booking": "b-2", "kontrakt": "k-1", "date": "2025-02-04", "minutes": 60])
        _ = try with.append(konzBasics() + [booking, other, ev("BookingReversed", "r1", ["booking": "b-1", "reason": "fehlbuchung"])], now: t0)
        _ = try without.append(konzBasics() + [other], now: t0)
        for q in 1...4 {
            var a = try with.budget(sozialraum: .konz, year: 2025, quarter: q, asOf: nil)
            var b = try without.budget(sozialraum: .konz, year: 2025, quarter: q, asOf: nil)
            a.asOfSeq = 0; b.asOfSeq = 0
            #expect(a == b)
        }
        #expect(try with.kontrakte().first?.bookedMinutes == 60)
    }

    @Test func lateBookingShowsTheQuarterClosedAndCorrected() throws {
        let ledger = try makeLedger()
        _ = try ledger.append(konzBasics() + [
            ev("HoursBooked", "h1", ["booking": "b-1", "kontrakt": "k-1", "date": "2025-03-03", "minutes": 60]),
            ev("QuarterClosed", "q1", ["year": 2025, "quarter": 1]),
        ], now: Timestamp(rfc3339: "2025-04-05T10:00:00Z")!)
        _ = try ledger.append([ev("HoursBooked", "h2", ["booking": "b-2", "kontrakt": "k-1", "date": "2025-03-31", "minutes": 120])],
                              now: Timestamp(rfc3339: "2025-04-09T10:00:00Z")!)
        let view = try ledger.budget(sozialraum: .konz, year: 2025, quarter: 1, asOf: nil)
        #expect(view.closedAt == Timestamp(rfc3339: "2025-04-05T10:00:00Z"))
        #expect(view.lateBookings == 1)
        let corrected = try #require(view.pots.first { $0.funding == Funding.variabel })
        let closed = try #require(view.asClosed?.first { $0.funding == Funding.variabel })
        #expect(corrected.consumedCents == 5_625 + 11_250)
        #expect(closed.consumedCents == 5_625)
        #expect(view.flags.contains { $0.code == "late-bookings" })
    }

    @Test func overGrantIsFlaggedAndClearedByReversal() throws {
        let ledger = try makeLedger()
        let outcomes = try ledger.append(konzBasics() + [
            ev("HoursBooked", "h1", ["booking": "b-1", "kontrakt": "k-1", "date": "2025-03-03", "minutes": 6001]),
        ], now: t0)
        #expect(outcomes.last?.warnings.isEmpty == false)
        #expect(try ledger.budget(sozialraum: .konz, year: 2025, quarter: 1, asOf: nil).kontrakteOverGrant == 1)
        _ = try ledger.append([ev("BookingReversed", "r1", ["booking": "b-1", "reason": "korrektur"])], now: t0)
        #expect(try ledger.budget(sozialraum: .konz, year: 2025, quarter: 1, asOf: nil).kontrakteOverGrant == 0)
    }
}

/// Random valid histories, for the properties.
struct HistoryGenerator {
    var rng: SplitMix64
    var bookings: [String] = []
    var reversed: Set<String> = []
    var ended: Set<String> = []
    var n = 0

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func events(count: Int) -> [NewEvent] {
        var out = konzBasics() + [
            ev("KontraktSigned", "k2", ["kontrakt": "k-2", "fall": "f-2", "sozialraum": "konz", "traeger": "caritas", "hilfeart": "30",
                                        "funding": "personalisiert", "grantedMinutes": 3000, "validFrom": "2025-01-15",
                                        "validTo": "2025-12-31", "signedBy": "asd-07"]),
            ev("TariffAdjusted", "t1", ["effectiveFrom": "2025-06-01", "basisPoints": 280]),
        ]
        for _ in 0..<count {
            n += 1
            let roll = rng.next() % 100
            let day = Int(rng.next() % 150)
            let date = CalendarDate(year: 2025, month: 2, day: 1)!.advanced(by: day)
            if roll < 60 {
                let k = rng.next() % 2 == 0 ? "k-1" : "k-2"
                if ended.contains(k) || (k == "k-1" && date > CalendarDate("2025-07-31")!) { continue }
                let id = "b-\(n)"
                bookings.append(id)
                out.append(ev("HoursBooked", "e\(n)", ["booking": .string(id), "kontrakt": .string(k), "date": .string(date.description),
                                                        "minutes": .int(Int64(rng.next() % 600 + 15))]))
            } else if roll < 72 {
                out.append(ev("PreventionBooked", "e\(n)", ["booking": .string("p-\(n)"), "traeger": "caritas", "sozialraum": "konz",
                                                             "date": .string(date.description), "minutes": .int(Int64(rng.next() % 240 + 30)),
                                                             "category": rng.next() % 2 == 0 ? "praevention" : "netzwerk"]))
            } else if roll < 82 {
                let id = "pay-\(n)"
                bookings.append(id)
                out.append(ev("PaymentBooked", "e\(n)", ["payment": .string(id), "traeger": "caritas", "sozialraum": "konz", "payee": "fremd-1",
                                                          "funding": rng.next() % 2 == 0 ? "asd" : "variabel",
                                                          "amountCents": .int(Int64(rng.next() % 100_000 + 1)), "date": .string(date.description)]))
            } else if roll < 94 {
                let open = bookings.filter { !reversed.contains($0) }
                guard !open.isEmpty else { continue }
                let id = open[Int(rng.next() % UInt64(open.count))]
                reversed.insert(id)
                out.append(ev("BookingReversed", "e\(n)", ["booking": .string(id), "reason": "korrektur"]))
            } else if roll < 98, !ended.contains("k-2") {
                out.append(ev("KontraktAmended", "e\(n)", ["kontrakt": "k-2", "effectiveFrom": "2025-03-01", "signedBy": "asd-07",
                                                            "grantedMinutes": .int(Int64(rng.next() % 5000 + 500))]))
            } else if !ended.contains("k-2") {
                ended.insert("k-2")
                out.append(ev("KontraktEnded", "e\(n)", ["kontrakt": "k-2", "endedOn": "2025-06-30", "reason": "planmaessig"]))
            }
        }
        return out
    }
}

@Suite struct ProjectorProperties {
    @Test(arguments: [1, 2, 3, 4, 5])
    func incrementalEqualsRebuildAndBatchingDoesNotMatter(seed: UInt64) throws {
        var gen = HistoryGenerator(seed: seed)
        let events = gen.events(count: 300)
        let oneByOne = try makeLedger(), batched = try makeLedger()
        var rng = SplitMix64(seed: seed * 31)
        // Time advances every few events, so several records share a recordedAt.
        var clock = t0.seconds
        var i = 0
        var times: [Timestamp] = []
        for e in events {
            if rng.next() % 3 == 0 { clock += Int64(rng.next() % 5000) }
            times.append(Timestamp(seconds: clock))
            _ = try oneByOne.append([e], now: Timestamp(seconds: clock))
        }
        while i < events.count {
            // Batches never straddle a change of time here, so the clock matches the one-by-one ledger.
            var j = i + 1
            let limit = i + Int(rng.next() % 40) + 1
            while j < events.count, j < limit, times[j] == times[i] { j += 1 }
            _ = try batched.append(Array(events[i..<j]), now: times[i])
            i = j
        }
        let incremental = try oneByOne.stateEntries()
        #expect(incremental.elementsEqual(try batched.stateEntries(), by: ==))
        try oneByOne.rebuildViews(batchSize: 37)
        #expect(incremental.elementsEqual(try oneByOne.stateEntries(), by: ==))
    }

    @Test(arguments: [11, 12, 13])
    func asOfEqualsALedgerCutAtThatMoment(seed: UInt64) throws {
        var gen = HistoryGenerator(seed: seed)
        let events = gen.events(count: 200)
        let full = try makeLedger()
        var rng = SplitMix64(seed: seed)
        var clock = t0.seconds
        var stamped: [NewEvent] = []
        for var e in events {
            clock += Int64(rng.next() % 20_000)
            e.recordedAt = Timestamp(seconds: clock)
            stamped.append(e)
        }
        _ = try full.append(stamped, preserveRecordedAt: true, now: Timestamp(seconds: clock + 1))
        for _ in 0..<4 {
            let cut = Timestamp(seconds: t0.seconds + Int64(rng.next() % UInt64(clock - t0.seconds)))
            let part = try makeLedger()
            _ = try part.append(stamped.filter { $0.recordedAt! <= cut }, preserveRecordedAt: true, now: Timestamp(seconds: clock + 1))
            for q in [1, 2, 3] {
                var a = try full.budget(sozialraum: .konz, year: 2025, quarter: q, asOf: cut)
                var b = try part.budget(sozialraum: .konz, year: 2025, quarter: q, asOf: nil)
                #expect(a.asOfSeq == b.asOfSeq)
                a.asOf = nil
                #expect(a == b)
            }
            #expect(try full.kontrakte(asOf: cut) == part.kontrakte())
        }
    }
}
