import LedgerCore

/// Generates a realistic Landkreis Trier-Saarburg: the Jugendamt's ledger and each Träger's,
/// filled with the events of the given years. Seeded and reproducible: the same options give the
/// same events, byte for byte. See docs/GENERATOR.md for what is generated and why.
public enum LandkreisGenerator {
    /// Generates the ledgers' events. The options must be valid (``GeneratorOptions/problem`` is `nil`).
    public static func generate(_ options: GeneratorOptions) -> GeneratedLandkreis {
        precondition(options.problem == nil, options.problem ?? "")
        let g = Generator(options)
        g.run()
        return g.result()
    }
}

/// A Träger in a Sozialraum.
struct Pair: Hashable, Comparable {
    let traeger: String
    let sozialraum: Sozialraum
    static func < (a: Pair, b: Pair) -> Bool { (a.sozialraum, a.traeger) < (b.sozialraum, b.traeger) }
}

/// One event waiting for its place in a ledger.
struct Item {
    var at: Timestamp
    var ordinal: Int
    var type: EventType
    var key: String
    var actor: String?
    var data: JSONObject
    var removed = false
}

struct AgreementModel {
    let id: String
    let validFrom: CalendarDate
    let validTo: CalendarDate
    let stellenfaktorCents: Int64
    let jahresarbeitszeitMinutes: Int64
    let planstellenHundredths: Int64
    var flsCentsPerHour: Int64 { Money.divideRoundingHalfUp(stellenfaktorCents * 60, jahresarbeitszeitMinutes) }
}

struct SignerModel {
    let id: String
    let sozialraum: Sozialraum?
    let from: CalendarDate
    var to: CalendarDate?
    func authorises(_ sz: Sozialraum, on date: CalendarDate) -> Bool {
        (sozialraum == nil || sozialraum == sz) && from <= date && (to.map { date <= $0 } ?? true)
    }
}

/// A post in a Träger's team, held by one staff member after another.
struct Slot {
    struct Occupant { let staff: String; let from: CalendarDate; var to: CalendarDate? }
    let qualification: Qualification
    let percent: Int64
    var occupants: [Occupant]
    func occupant(on date: CalendarDate) -> String? {
        occupants.first { $0.from <= date && ($0.to.map { date <= $0 } ?? true) }?.staff
    }
}

struct BookingModel {
    let id: String
    let date: CalendarDate
    var minutes: Int64
    let staff: String?
    let jaAt: Timestamp
    let trAt: Timestamp
    var reversed = false
    /// A correction or duplicate (not a candidate for planting).
    var special = false
}

final class KontraktModel {
    let id: String
    let fall: String
    let pair: Pair
    let funding: Funding
    var hilfeart: Hilfeart
    let profile: HilfeProfile
    let validFrom: CalendarDate
    var validTo: CalendarDate
    /// First day whose hours this ledger holds (January 1 for Kontrakte carried over).
    let grantStart: CalendarDate
    var grantedMinutes: Int64
    let signedBy: String
    let slot: Int?
    var endedOn: CalendarDate?
    var amended = false
    var beyondGrant = false
    var touched = false
    var bookings: [BookingModel] = []
    /// Weekly minutes from a date on (weekly model).
    var phases: [(from: CalendarDate, minutes: Int64)] = []
    var jaSignedAt = Timestamp(seconds: 0)
    var trSignedAt = Timestamp(seconds: 0)
    /// Grant and end as first signed (before an amendment).
    var signedGrant: Int64 = 0
    var signedValidTo: CalendarDate

    init(id: String, fall: String, pair: Pair, funding: Funding, profile: HilfeProfile, validFrom: CalendarDate,
         validTo: CalendarDate, grantStart: CalendarDate, signedBy: String, slot: Int?) {
        self.id = id; self.fall = fall; self.pair = pair; self.funding = funding; self.hilfeart = profile.hilfeart
        self.profile = profile; self.validFrom = validFrom; self.validTo = validTo; self.grantStart = grantStart
        self.grantedMinutes = 0; self.signedBy = signedBy; self.slot = slot; self.signedValidTo = validTo
    }

    var lastDay: CalendarDate { endedOn.map { min($0, validTo) } ?? validTo }

    /// The booking id prefix: `h-konz-2025-0001`.
    var bookingPrefix: String { "h" + id.dropFirst(1) }

    func rate(on date: CalendarDate) -> Int64 {
        phases.last { $0.from <= date }?.minutes ?? phases[0].minutes
    }

    /// Minutes booked and not reversed up to and including `date`.
    func booked(through date: CalendarDate) -> Int64 {
        bookings.reduce(0) { $0 + (!$1.reversed && $1.date <= date ? $1.minutes : 0) }
    }
}

struct PaymentModel {
    let id: String
    let pair: Pair
    let date: CalendarDate
    let amountCents: Int64
    var reversed: Bool
}

final class Generator {
    let o: GeneratorOptions
    let firstDay: CalendarDate
    let horizon: CalendarDate
    var years: ClosedRange<Int> { o.startYear...(o.startYear + o.years - 1) }

    /// Ledger 0 is the Jugendamt's; Träger `i` is ledger `i + 1`.
    var buffers: [[Item]]
    var keyIndex: [[String: Int]]
    var ordinal = 0
    /// Each ledger's clock for moving the starting state over (December before the first year).
    var setupClock: [Timestamp]

    var pairs: [Pair] = []
    var posts: [Sozialraum: Int64] = [:]
    var planstellen: [Pair: Int64] = [:]
    var agreements: [Pair: [AgreementModel]] = [:]
    var budgets: [Sozialraum: Int64] = [:]
    var signers: [SignerModel] = []
    var slots: [Pair: [Slot]] = [:]
    var kontrakte: [KontraktModel] = []
    var kontrakteByPair: [Pair: [KontraktModel]] = [:]
    var payments: [PaymentModel] = []
    var planted: [PlantedDiscrepancy] = []
    var falls: Set<String> = []

    init(_ options: GeneratorOptions) {
        o = options
        firstDay = .jan1(options.startYear)
        horizon = .dec31(options.startYear + options.years - 1)
        buffers = Array(repeating: [], count: Landkreis.traeger.count + 1)
        keyIndex = Array(repeating: [:], count: Landkreis.traeger.count + 1)
        let setupDay = CalendarDate(year: options.startYear - 1, month: 12, day: 15)!
        setupClock = Array(repeating: setupDay.at(8, 0), count: Landkreis.traeger.count + 1)
    }

    func rng(_ stream: String) -> Xoshiro256 { Xoshiro256(seed: o.seed, stream: stream) }

    func ledger(of traeger: String) -> Int { Landkreis.traeger.firstIndex(of: traeger)! + 1 }

    // MARK: - Emitting

    func emit(_ ledger: Int, at: Timestamp, _ type: EventType, key: String, actor: String?, _ data: JSONObject) {
        ordinal += 1
        keyIndex[ledger][key] = buffers[ledger].count
        buffers[ledger].append(Item(at: at, ordinal: ordinal, type: type, key: key, actor: actor, data: data))
    }

    /// An event both the Jugendamt and the Träger record (same key and data).
    func emitShared(_ traeger: String, ja: Timestamp, tr: Timestamp, _ type: EventType, key: String,
                    jaActor: String, trActor: String, _ data: JSONObject) {
        emit(0, at: ja, type, key: key, actor: jaActor, data)
        emit(ledger(of: traeger), at: tr, type, key: key, actor: trActor, data)
    }

    func setupTime(_ ledger: Int) -> Timestamp {
        let t = setupClock[ledger]
        setupClock[ledger].seconds += 1
        return t
    }

    static let controlling = "controlling-01"
    func office(_ traeger: String) -> String { "\(traeger)-leitung" }

    // MARK: - The run

    func run() {
        makeStructure()
        makeSigners()
        makeStaff()
        makeBudgetsAndTariffs()
        makeCarryOverKontrakte()
        for year in years { makeKontrakte(year) }
        for k in kontrakte { emitKontrakt(k) }
        for year in years {
            makePrevention(year)
            makePayments(year)
            makeReallocations(year)
            makeQuarterCloses(year)
        }
        findBeyondGrant()
        if o.plantDiscrepancies {
            var planter = Planter(self)
            planter.plant()
        }
    }

    func result() -> GeneratedLandkreis {
        func finish(_ index: Int) -> [NewEvent] {
            var items = buffers[index].filter { !$0.removed }
            items.sort { ($0.at, $0.ordinal) < ($1.at, $1.ordinal) }
            return items.map { NewEvent(type: $0.type.rawValue, key: $0.key, actor: $0.actor, data: $0.data, recordedAt: $0.at) }
        }
        let ja = GeneratedLedger(name: LedgerName(side: .jugendamt, org: o.jugendamt), jugendamt: nil, events: finish(0))
        let tr = Landkreis.traeger.enumerated().map { i, t in
            GeneratedLedger(name: LedgerName(side: .traeger, org: t), jugendamt: o.jugendamt, events: finish(i + 1))
        }
        let kindOrder = DiscrepancyKind.allCases
        let plan = planted.sorted {
            ($0.year, $0.quarter, $0.traeger, kindOrder.firstIndex(of: $0.kind)!, $0.ids.joined(separator: ","))
                < ($1.year, $1.quarter, $1.traeger, kindOrder.firstIndex(of: $1.kind)!, $1.ids.joined(separator: ","))
        }
        return GeneratedLandkreis(options: o, jugendamt: ja, traeger: tr, planted: plan)
    }

    // MARK: - Träger, posts, agreements

    func makeStructure() {
        var r = rng("structure")
        // 7 to 12 posts per Sozialraum (in quarter posts), about 40 in the Landkreis; the
        // Gesamtfinanzvolumen of 3.8 to 4.3 M EUR shared in proportion, 0.6 to 1.3 M each.
        while true {
            for sz in Sozialraum.allCases { posts[sz] = Int64(r.int(28...48) * 25) }
            let all = posts.values.reduce(0, +)
            guard (3800...4400).contains(all) else { continue }
            let landkreis = Int64(r.int(3800...4300)) * 100_000 // cents, in thousands of euros
            for sz in Sozialraum.allCases { budgets[sz] = landkreis * posts[sz]! / all / 100_000 * 100_000 }
            if budgets.values.allSatisfy({ (60_000_000...130_000_000).contains($0) }) { break }
        }
        for (sz, traeger) in Landkreis.traegerBySozialraum {
            let total = posts[sz]!
            // The lead Träger holds about half the posts.
            var shares: [Int64] = traeger.count == 3 ? [Int64(r.int(45...55)), Int64(r.int(25...32))] : [Int64(r.int(55...65))]
            shares.append(100 - shares.reduce(0, +))
            var left = total
            for (i, t) in traeger.enumerated() {
                let pair = Pair(traeger: t, sozialraum: sz)
                pairs.append(pair)
                let ph = i == traeger.count - 1 ? left : (total * shares[i] / 100 / 25) * 25
                planstellen[pair] = ph
                left -= ph
            }
        }
        pairs.sort()
        for pair in pairs {
            var ar = rng("agreement/\(pair.traeger)/\(pair.sozialraum.rawValue)")
            var start = o.startYear - ar.int(0...4)
            var faktor = Int64(ar.int(880...1000)) * 10_000
            let stunden = Int64(ar.int(1560...1600)) * 60
            var first = true
            while start <= years.upperBound {
                let a = AgreementModel(id: "v-\(pair.traeger)-\(pair.sozialraum.rawValue)-\(start)", validFrom: .jan1(start),
                                       validTo: .dec31(start + 4), stellenfaktorCents: faktor, jahresarbeitszeitMinutes: stunden,
                                       planstellenHundredths: planstellen[pair]!)
                agreements[pair, default: []].append(a)
                let data = JSONObject([
                    ("agreement", .string(a.id)), ("traeger", .string(pair.traeger)), ("sozialraum", .string(pair.sozialraum.rawValue)),
                    ("validFrom", .string(a.validFrom.description)), ("validTo", .string(a.validTo.description)),
                    ("stellenfaktorCents", .int(a.stellenfaktorCents)), ("jahresarbeitszeitMinutes", .int(a.jahresarbeitszeitMinutes)),
                    ("planstellenHundredths", .int(a.planstellenHundredths)),
                ])
                let tr = ledger(of: pair.traeger)
                let (ja, trAt) = first ? (setupTime(0), setupTime(tr))
                    : (CalendarDate(year: start - 1, month: 12, day: 1)!.at(10, ar.int(0...59)),
                       CalendarDate(year: start - 1, month: 12, day: 2)!.at(11, ar.int(0...59)))
                emitShared(pair.traeger, ja: ja, tr: trAt, .agreementSigned, key: a.id, jaActor: "jugendamtsleitung",
                           trActor: office(pair.traeger), data)
                first = false
                start += 5
                faktor = faktor * Int64(100 + ar.int(2...3)) / 100 / 100 * 100 // renewed with the tariffs, whole euros
            }
        }
    }

    func agreement(_ pair: Pair, on date: CalendarDate) -> AgreementModel {
        agreements[pair]!.first { $0.validFrom <= date && date <= $0.validTo } ?? agreements[pair]!.last!
    }

    func traegerPairs(_ sz: Sozialraum) -> [Pair] { pairs.filter { $0.sozialraum == sz } }

    // MARK: - Signers (ASD Zeichnungsbefugnis)

    func makeSigners() {
        var r = rng("signers")
        signers.append(SignerModel(id: Landkreis.asdHead, sozialraum: nil, from: .jan1(o.startYear - 6), to: nil))
        for sz in Sozialraum.allCases {
            for n in 1...r.int(3...4) {
                signers.append(SignerModel(id: "asd-\(sz.rawValue)-\(pad(n, 2))", sozialraum: sz,
                                           from: CalendarDate(year: o.startYear - r.int(2...8), month: r.int(1...12), day: 1)!, to: nil))
            }
        }
        for s in signers {
            var data = JSONObject([("signer", .string(s.id)), ("from", .string(s.from.description))])
            if let sz = s.sozialraum { data["sozialraum"] = .string(sz.rawValue) }
            emit(0, at: setupTime(0), .signerAuthorized, key: "sa-\(s.id)", actor: Landkreis.asdHead, data)
        }
        // Each year one ASD caseworker leaves a Sozialraum and another takes over.
        for year in years {
            let sz = r.pick(Sozialraum.allCases)
            let current = signers.indices.filter { signers[$0].sozialraum == sz && signers[$0].to == nil }
            let leaving = r.pick(current)
            let to = r.day(CalendarDate(year: year, month: 4, day: 1)!, CalendarDate(year: year, month: 9, day: 30)!)
            signers[leaving].to = to
            let number = signers.filter { $0.sozialraum == sz }.count + 1
            let newcomer = SignerModel(id: "asd-\(sz.rawValue)-\(pad(number, 2))", sozialraum: sz, from: to.advanced(by: -14), to: nil)
            signers.append(newcomer)
            emit(0, at: newcomer.from.advanced(by: -30).at(9, r.int(0...59)), .signerAuthorized, key: "sa-\(newcomer.id)",
                 actor: Landkreis.asdHead, obj(["signer": .string(newcomer.id), "sozialraum": .string(sz.rawValue), "from": .string(newcomer.from.description)]))
            emit(0, at: to.advanced(by: -7).at(9, r.int(0...59)), .signerRevoked, key: "sr-\(signers[leaving].id)",
                 actor: Landkreis.asdHead, obj(["signer": .string(signers[leaving].id), "sozialraum": .string(sz.rawValue), "to": .string(to.description)]))
        }
    }

    /// An ASD caseworker who may sign for `sz` on `date`.
    func signer(_ sz: Sozialraum, on date: CalendarDate, _ r: inout Xoshiro256) -> String {
        let ok = signers.filter { $0.sozialraum == sz && $0.authorises(sz, on: date) }
        return ok.isEmpty ? Landkreis.asdHead : r.pick(ok).id
    }

    // MARK: - Staff (§ 3.1.1 team rules)

    func makeStaff() {
        for pair in pairs {
            var r = rng("staff/\(pair.traeger)/\(pair.sozialraum.rawValue)")
            var left = planstellen[pair]!
            var percents: [Int64] = []
            while left >= 50 {
                let p = min(r.weighted([(Int64(100), 40), (75, 25), (80, 10), (60, 10), (50, 15)]), left)
                percents.append(p)
                left -= p
            }
            var quals: [Qualification] = percents.map { _ in r.weighted([(.fachstudium, 50), (.erzieherZusatz, 35), (.vergleichbar, 15)]) }
            // At least half of the team holds a degree.
            var i = 0
            while quals.filter({ $0 == .fachstudium }).count * 2 < quals.count {
                if quals[i] != .fachstudium { quals[i] = .fachstudium }
                i += 1
            }
            r.shuffle(&quals)
            var number = 0
            func staffId() -> String {
                number += 1
                return "ma-\(pair.traeger)-\(pair.sozialraum.rawValue)-\(pad(number, 2))"
            }
            var teamSlots: [Slot] = []
            let tr = ledger(of: pair.traeger)
            for (p, q) in zip(percents, quals) {
                let from = CalendarDate(year: o.startYear - r.int(1...8), month: r.int(1...12), day: 1)!
                let slot = Slot(qualification: q, percent: p, occupants: [.init(staff: staffId(), from: from, to: nil)])
                emitStaffAssigned(pair, slot, slot.occupants[0], at: setupTime(tr))
                teamSlots.append(slot)
            }
            // Now and then someone leaves and the post is filled again a few weeks later.
            for year in years {
                for s in teamSlots.indices {
                    guard r.chance(permille: 70), let last = teamSlots[s].occupants.last, last.to == nil else { continue }
                    let to = r.day(CalendarDate(year: year, month: 2, day: 1)!, CalendarDate(year: year, month: 11, day: 30)!)
                    guard to >= last.from.advanced(by: 60) else { continue }
                    teamSlots[s].occupants[teamSlots[s].occupants.count - 1].to = to
                    emit(tr, at: to.advanced(by: -10).at(11, r.int(0...59)), .staffLeft, key: "sl-\(last.staff)",
                         actor: "\(pair.traeger)-personal", obj(["staff": .string(last.staff), "to": .string(to.description)]))
                    let from = to.advanced(by: r.int(14...60))
                    guard from <= horizon else { continue }
                    let next = Slot.Occupant(staff: staffId(), from: from, to: nil)
                    teamSlots[s].occupants.append(next)
                    emitStaffAssigned(pair, teamSlots[s], next, at: from.advanced(by: -7).at(11, r.int(0...59)))
                }
            }
            slots[pair] = teamSlots
        }
    }

    func emitStaffAssigned(_ pair: Pair, _ slot: Slot, _ who: Slot.Occupant, at: Timestamp) {
        emit(ledger(of: pair.traeger), at: at, .staffAssigned, key: "st-\(who.staff)", actor: "\(pair.traeger)-personal", obj([
            "staff": .string(who.staff), "traeger": .string(pair.traeger), "sozialraum": .string(pair.sozialraum.rawValue),
            "qualification": .string(slot.qualification.rawValue), "stellenumfangPercent": .int(slot.percent),
            "from": .string(who.from.description),
        ]))
    }

    // MARK: - Budgets, tariffs

    func makeBudgetsAndTariffs() {
        var r = rng("budgets")
        // The Gesamtfinanzvolumen is frozen since 2018 (§ 3) and rises only by tariff steps: each
        // year's BudgetSet carries the same base, the projector adds the TariffAdjusted steps.
        for year in years {
            for sz in Sozialraum.allCases {
                let at = year == o.startYear ? setupTime(0) : CalendarDate(year: year - 1, month: 12, day: 10)!.at(9, r.int(0...59))
                emit(0, at: at, .budgetSet, key: "budget-\(sz.rawValue)-\(year)", actor: Self.controlling,
                     obj(["sozialraum": .string(sz.rawValue), "year": .int(Int64(year)), "gesamtCents": .int(budgets[sz]!)]))
            }
        }
        for step in Landkreis.tariffSteps where firstDay <= step.effectiveFrom && step.effectiveFrom <= horizon {
            let key = "tarif-\(step.effectiveFrom)"
            let data = obj(["effectiveFrom": .string(step.effectiveFrom.description), "basisPoints": .int(step.basisPoints)])
            emit(0, at: step.effectiveFrom.advanced(by: -12).at(10, r.int(0...59)), .tariffAdjusted, key: key, actor: Self.controlling, data)
            for t in Landkreis.traeger {
                emit(ledger(of: t), at: step.effectiveFrom.advanced(by: -r.int(5...11)).at(11, r.int(0...59)), .tariffAdjusted,
                     key: key, actor: office(t), data)
            }
        }
    }

    // MARK: - Kontrakte

    func newKontrakteCount(_ sz: Sozialraum, _ r: inout Xoshiro256) -> Int {
        min(max(Int(posts[sz]!) * r.int(12...14) / 100, 60), 180) * o.scale
    }

    func pickPair(_ sz: Sozialraum, _ r: inout Xoshiro256) -> Pair {
        r.weighted(traegerPairs(sz).map { ($0, Int(planstellen[$0]!)) })
    }

    func newFall(_ r: inout Xoshiro256) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        while true {
            let id = "fall-" + String((0..<8).map { _ in r.pick(alphabet) })
            if falls.insert(id).inserted { return id }
        }
    }

    /// Kontrakte signed before the first year and still running on its first day. Their hours
    /// before then were booked in the older system; they move over with the grant that remains.
    func makeCarryOverKontrakte() {
        let weekly = HilfeProfile.all.filter(\.isWeekly)
        for sz in Sozialraum.allCases {
            var r = rng("carry-over/\(sz.rawValue)")
            let count = newKontrakteCount(sz, &r) * 55 / 100
            var starts: [(CalendarDate, HilfeProfile, Int)] = []
            for _ in 0..<count {
                let profile = r.weighted(weekly.map { ($0, $0.weight) })
                var months = r.int(profile.months), from = firstDay
                for _ in 0..<20 {
                    months = r.int(profile.months)
                    from = r.weekday(firstDay.addingMonths(-months).advanced(by: 31), firstDay.advanced(by: -20))
                    if from.addingMonths(months).advanced(by: -1) >= firstDay.advanced(by: 30) { break }
                }
                starts.append((from, profile, months))
            }
            starts.sort { $0.0 < $1.0 }
            for (n, (from, profile, months)) in starts.enumerated() {
                let k = makeKontrakt(id: "k-\(sz.rawValue)-\(o.startYear - 1)-\(pad(n + 1, 4))", sz: sz, from: from,
                                     profile: profile, months: months, grantStart: firstDay, &r)
                k.jaSignedAt = setupTime(0)
                k.trSignedAt = setupTime(ledger(of: k.pair.traeger))
            }
        }
    }

    func makeKontrakte(_ year: Int) {
        for sz in Sozialraum.allCases {
            var r = rng("kontrakte/\(sz.rawValue)/\(year)")
            var starts: [(CalendarDate, HilfeProfile)] = (0..<newKontrakteCount(sz, &r)).map { _ in
                (r.weekday(.jan1(year), .dec31(year)), r.weighted(HilfeProfile.all.map { ($0, $0.weight) }))
            }
            starts.sort { $0.0 < $1.0 }
            for (n, (from, profile)) in starts.enumerated() {
                let k = makeKontrakt(id: "k-\(sz.rawValue)-\(year)-\(pad(n + 1, 4))", sz: sz, from: from, profile: profile,
                                     months: r.int(profile.months), grantStart: from, &r)
                let signed = from.advanced(by: -r.int(2...10)).at(r.int(8...15), r.int(0...59))
                k.jaSignedAt = signed
                k.trSignedAt = min(Timestamp(seconds: signed.seconds + Int64(r.int(2...26)) * 3600), from.advanced(by: -1).at(18, 0))
            }
        }
    }

    /// Counts the weeks (by their Monday) that touch `from...to`.
    static func weekMondays(_ from: CalendarDate, _ to: CalendarDate) -> [CalendarDate] {
        guard from <= to else { return [] }
        return Array(stride(from: from.monday, through: to, by: 7))
    }

    /// Builds a Kontrakt with its grant, amendments, early end and bookings (not yet emitted).
    func makeKontrakt(id: String, sz: Sozialraum, from: CalendarDate, profile: HilfeProfile, months: Int,
                      grantStart: CalendarDate, _ r: inout Xoshiro256) -> KontraktModel {
        let pair = pickPair(sz, &r)
        let funding = r.weighted([(Funding.personalisiert, 800), (.variabel, 130), (.asd, 70)])
        let slot: Int? = funding == .personalisiert ? r.int(0...(slots[pair]!.count - 1)) : nil
        let k = KontraktModel(id: id, fall: newFall(&r), pair: pair, funding: funding, profile: profile, validFrom: from,
                              validTo: from.addingMonths(months).advanced(by: -1), grantStart: grantStart,
                              signedBy: signer(sz, on: from, &r), slot: slot)
        switch profile.model {
        case .weekly(let range):
            let rate = Int64(r.int(range) / 30 * 30)
            k.phases = [(grantStart, rate)]
            k.grantedMinutes = rate * Int64(Self.weekMondays(grantStart, k.validTo).count)
        case .sessions(let total, _):
            k.grantedMinutes = Int64(r.int(total)) * 60
        }
        // Some helps end early: goals reached, broken off, a change of help.
        if r.chance(permille: 150) {
            let span = from.distance(to: k.validTo)
            let ended = from.advanced(by: span * r.int(30...80) / 100)
            if ended >= grantStart.advanced(by: 7), ended < k.validTo, ended <= horizon { k.endedOn = ended }
        }
        k.signedGrant = k.grantedMinutes
        k.beyondGrant = o.hoursBeyondGrant && r.chance(permille: 25)
        if profile.isWeekly, !k.beyondGrant, r.chance(permille: 120) { amend(k, &r) }
        book(k, &r)
        kontrakte.append(k)
        kontrakteByPair[pair, default: []].append(k)
        return k
    }

    /// Records one amendment in the model: a longer help, more hours a week, or another Hilfeart.
    func amend(_ k: KontraktModel, _ r: inout Xoshiro256) {
        let lo = max(k.validFrom.advanced(by: 28), k.grantStart.advanced(by: 7)).monday.advanced(by: 7)
        let hi = min(k.lastDay, horizon).advanced(by: -14)
        guard lo <= hi else { return }
        let effective = r.day(lo, hi).monday
        guard effective >= lo else { return }
        guard case .weekly(let range) = k.profile.model else { return }
        var change = r.weighted([("extend", 50), ("raise", 30), ("hilfeart", 20)])
        let rate = k.rate(on: effective)
        if change == "raise", rate + 60 > Int64(range.upperBound) { change = "extend" }
        if change == "extend", k.endedOn != nil { change = "hilfeart" }
        if change == "hilfeart", ![.familienhilfe, .erziehungsbeistandschaft, .jungeVolljaehrige].contains(k.hilfeart) { return }
        var data = JSONObject([("kontrakt", .string(k.id)), ("effectiveFrom", .string(effective.description)),
                               ("signedBy", .string(signer(k.pair.sozialraum, on: effective, &r)))])
        switch change {
        case "extend":
            let newTo = k.validTo.addingMonths(r.int(3...6))
            let extra = Self.weekMondays(k.validTo.monday.advanced(by: 7), newTo).count
            k.validTo = newTo
            k.grantedMinutes += Int64(extra) * k.phases.last!.minutes
            data["validTo"] = .string(newTo.description)
            data["grantedMinutes"] = .int(k.grantedMinutes)
        case "raise":
            let delta: Int64 = rate + 120 <= Int64(range.upperBound) && r.chance(permille: 400) ? 120 : 60
            let weeks = Self.weekMondays(effective, k.validTo).count
            k.phases.append((effective, rate + delta))
            k.grantedMinutes += Int64(weeks) * delta
            data["grantedMinutes"] = .int(k.grantedMinutes)
        default:
            let next: Hilfeart = switch k.hilfeart {
            case .familienhilfe: .erziehungsbeistandschaft
            case .erziehungsbeistandschaft: r.chance(permille: 500) ? .familienhilfe : .jungeVolljaehrige
            default: .erziehungsbeistandschaft
            }
            k.hilfeart = next
            data["hilfeart"] = .string(next.rawValue)
        }
        k.amended = true
        amendments[k.id] = (effective, data)
    }

    var amendments: [String: (effective: CalendarDate, data: JSONObject)] = [:]

    /// The hours delivered: weekly, or in sessions; mostly within the grant, a few beyond.
    func book(_ k: KontraktModel, _ r: inout Xoshiro256) {
        let end = min(k.lastDay, horizon)
        var n = 0
        func add(_ date: CalendarDate, _ minutes: Int64) {
            n += 1
            let staff = k.slot.flatMap { slots[k.pair]![$0].occupant(on: date) }
            let tr = date.advanced(by: r.int(0...2)).at(r.int(15...18), r.int(0...59))
            let ja = date.monday.advanced(by: 8).at(7, r.int(0...119))
            k.bookings.append(BookingModel(id: "\(k.bookingPrefix)-\(pad(n, 3))", date: date, minutes: minutes, staff: staff, jaAt: ja, trAt: tr))
        }
        switch k.profile.model {
        case .weekly:
            for monday in Self.weekMondays(max(k.grantStart, k.validFrom), end) {
                if r.chance(permille: 80) { continue } // holidays, illness, a cancelled visit
                let rate = k.rate(on: max(monday, k.grantStart))
                let percent = Int64(k.beyondGrant ? r.int(110...130) : r.int(55...100))
                var minutes = max(rate * percent / 100 / 15 * 15, 15)
                if !k.beyondGrant { minutes = min(minutes, rate) }
                let lo = max(monday, k.validFrom, k.grantStart)
                let hi = min(monday.advanced(by: 6), end)
                guard lo <= hi else { continue }
                add(r.weekday(lo, min(max(lo, monday.advanced(by: 4)), hi)), minutes)
            }
        case .sessions(_, let lengths):
            let target = k.grantedMinutes * Int64(k.beyondGrant ? r.int(115...140) : r.int(60...100)) / 100
            var date = k.validFrom.advanced(by: r.int(0...6))
            var total: Int64 = 0
            while true {
                while !date.isWeekday { date = date.advanced(by: 1) }
                guard date <= end else { break }
                let m = r.pick(lengths)
                if k.beyondGrant ? total >= target : total + m > target { break }
                add(date, m)
                total += m
                date = date.advanced(by: r.pick([7, 7, 14]))
            }
        }
    }

    func emitKontrakt(_ k: KontraktModel) {
        var r = rng("emit/\(k.id)")
        let tr = ledger(of: k.pair.traeger)
        let signedData = JSONObject([
            ("kontrakt", .string(k.id)), ("fall", .string(k.fall)), ("sozialraum", .string(k.pair.sozialraum.rawValue)),
            ("traeger", .string(k.pair.traeger)), ("hilfeart", .string(k.profile.hilfeart.rawValue)),
            ("funding", .string(k.funding.rawValue)), ("grantedMinutes", .int(k.signedGrant)),
            ("validFrom", .string(k.validFrom.description)), ("validTo", .string(k.signedValidTo.description)),
            ("signedBy", .string(k.signedBy)),
        ])
        emit(0, at: k.jaSignedAt, .kontraktSigned, key: k.id, actor: k.signedBy, signedData)
        emit(tr, at: k.trSignedAt, .kontraktSigned, key: k.id, actor: office(k.pair.traeger), signedData)
        if let (effective, data) = amendments[k.id] {
            let ja = effective.advanced(by: -r.int(3...10)).at(r.int(8...15), r.int(0...59))
            emitShared(k.pair.traeger, ja: ja, tr: Timestamp(seconds: ja.seconds + Int64(r.int(2...26)) * 3600), .kontraktAmended,
                       key: "\(k.id)-a1", jaActor: data["signedBy"]!.string!, trActor: office(k.pair.traeger), data)
        }
        if let ended = k.endedOn {
            let reason = r.weighted([(EndReason.planmaessig, 40), (.abbruch, 30), (.wechsel, 20), (.sonstiges, 10)])
            emitShared(k.pair.traeger, ja: ended.advanced(by: r.int(1...7)).at(r.int(8...15), r.int(0...59)),
                       tr: ended.advanced(by: r.int(1...5)).at(r.int(9...17), r.int(0...59)), .kontraktEnded, key: "\(k.id)-end",
                       jaActor: k.signedBy, trActor: office(k.pair.traeger),
                       obj(["kontrakt": .string(k.id), "endedOn": .string(ended.description), "reason": .string(reason.rawValue)]))
        }
        var extra: [BookingModel] = []
        for i in k.bookings.indices {
            let b = k.bookings[i]
            emitBooking(k, b)
            guard !k.beyondGrant else { continue }
            if r.chance(permille: 5), b.minutes >= 30 {
                // A correction: the booking is reversed and booked again with fewer minutes.
                k.bookings[i].reversed = true
                k.touched = true
                let at = b.trAt.seconds + Int64(r.int(1...6)) * 86_400
                let trAt = Timestamp(seconds: at), jaAt = Timestamp(seconds: max(b.jaAt.seconds, trAt.date.monday.advanced(by: 8).at(7, 30).seconds))
                emitReversal(k.pair.traeger, b.id, "korrektur", ja: jaAt, tr: trAt)
                let fixed = BookingModel(id: b.id + "k", date: b.date, minutes: max(b.minutes - Int64(r.int(1...3)) * 15, 15), staff: b.staff,
                                         jaAt: Timestamp(seconds: jaAt.seconds + 1), trAt: Timestamp(seconds: trAt.seconds + 60), special: true)
                emitBooking(k, fixed)
                extra.append(fixed)
            } else if r.chance(permille: 3) {
                // Booked twice by mistake, and the duplicate reversed a few days later.
                k.touched = true
                let dup = BookingModel(id: b.id + "d", date: b.date, minutes: b.minutes, staff: b.staff,
                                       jaAt: Timestamp(seconds: b.jaAt.seconds + 1), trAt: Timestamp(seconds: b.trAt.seconds + 60),
                                       reversed: true, special: true)
                emitBooking(k, dup)
                let trAt = Timestamp(seconds: dup.trAt.seconds + Int64(r.int(1...5)) * 86_400)
                let jaAt = Timestamp(seconds: max(dup.jaAt.seconds + 1, trAt.date.monday.advanced(by: 8).at(7, 30).seconds))
                emitReversal(k.pair.traeger, dup.id, "doppelt-erfasst", ja: jaAt, tr: trAt)
                extra.append(dup)
            }
        }
        k.bookings += extra
        k.bookings.sort { ($0.date, $0.id) < ($1.date, $1.id) }
    }

    func emitBooking(_ k: KontraktModel, _ b: BookingModel) {
        var data = JSONObject([("booking", .string(b.id)), ("kontrakt", .string(k.id)), ("date", .string(b.date.description)),
                               ("minutes", .int(b.minutes))])
        if let s = b.staff { data["staff"] = .string(s) }
        emitShared(k.pair.traeger, ja: b.jaAt, tr: b.trAt, .hoursBooked, key: b.id, jaActor: Self.controlling,
                   trActor: b.staff ?? office(k.pair.traeger), data)
    }

    func emitReversal(_ traeger: String, _ booking: String, _ reason: String, ja: Timestamp, tr: Timestamp) {
        emitShared(traeger, ja: ja, tr: tr, .bookingReversed, key: "r-\(booking)", jaActor: Self.controlling,
                   trActor: office(traeger), obj(["booking": .string(booking), "reason": .string(reason)]))
    }

    // MARK: - Prevention (§ 3.3: at least 10 % of the Sozialraumfinanzvolumen)

    func makePrevention(_ year: Int) {
        for sz in Sozialraum.allCases {
            var r = rng("prevention/\(sz.rawValue)/\(year)")
            // Near 10 %, some Sozialräume a little under, most a little over.
            let sharePermille = Int64(r.int(88...120))
            let volume = Money.share(budgets[sz]!, 85, 100)
            for pair in traegerPairs(sz) {
                let fls = agreement(pair, on: CalendarDate(year: year, month: 7, day: 1)!).flsCentsPerHour
                let cents = volume * sharePermille / 1000 * planstellen[pair]! / posts[sz]!
                let weeks = Self.weekMondays(.jan1(year), min(.dec31(year), horizon)).filter { m in
                    let (_, month, day) = m.components
                    return !((month == 12 && day >= 22) || (month == 1 && day <= 4))
                }
                let weekly = cents * 60 / fls / Int64(max(weeks.count - 2, 1))
                for (w, monday) in weeks.enumerated() where !r.chance(permille: 40) {
                    let total = weekly * Int64(r.int(80...120)) / 100
                    let prevention = total * Int64(r.int(55...80)) / 100 / 15 * 15
                    let network = (total - prevention) / 15 * 15
                    for (n, (category, minutes)) in [(PreventionCategory.praevention, prevention), (.netzwerk, network)].enumerated() where minutes >= 15 {
                        let date = r.weekday(max(monday, .jan1(year)), min(monday.advanced(by: 4), horizon))
                        let id = "p-\(pair.traeger)-\(sz.rawValue)-\(year)-\(pad(w + 1, 2))-\(n + 1)"
                        emitShared(pair.traeger, ja: date.monday.advanced(by: 8).at(7, r.int(0...119)),
                                   tr: date.at(r.int(15...18), r.int(0...59)), .preventionBooked, key: id,
                                   jaActor: Self.controlling, trActor: office(pair.traeger), obj([
                                       "booking": .string(id), "traeger": .string(pair.traeger), "sozialraum": .string(sz.rawValue),
                                       "date": .string(date.description), "minutes": .int(minutes), "category": .string(category.rawValue),
                                   ]))
                    }
                }
            }
        }
    }

    // MARK: - Payments (variabel and ASD pots)

    func makePayments(_ year: Int) {
        for sz in Sozialraum.allCases {
            var r = rng("payments/\(sz.rawValue)/\(year)")
            var list: [(CalendarDate, Funding)] = []
            for _ in 0..<(r.int(12...20) * o.scale) { list.append((r.weekday(.jan1(year), .dec31(year)), .variabel)) }
            for _ in 0..<(r.int(12...22) * o.scale) { list.append((r.weekday(.jan1(year), .dec31(year)), .asd)) }
            list.sort { ($0.0, $0.1) < ($1.0, $1.1) }
            for (n, (date, funding)) in list.enumerated() {
                let pair = pickPair(sz, &r)
                let euros = funding == .variabel ? r.int(300...5000) : r.int(500...9000)
                let amount = Int64(euros) * 100 + Int64(r.chance(permille: 300) ? r.int(1...99) : 0)
                let payee = r.chance(permille: 400) ? pair.traeger : r.pick(Landkreis.otherProviders)
                let id = "z-\(sz.rawValue)-\(year)-\(pad(n + 1, 4))"
                var data = JSONObject([("payment", .string(id)), ("traeger", .string(pair.traeger)), ("sozialraum", .string(sz.rawValue)),
                                       ("payee", .string(payee)), ("funding", .string(funding.rawValue)), ("amountCents", .int(amount)),
                                       ("date", .string(date.description))])
                if r.chance(permille: 300),
                   let k = kontrakteByPair[pair]?.filter({ $0.validFrom <= date && date <= $0.lastDay }).first {
                    data["kontrakt"] = .string(k.id)
                }
                let ja = date.advanced(by: r.int(1...5)).at(10, r.int(0...59))
                let tr = date.advanced(by: r.int(2...8)).at(14, r.int(0...59))
                emitShared(pair.traeger, ja: ja, tr: tr, .paymentBooked, key: id, jaActor: "wjh-01", trActor: office(pair.traeger), data)
                var model = PaymentModel(id: id, pair: pair, date: date, amountCents: amount, reversed: false)
                if r.chance(permille: 20) {
                    model.reversed = true
                    emitReversal(pair.traeger, id, "storno", ja: Timestamp(seconds: ja.seconds + Int64(r.int(3...20)) * 86_400),
                                 tr: Timestamp(seconds: tr.seconds + Int64(r.int(3...20)) * 86_400))
                }
                payments.append(model)
            }
        }
    }

    // MARK: - Moving free funds into prevention (§ 4)

    func makeReallocations(_ year: Int) {
        // Every year at least one Sozialraum moves free funds; the others now and then.
        var pick = rng("reallocation/\(year)")
        let surely = pick.pick(Sozialraum.allCases)
        for sz in Sozialraum.allCases {
            var r = rng("reallocation/\(sz.rawValue)/\(year)")
            guard r.chance(permille: 300) || sz == surely else { continue }
            let hi = min(CalendarDate(year: year, month: 10, day: 31)!, horizon)
            let date = r.weekday(CalendarDate(year: year, month: 8, day: 15)!, hi)
            let from = r.weighted([(ReallocationSource.variabel, 70), (.personalisiert, 30)])
            emit(0, at: date.at(11, r.int(0...59)), .fundsReallocated, key: "umw-\(sz.rawValue)-\(year)", actor: Self.controlling, obj([
                "sozialraum": .string(sz.rawValue), "year": .int(Int64(year)), "from": .string(from.rawValue),
                "amountCents": .int(Int64(r.int(10...40)) * 100_000), "decidedBy": .string(Landkreis.steering),
            ]))
        }
    }

    // MARK: - Quarter ends

    func makeQuarterCloses(_ year: Int) {
        var r = rng("quarters/\(year)")
        for q in 1...4 {
            let end = CalendarDate.quarterEnd(year: year, quarter: q)
            let key = "qc-\(year)-\(q)"
            let data = obj(["year": .int(Int64(year)), "quarter": .int(Int64(q))])
            emit(0, at: end.advanced(by: r.int(10...14)).at(12, r.int(0...59)), .quarterClosed, key: key, actor: Self.controlling, data)
            for t in Landkreis.traeger {
                emit(ledger(of: t), at: end.advanced(by: r.int(9...12)).at(14, r.int(0...59)), .quarterClosed, key: key, actor: office(t), data)
            }
        }
    }

    // MARK: - Over-grant (reality)

    func findBeyondGrant() {
        for k in kontrakte {
            guard let first = firstDayBeyondGrant(k) else { continue }
            planted.append(PlantedDiscrepancy(kind: .overGrant, traeger: k.pair.traeger, ids: [k.id], year: first.year,
                                              quarter: first.quarter, cause: "Kontrakt \(k.id) was booked beyond its grant (as a few are in reality)"))
        }
    }

    /// The date on which the hours booked first exceed the grant, or `nil`.
    func firstDayBeyondGrant(_ k: KontraktModel) -> CalendarDate? {
        var total: Int64 = 0
        for b in k.bookings where !b.reversed {
            total += b.minutes
            if total > k.grantedMinutes { return b.date }
        }
        return nil
    }
}
