import Foundation
import LedgerCore
import LedgerGen
import LedgerStore
import Testing

/// The generator feeds the demo, the reconciler's tests and the benchmark: it must be
/// reproducible, valid under the domain rules, honest about what it planted, and realistic.
@Suite("Landkreis generator")
struct GeneratorTests {
    @Test("the same seed gives the same events byte for byte; another seed gives others")
    func deterministic() {
        let again = LandkreisGenerator.generate(GeneratorOptions(startYear: 2025, years: 1, seed: 42, plantDiscrepancies: true))
        let first = Fixtures.planted
        #expect(first.ledgers.map(\.name.description) == ["jugendamt:trier-saarburg"] + Landkreis.traeger.map { "traeger:\($0)" })
        for (a, b) in zip(first.ledgers, again.ledgers) {
            #expect(a.events == b.events, "\(a.name) differs between two runs with the same seed")
        }
        #expect(first.jugendamt.importLines() == again.jugendamt.importLines())
        #expect(first.planted == again.planted)
        #expect(Fixtures.seed7.jugendamt.importLines() != first.jugendamt.importLines())
    }

    @Test("two years pass the domain rules in order: unique keys, recordedAt never going back")
    func twoYearsPassTheRules() {
        let landkreis = LandkreisGenerator.generate(GeneratorOptions(startYear: 2024, years: 2, seed: 7, plantDiscrepancies: true))
        for ledger in landkreis.ledgers {
            let (admitted, refusals) = admitAll(ledger)
            #expect(refusals.isEmpty, "\(refusals)")
            #expect(admitted.count == ledger.events.count)
            var keys = Set<String>()
            var backwards: [String] = []
            var last = Timestamp(seconds: 0)
            for e in ledger.events {
                keys.insert(e.key)
                if e.recordedAt! < last { backwards.append(e.key) }
                last = e.recordedAt!
            }
            #expect(keys.count == ledger.events.count, "\(ledger.name): keys repeat")
            #expect(backwards.isEmpty, "\(ledger.name): recordedAt goes back at \(backwards.prefix(3))")
        }
        let tariffs = landkreis.jugendamt.events.filter { $0.type == "TariffAdjusted" }
            .map { "\($0.string("effectiveFrom")!) \($0.int("basisPoints")!)" }
        #expect(tariffs == ["2024-03-01 550", "2025-04-01 300"])
        // Five-year agreements are renewed: each Träger has one in force on every day of the years.
        let agreements = landkreis.jugendamt.events.filter { $0.type == "AgreementSigned" }
        for (sz, traeger) in Landkreis.traegerBySozialraum {
            for t in traeger {
                let mine = agreements.filter { $0.string("traeger") == t && $0.string("sozialraum") == sz.rawValue }
                    .map { ($0.date("validFrom")!, $0.date("validTo")!) }.sorted { $0.0 < $1.0 }
                #expect(mine.first!.0 <= CalendarDate(year: 2024, month: 1, day: 1)!)
                #expect(mine.last!.1 >= CalendarDate(year: 2025, month: 12, day: 31)!)
                for (a, b) in zip(mine, mine.dropFirst()) { #expect(a.1.advanced(by: 1) == b.0) }
            }
        }
        // Budget year by budget year.
        #expect(landkreis.jugendamt.events.filter { $0.type == "BudgetSet" }.count == 8)
        #expect(landkreis.jugendamt.events.filter { $0.type == "QuarterClosed" }.count == 8)
        #expect(agreements.count > Landkreis.traegerBySozialraum.reduce(0) { $0 + $1.1.count }, "no agreement was renewed")
    }

    @Test("filled into real ledgers, every event is appended and every ledger verifies")
    func realLedgersVerify() throws {
        let landkreis = Fixtures.planted
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let now = max(Timestamp.now(), landkreis.lastRecordedAt)
        for generated in landkreis.ledgers {
            let ledger = try Ledger.create(at: "\(dir)/\(generated.name.org)", side: generated.name.side, org: generated.name.org,
                                           jugendamt: generated.jugendamt, policy: DomainPolicy())
            let outcomes = try ledger.append(generated.events, preserveRecordedAt: true, now: now)
            #expect(outcomes.count == generated.events.count)
            #expect(outcomes.filter { !$0.isNew }.isEmpty)
            let result = try ledger.verify()
            #expect(result.isValid, "\(generated.name): \(result.failure ?? "")")
            #expect(result.records == generated.events.count)
            #expect(try ledger.head().recordedAt == generated.lastRecordedAt)
        }
    }

    @Test("without planting both sides hold the same shared events, nothing is beyond a grant, the plan is empty")
    func cleanSidesAgree() {
        let landkreis = Fixtures.clean
        #expect(landkreis.planted.isEmpty)
        for (t, (ja, tr)) in sideViews(landkreis) {
            #expect(ja.kontrakte.count > 10, "\(t) has too few Kontrakte")
            #expect(Set(ja.events.keys) == Set(tr.events.keys), "\(t): the sides hold different events")
            let differing = ja.events.keys.filter { ja.events[$0]!.data != tr.events[$0]?.data || ja.events[$0]!.type != tr.events[$0]?.type }
            #expect(differing.isEmpty, "\(t): \(differing.prefix(3)) differ")
            let beyond = ja.grants.filter { ja.minutes($0.key, through: farFuture) > $0.value }
            #expect(beyond.isEmpty, "\(t): \(beyond.keys.sorted().prefix(3)) booked beyond the grant")
        }
        // The tariff steps and quarter ends every Träger records are the Jugendamt's.
        let shared = Set(landkreis.jugendamt.events.filter { ["TariffAdjusted", "QuarterClosed"].contains($0.type) }.map { "\($0.key) \($0.data)" })
        for ledger in landkreis.traeger {
            let own = Set(ledger.events.filter { ["TariffAdjusted", "QuarterClosed"].contains($0.type) }.map { "\($0.key) \($0.data)" })
            #expect(own == shared, "\(ledger.name)")
        }
    }

    @Test("with planting, every finding kind is in the plan, each entry is true of the data, and every difference is in the plan")
    func plantedAreInThePlan() {
        let landkreis = Fixtures.planted
        let plan = landkreis.planted
        #expect(Set(plan.map(\.kind)) == Set(Finding.Kind.allCases))
        #expect(Set(plan.map(\.quarter)) == [1, 2, 3, 4], "plantings are spread over the quarters")
        let views = sideViews(landkreis)
        for p in plan {
            let (ja, tr) = views[p.traeger]!
            let id = p.ids[0]
            switch p.kind {
            case .kontraktMissingAtTraeger: #expect(ja.kontrakte[id] != nil && tr.kontrakte[id] == nil, "\(p)")
            case .kontraktMissingAtJugendamt: #expect(tr.kontrakte[id] != nil && ja.kontrakte[id] == nil, "\(p)")
            case .kontraktMismatch:
                #expect(ja.kontrakte[id] != nil && tr.kontrakte[id] != nil, "\(p)")
                #expect(ja.kontrakte[id]?.data[p.field!] != tr.kontrakte[id]?.data[p.field!], "\(p)")
            case .bookingMissingAtTraeger: #expect(ja.booking(id) != nil && tr.booking(id) == nil, "\(p)")
            case .bookingMissingAtJugendamt: #expect(tr.booking(id) != nil && ja.booking(id) == nil, "\(p)")
            case .bookingMismatch:
                #expect(ja.booking(id) != nil && tr.booking(id) != nil, "\(p)")
                #expect(ja.booking(id)?.data[p.field!] != tr.booking(id)?.data[p.field!], "\(p)")
            case .paymentMissingAtTraeger: #expect(ja.payment(id) != nil && tr.payment(id) == nil, "\(p)")
            case .paymentMissingAtJugendamt: #expect(tr.payment(id) != nil && ja.payment(id) == nil, "\(p)")
            case .paymentMismatch:
                #expect(ja.payment(id) != nil && tr.payment(id) != nil, "\(p)")
                #expect(ja.payment(id)?.data[p.field!] != tr.payment(id)?.data[p.field!], "\(p)")
            case .hoursMismatch: #expect(ja.minutes(id, p.year, p.quarter) != tr.minutes(id, p.year, p.quarter), "\(p)")
            case .overGrant:
                let end = CalendarDate.quarterEnd(year: p.year, quarter: p.quarter)
                #expect(p.side == nil)
                #expect(ja.minutes(id, through: end) > ja.grants[id]! && tr.minutes(id, through: end) > tr.grants[id]!, "\(p)")
            }
        }
        // And nothing differs that the plan does not name.
        let named = Set(plan.flatMap(\.ids))
        for (t, (ja, tr)) in views {
            for key in Set(ja.events.keys).union(tr.events.keys) where ja.events[key]?.data != tr.events[key]?.data {
                #expect(named.contains(key) || (key.hasPrefix("r-") && named.contains(String(key.dropFirst(2)))),
                        "\(t): \(key) differs between the sides but is not in the plan")
            }
            for k in Set(ja.kontrakte.keys).union(tr.kontrakte.keys) {
                for q in 1...4 where ja.minutes(k, 2025, q) != tr.minutes(k, 2025, q) {
                    #expect(plan.contains { $0.kind == .hoursMismatch && $0.ids == [k] && $0.quarter == q }, "\(t): hours of \(k) in Q\(q)")
                }
                for side in [ja, tr] where side.grants[k].map({ side.minutes(k, through: farFuture) > $0 }) ?? false {
                    #expect(plan.contains { $0.kind == .overGrant && $0.ids == [k] }, "\(t): \(k) is beyond its grant")
                }
            }
        }
    }

    @Test("numbers lie in the realistic ranges of DOMAIN.md", arguments: [UInt64(42), 7])
    func realisticNumbers(seed: UInt64) {
        // Seed 42 with the plantings (an extra Kontrakt or booking changes no range), 7 without.
        let landkreis = seed == 42 ? Fixtures.planted : Fixtures.seed7
        let events = landkreis.jugendamt.events
        func all(_ type: String) -> [NewEvent] { events.filter { $0.type == type } }
        let jan1 = CalendarDate(year: 2025, month: 1, day: 1)!

        // Agreements: 2–3 Träger per Sozialraum, 7–12 posts each, about 40 in all; Stellenfaktor,
        // Jahresarbeitszeit and the Fachleistungsstunde in range; five years.
        var agreement: [String: NewEvent] = [:]
        for a in all("AgreementSigned") {
            agreement["\(a.string("traeger")!)/\(a.string("sozialraum")!)"] = a
            #expect((8_500_000...10_000_000).contains(a.int("stellenfaktorCents")!))
            #expect((1560 * 60...1650 * 60).contains(a.int("jahresarbeitszeitMinutes")!))
            let fls = a.int("stellenfaktorCents")! * 60 / a.int("jahresarbeitszeitMinutes")!
            #expect((5_500...7_500).contains(fls), "FLS \(fls) cents")
            let from = a.date("validFrom")!, to = a.date("validTo")!
            #expect(CalendarDate(year: from.year + 5, month: 1, day: 1)! == to.advanced(by: 1))
        }
        #expect(Set(agreement.keys.map { String($0.split(separator: "/")[0]) }) == Set(Landkreis.traeger))
        var postsTotal: Int64 = 0
        for sz in Sozialraum.allCases {
            let mine = agreement.values.filter { $0.string("sozialraum") == sz.rawValue }
            #expect((2...3).contains(mine.count))
            let posts = mine.reduce(0) { $0 + $1.int("planstellenHundredths")! }
            #expect((700...1200).contains(posts), "\(sz): \(posts) hundredths of posts")
            postsTotal += posts
        }
        #expect((3800...4400).contains(postsTotal))

        // Budgets 0.6–1.3 M EUR per Sozialraum, 3.8–4.3 M EUR in all; the 2025 tariff step only.
        let budgets = Dictionary(uniqueKeysWithValues: all("BudgetSet").map { ($0.string("sozialraum")!, $0.int("gesamtCents")!) })
        #expect(budgets.count == 4)
        #expect(budgets.values.allSatisfy { (60_000_000...130_000_000).contains($0) })
        #expect((380_000_000...430_000_000).contains(budgets.values.reduce(0, +)))
        #expect(all("TariffAdjusted").map { "\($0.string("effectiveFrom")!) \($0.int("basisPoints")!)" } == ["2025-04-01 300"])
        for sz in Sozialraum.allCases {
            #expect(all("SignerAuthorized").filter { $0.string("sozialraum") == sz.rawValue && $0.date("from")! <= jan1 }.count >= 2)
        }

        // Kontrakte: 60–180 new a year per Sozialraum; hours per week and in total; durations.
        let kontrakte = all("KontraktSigned")
        for sz in Sozialraum.allCases {
            let new = kontrakte.filter { $0.string("sozialraum") == sz.rawValue && $0.date("validFrom")! >= jan1 }.count
            #expect((60...180).contains(new), "\(sz): \(new) new Kontrakte")
        }
        var rate: [String: Int64] = [:]
        for k in kontrakte {
            let id = k.string("kontrakt")!, grant = k.int("grantedMinutes")!
            let from = k.date("validFrom")!, to = k.date("validTo")!
            switch k.string("hilfeart")! {
            case "28", "52":
                #expect(grant % 60 == 0 && (180...1500).contains(grant), "\(id): \(grant) minutes")
                if k.string("hilfeart") == "28" { #expect(grant >= 300) }
            default:
                let weeks = Int64((from >= jan1 ? from : jan1).monday.distance(to: to.monday) / 7 + 1)
                #expect(grant % weeks == 0, "\(id): \(grant) minutes is not a weekly grant over \(weeks) weeks")
                rate[id] = grant / weeks
                #expect((180...550).contains(from.distance(to: to) + 1), "\(id) runs \(from) to \(to): not 6 to 18 months")
                switch k.string("hilfeart")! {
                case "31": #expect((240...600).contains(grant / weeks), "\(id): §31 \(grant / weeks) minutes a week")
                case "30": #expect((120...360).contains(grant / weeks), "\(id): §30 \(grant / weeks) minutes a week")
                default: break
                }
            }
        }
        // Hours: mostly within the weekly grant, a few Kontrakte beyond the whole grant; recorded
        // shortly after the service date (the Jugendamt with the weekly report).
        let hours = all("HoursBooked")
        let weekly = hours.filter { rate[$0.string("kontrakt")!] != nil }
        let withinWeek = weekly.filter { $0.int("minutes")! <= rate[$0.string("kontrakt")!]! }.count
        #expect(withinWeek * 100 >= weekly.count * 95)
        let beyond = landkreis.planted.filter { $0.kind == .overGrant }.count
        #expect(beyond >= 1 && beyond * 100 <= kontrakte.count * 5, "\(beyond) of \(kontrakte.count) Kontrakte beyond their grant")
        for h in hours {
            let days = (h.recordedAt!.seconds - Int64(h.date("date")!.daysSinceEpoch) * 86_400) / 86_400
            #expect((0...16).contains(days), "\(h.key) recorded \(days) days after its date")
        }
        for ledger in landkreis.traeger {
            for h in ledger.events where h.type == "HoursBooked" {
                let days = (h.recordedAt!.seconds - Int64(h.date("date")!.daysSinceEpoch) * 86_400) / 86_400
                #expect((0...10).contains(days), "\(ledger.name) \(h.key) recorded \(days) days after its date")
            }
        }

        // Prevention near 10 % of the Sozialraumfinanzvolumen (valued at each Träger's FLS).
        for sz in Sozialraum.allCases {
            let cents = all("PreventionBooked").filter { $0.string("sozialraum") == sz.rawValue }.reduce(Int64(0)) { sum, p in
                let a = agreement["\(p.string("traeger")!)/\(sz.rawValue)"]!
                return sum + p.int("minutes")! * a.int("stellenfaktorCents")! / a.int("jahresarbeitszeitMinutes")!
            }
            let volume = Money.share(budgets[sz.rawValue]!, 85, 100)
            #expect((80...130).contains(cents * 1000 / volume), "\(sz): prevention \(cents * 1000 / volume) ‰")
        }

        // Payments from the variabel and ASD pots, some to other providers; the rest of the year.
        let payments = all("PaymentBooked")
        #expect(payments.allSatisfy { ["variabel", "asd"].contains($0.string("funding")!) })
        #expect(payments.contains { $0.string("payee") != $0.string("traeger") })
        #expect(!all("BookingReversed").isEmpty)
        #expect(!all("KontraktAmended").isEmpty)
        #expect(all("KontraktEnded").contains { $0.string("reason") != "planmaessig" })
        #expect(!all("FundsReallocated").isEmpty)
        #expect(all("QuarterClosed").count == 4)

        // Teams: each post at least half time, at least half with a degree, the posts filled.
        for ledger in landkreis.traeger {
            let staff = ledger.events.filter { $0.type == "StaffAssigned" && $0.date("from")! <= jan1 }
            #expect(staff.allSatisfy { $0.int("stellenumfangPercent")! >= 50 })
            for sz in Set(staff.map { $0.string("sozialraum")! }) {
                let team = staff.filter { $0.string("sozialraum") == sz }
                #expect(team.filter { $0.string("qualification") == "fachstudium" }.count * 2 >= team.count, "\(ledger.name) in \(sz)")
                let filled = team.reduce(0) { $0 + $1.int("stellenumfangPercent")! }
                let agreed = agreement["\(ledger.name.org)/\(sz)"]!.int("planstellenHundredths")!
                #expect(filled <= agreed && filled > agreed - 50, "\(ledger.name) in \(sz): \(filled) of \(agreed)")
            }
            #expect(ledger.events.filter { $0.type == "QuarterClosed" }.count == 4)
        }
    }

    @Test("bad options are named in one sentence")
    func badOptions() {
        #expect(GeneratorOptions(years: 0).problem?.contains("years") == true)
        #expect(GeneratorOptions(scale: 0).problem?.contains("scale") == true)
        #expect(GeneratorOptions(startYear: 1999).problem?.contains("start year") == true)
        #expect(GeneratorOptions(jugendamt: "Trier Saarburg").problem?.contains("org") == true)
        #expect(GeneratorOptions().problem == nil)
    }
}
