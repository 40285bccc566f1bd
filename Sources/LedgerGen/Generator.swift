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
        // Finding.Kind orders as CONTRACT section 6 lists the kinds.
        let plan = planted.sorted {
            ($0.year, $0.quarter, $0.traeger, $0.kind, $0.ids.joined(separator: ","))
                < ($1.year, $1.quarter, $1.traeger, $1.kind, $1.ids.joined(separator: ","))
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
}
