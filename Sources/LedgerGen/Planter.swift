import LedgerCore

/// Plants discrepancies between the Jugendamt's ledger and a Träger's: one per kind asked for,
/// spread over the first year's quarters and over the Träger, each listed in the plan with the
/// findings it must cause. Every planted event is still valid on the ledger it is written to:
/// the discrepancy is between the ledgers, never a broken rule.
struct Planter {
    let g: Generator
    var r: Xoshiro256
    /// Kontrakte and payments a planting has used already.
    var used: Set<String> = []
    var number = 0

    init(_ g: Generator) {
        self.g = g
        r = g.rng("plant")
    }

    mutating func plant() {
        var order = Landkreis.traeger
        r.shuffle(&order)
        for (i, kind) in g.o.plantKinds.enumerated() {
            let year = g.o.startYear, quarter = i % 4 + 1
            for j in order.indices where plant(kind, order[(i + j) % order.count], year, quarter) { break }
        }
    }

    func inQuarter(_ d: CalendarDate, _ year: Int, _ q: Int) -> Bool { d.year == year && d.quarter == q }

    /// Kontrakte of `t` booked in the quarter that nothing else has touched (no amendment,
    /// correction, over-grant, other planting).
    func clean(_ t: String, _ year: Int, _ q: Int) -> [KontraktModel] {
        g.kontrakte.filter { k in
            k.pair.traeger == t && !k.beyondGrant && !k.amended && !k.touched && !used.contains(k.id)
                && k.bookings.filter({ !$0.reversed && inQuarter($0.date, year, q) }).count >= 2
        }
    }

    func bookingsIn(_ k: KontraktModel, _ year: Int, _ q: Int) -> [BookingModel] {
        k.bookings.filter { !$0.reversed && !$0.special && inQuarter($0.date, year, q) }
    }

    mutating func add(_ kind: Finding.Kind, _ t: String, _ ids: [String], field: String? = nil, _ year: Int, _ q: Int, _ cause: String) {
        g.planted.append(PlantedDiscrepancy(kind: kind, traeger: t, ids: ids, field: field, year: year, quarter: q, cause: cause))
    }

    func item(_ ledger: Int, _ key: String) -> Int { g.keyIndex[ledger][key]! }

    mutating func plant(_ kind: Finding.Kind, _ t: String, _ year: Int, _ q: Int) -> Bool {
        let tr = g.ledger(of: t)
        switch kind {
        case .kontraktMissingAtTraeger, .kontraktMissingAtJugendamt:
            let onlyJugendamt = kind == .kontraktMissingAtTraeger
            let (id, data, from) = freshKontrakt(t, year, q)
            if onlyJugendamt {
                g.emit(0, at: from.advanced(by: -3).at(10, 0), .kontraktSigned, key: id, actor: data["signedBy"]!.string!, data)
            } else {
                g.emit(tr, at: from.advanced(by: -2).at(11, 0), .kontraktSigned, key: id, actor: g.office(t), data)
            }
            add(kind, t, [id], year, q, onlyJugendamt
                ? "Kontrakt \(id) was signed by the ASD but never entered at \(t)"
                : "Kontrakt \(id) was entered at \(t) but is unknown to the Jugendamt")

        case .kontraktMismatch:
            guard let k = pick(clean(t, year, q).filter({ inQuarter($0.validFrom, year, q) })) else { return false }
            let i = item(tr, k.id)
            g.buffers[tr][i].data["grantedMinutes"] = .int(k.signedGrant + 600)
            add(kind, t, [k.id], field: "grantedMinutes", year, q,
                "\(t) entered Kontrakt \(k.id) with \(k.signedGrant + 600) granted minutes, the Jugendamt signed \(k.signedGrant)")

        case .bookingMissingAtTraeger:
            guard let k = pick(clean(t, year, q).filter({ $0.grantedMinutes - $0.booked(through: .dec31(9999)) >= 240 })),
                  let b = pickBooking(k, year, q) else { return false }
            let id = b.id + "x"
            g.emit(0, at: Timestamp(seconds: b.jaAt.seconds + 1), .hoursBooked, key: id, actor: Generator.controlling,
                   obj(["booking": .string(id), "kontrakt": .string(k.id), "date": .string(b.date.description), "minutes": 120]))
            let cause = "the Jugendamt recorded hours (booking \(id)) on Kontrakt \(k.id) that \(t) never booked"
            add(kind, t, [id], year, q, cause)
            add(.hoursMismatch, t, [k.id], year, q, cause)

        case .bookingMissingAtJugendamt:
            guard let k = pick(clean(t, year, q)), let b = pickBooking(k, year, q) else { return false }
            g.buffers[0][item(0, b.id)].removed = true
            let cause = "\(t) booked hours (booking \(b.id)) on Kontrakt \(k.id) that never reached the Jugendamt"
            add(kind, t, [b.id], year, q, cause)
            add(.hoursMismatch, t, [k.id], year, q, cause)

        case .bookingMismatch:
            guard let k = pick(clean(t, year, q).filter({ bookingsIn($0, year, q).contains { $0.minutes >= 60 } })) else { return false }
            let b = r.pick(bookingsIn(k, year, q).filter { $0.minutes >= 60 })
            used.insert(k.id)
            g.buffers[0][item(0, b.id)].data["minutes"] = .int(b.minutes - 30)
            let cause = "the Jugendamt recorded booking \(b.id) with \(b.minutes - 30) minutes, \(t) booked \(b.minutes)"
            add(kind, t, [b.id], field: "minutes", year, q, cause)
            add(.hoursMismatch, t, [k.id], year, q, cause)

        case .hoursMismatch:
            guard let k = pick(clean(t, year, q)), let b = pickBooking(k, year, q) else { return false }
            g.emit(tr, at: Timestamp(seconds: b.trAt.seconds + 2 * 86_400), .bookingReversed, key: "r-\(b.id)", actor: g.office(t),
                   obj(["booking": .string(b.id), "reason": "korrektur"]))
            let cause = "\(t) reversed booking \(b.id) on Kontrakt \(k.id) and the Jugendamt never heard of it"
            add(kind, t, [k.id], year, q, cause)
            add(.bookingMissingAtTraeger, t, [b.id], year, q, cause)

        case .overGrant:
            let end = CalendarDate.quarterEnd(year: year, quarter: q)
            let candidates = clean(t, year, q).map { ($0, $0.grantedMinutes - $0.booked(through: end)) }
            guard let least = candidates.min(by: { ($0.1, $0.0.id) < ($1.1, $1.0.id) }) else { return false }
            let k = least.0
            used.insert(k.id)
            let b = bookingsIn(k, year, q).last!
            let minutes = (least.1 + Int64(r.int(60...120))) / 15 * 15 + 15
            let id = b.id + "x"
            g.emitShared(t, ja: Timestamp(seconds: b.jaAt.seconds + 1), tr: Timestamp(seconds: b.trAt.seconds + 60), .hoursBooked,
                         key: id, jaActor: Generator.controlling, trActor: b.staff ?? g.office(t),
                         obj(["booking": .string(id), "kontrakt": .string(k.id), "date": .string(b.date.description), "minutes": .int(minutes)]))
            add(kind, t, [k.id], year, q, "booking \(id) (\(minutes) minutes, on both sides) took Kontrakt \(k.id) beyond its grant")

        case .paymentMissingAtTraeger:
            guard let pair = g.pairs.first(where: { $0.traeger == t }) else { return false }
            number += 1
            let id = "z-\(pair.sozialraum.rawValue)-\(year)-x\(pad(number, 2))"
            let date = r.weekday(CalendarDate.quarterStart(year: year, quarter: q).advanced(by: 7),
                                 CalendarDate.quarterEnd(year: year, quarter: q).advanced(by: -14))
            g.emit(0, at: date.advanced(by: 2).at(10, 0), .paymentBooked, key: id, actor: "wjh-01", obj([
                "payment": .string(id), "traeger": .string(t), "sozialraum": .string(pair.sozialraum.rawValue),
                "payee": .string(r.pick(Landkreis.otherProviders)), "funding": "variabel",
                "amountCents": .int(Int64(r.int(200...2500)) * 100), "date": .string(date.description),
            ]))
            add(kind, t, [id], year, q, "the Jugendamt paid \(id) from \(t)'s variabel volume without telling \(t)")

        case .paymentMissingAtJugendamt:
            guard let p = pickPayment(t, year, q) else { return false }
            g.buffers[0][item(0, p.id)].removed = true
            add(kind, t, [p.id], year, q, "\(t) booked payment \(p.id) that never reached the Jugendamt")

        case .paymentMismatch:
            guard let p = pickPayment(t, year, q) else { return false }
            let other = p.amountCents * 11 / 10
            g.buffers[tr][item(tr, p.id)].data["amountCents"] = .int(other)
            add(kind, t, [p.id], field: "amountCents", year, q,
                "\(t) booked payment \(p.id) with \(other) cents, the Jugendamt with \(p.amountCents)")
        }
        return true
    }

    mutating func pick(_ ks: [KontraktModel]) -> KontraktModel? {
        guard !ks.isEmpty else { return nil }
        let k = r.pick(ks)
        used.insert(k.id)
        return k
    }

    mutating func pickBooking(_ k: KontraktModel, _ year: Int, _ q: Int) -> BookingModel? {
        let bs = bookingsIn(k, year, q)
        return bs.isEmpty ? nil : r.pick(bs)
    }

    mutating func pickPayment(_ t: String, _ year: Int, _ q: Int) -> PaymentModel? {
        let ps = g.payments.filter { $0.pair.traeger == t && !$0.reversed && !used.contains($0.id) && inQuarter($0.date, year, q) }
        guard !ps.isEmpty else { return nil }
        let p = r.pick(ps)
        used.insert(p.id)
        return p
    }

    /// A new §31 Kontrakt of `t` starting in the quarter (for the Kontrakt-missing kinds).
    mutating func freshKontrakt(_ t: String, _ year: Int, _ q: Int) -> (String, JSONObject, CalendarDate) {
        let pair = r.pick(g.pairs.filter { $0.traeger == t })
        let start = CalendarDate.quarterStart(year: year, quarter: q)
        let from = r.weekday(start.advanced(by: 10), start.advanced(by: 50))
        let to = from.addingMonths(9).advanced(by: -1)
        number += 1
        let id = "k-\(pair.sozialraum.rawValue)-\(year)-x\(pad(number, 2))"
        let data = obj([
            "kontrakt": .string(id), "fall": .string(g.newFall(&r)), "sozialraum": .string(pair.sozialraum.rawValue),
            "traeger": .string(t), "hilfeart": "31", "funding": "personalisiert",
            "grantedMinutes": .int(300 * Int64(Generator.weekMondays(from, to).count)),
            "validFrom": .string(from.description), "validTo": .string(to.description),
            "signedBy": .string(g.signer(pair.sozialraum, on: from, &r)),
        ])
        return (id, data, from)
    }
}
